"""The one HTTP layer: an on-disk cache, timeouts, bounded retries and per-host politeness.

Every request to a bibliographic API goes through :class:`HttpClient`. It

* serves repeated requests from a persistent SQLite cache (requests-cache), so a second run of
  the same batch makes no network requests; ``refresh`` bypasses it, ``offline`` uses only it;
* sets connect and read timeouts on every call;
* retries 429, 5xx, timeouts, dropped connections and bodies that are HTML or truncated, with
  exponential backoff, honouring ``Retry-After``, a bounded number of times;
* spaces requests per host (a rate limiter) and caps requests in flight per host, starting from
  each API's documented limits and adapting to the ``x-rate-limit-*`` / ``x-ratelimit-*`` /
  ``x-concurrency-limit`` headers the server sends;
* names the tool and the user's contact address in the User-Agent (the "polite pool").
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import socket
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import requests
import requests_cache
import urllib3
from requests.adapters import HTTPAdapter
from requests_cache import create_key

from appraise import __version__
from appraise.errors import InputError, SourceError
from appraise.files import MAX_DEPTH, nested_deeper_than

BodyKind = Literal["json", "xml"]

_MAILTO = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$", re.IGNORECASE)
_INTERVAL_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
# requests-cache answers a cache-only lookup that misses with a made-up 504; a real 504 is
# never stored (only checked 200s and 404s are), so in a cache-only answer 504 always means a miss.
_CACHE_MISS = 504
# Caps on what a server may make us do (docs/sources.md): the longest wait it can ask for by
# Retry-After or a rate-limit reset, the widest spacing its rate headers can impose, and the
# most starts a window is counted over.
MAX_ADVERTISED_WAIT = 120.0
MAX_ADVERTISED_SPACING = 10.0
MAX_WINDOW_REQUESTS = 1000
# Bodies are read in pieces this size, so a decompression bomb is caught a piece at a time.
_READ_PIECE = 64 * 1024
# Query parameters that identify the caller, not the resource: kept out of cache keys so the
# cache serves a response whatever contact address was given.
_IDENTITY_PARAMS = ("mailto", "email", "tool", "api_key")


class NotFound(Exception):
    """The source answered 404: it does not hold this work (not a failure of the batch)."""

    def __init__(self, url: str, fetched_at: datetime | None = None) -> None:
        super().__init__(url)
        self.url = url
        self.fetched_at = fetched_at or _now()


class NotCached(Exception):
    """Offline, and the cache holds no response for this request."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class Unreachable(SourceError):
    """The host's name did not resolve, or it refused the connection: the network (or this
    source) is down, and asking it again in this run will not help."""


class _RetryableBody(Exception):
    """A 200 response whose body is not what the API sends (an HTML page, truncated JSON)."""


class _UnreadableBody(Exception):
    """A 200 response no retry will mend: too large, or nested deeper than any API nests."""


class _TooSlow(requests.Timeout):
    """The request's wall-time deadline passed: the server trickled its answer."""


@dataclass(frozen=True)
class Limits:
    """Requests per second and in flight allowed against one host, and optionally a cap per
    minute for APIs that throttle on both (Europe PMC: 10/s and 500/min)."""

    rate: float
    concurrency: int
    per_minute: int | None = None


@dataclass(frozen=True)
class HttpSettings:
    """Timeouts, size limits and retry policy. Tests pass small values; users rarely need to
    change them (APPRAISE_HTTP_TIMEOUT, APPRAISE_HTTP_ATTEMPTS, APPRAISE_HTTP_MAX_MB)."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0  # silence allowed between two packets
    attempts: int = 5
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = (
        MAX_ADVERTISED_WAIT  # the longest wait a server may ask for (Retry-After)
    )
    request_deadline: float = 120.0  # wall time for one request, headers and body
    source_deadline: float = 300.0  # wall time for one call to a source, retries and waits
    max_body_bytes: int = 64 * 2**20  # a body after decompression

    @classmethod
    def from_env(cls) -> HttpSettings:
        """The defaults with any of APPRAISE_HTTP_TIMEOUT (read timeout, seconds),
        APPRAISE_HTTP_ATTEMPTS and APPRAISE_HTTP_MAX_MB (largest body, megabytes) applied."""
        values: dict[str, Any] = {}
        for name, key, kind, most in _ENV_SETTINGS:
            raw = os.environ.get(name)
            if raw is not None:
                values[key] = env_number(name, raw, kind, most)
        if "max_body_bytes" in values:
            values["max_body_bytes"] = int(values["max_body_bytes"] * 2**20)
        return cls(**values)


# variable, setting, type, largest value accepted
_ENV_SETTINGS: list[tuple[str, str, type, float]] = [
    ("APPRAISE_HTTP_TIMEOUT", "read_timeout", float, 3600),
    ("APPRAISE_HTTP_ATTEMPTS", "attempts", int, 20),
    ("APPRAISE_HTTP_MAX_MB", "max_body_bytes", float, 4096),
]


def env_number(name: str, raw: str, kind: type, most: float) -> float:
    """A positive, finite number from an environment variable (at most ``most``), or an
    InputError saying which variable is wrong: 'inf' and 'nan' parse as floats but are no
    timeout requests or urllib3 can use."""
    fix = f"unset {name} or give a number from 1 to {most:g}"
    try:
        value = kind(raw.strip())
    except ValueError:
        raise InputError(f"{name}={raw!r} is not a number", fix=fix) from None
    if not math.isfinite(value) or value <= 0 or value > most:
        raise InputError(f"{name}={raw!r} is out of range", fix=fix)
    return float(value) if kind is float else int(value)


def _windows_of(limits: Limits) -> list[tuple[int, float]]:
    """The limits as (requests, seconds) windows: 10/s -> 10 per 1 s, 0.5/s -> 1 per 2 s."""
    windows = [(round(limits.rate), 1.0) if limits.rate >= 1 else (1, 1 / limits.rate)]
    if limits.per_minute is not None:
        windows.append((limits.per_minute, 60.0))
    return windows


class HostLimiter:
    """Paces requests to one host: at most N starts in any window the API counts over (10 in
    any second, 500 in any minute), at most ``concurrency`` in flight, and a shared pause when
    the server asks for one (Retry-After).

    Starts are timed one thread at a time from when earlier ones really began, so the count
    holds in every window, however the server aligns or slides it. The server stamps a request
    when it arrives, a little after we started it (a busy machine, a new connection), and may
    count a request exactly one window later as still inside it: so the next start after N waits
    the window plus a margin (4 %, and at least ``SLACK`` seconds). Within a window, starts are
    spread at least three quarters of the even spacing apart: no bursts, yet a thread that woke
    late can be made up for by the next ones.

    A *lane* is a class of requests with a lower limit of its own on the same host (Crossref's
    list queries, about 3/s inside its 10/s): its starts count against the host's windows and,
    in addition, against the lane's.
    """

    MARGIN = 1.04
    SLACK = 0.05
    MAX_MARGIN = 1.5
    MIN_SPACING = 0.75
    # After a 429 we did not expect, the rate we allow ourselves drops to this share of what
    # the server advertises (and stays there for the run).
    BACKOFF_SHARE = 0.8

    def __init__(
        self,
        limits: Limits,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        """``sleep(seconds)`` may return True to stop waiting early (the run was cancelled)."""
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._turn = threading.Lock()  # held by the one thread being timed to its start
        self._windows = _windows_of(limits)
        self._concurrency = max(1, limits.concurrency)
        self._starts: deque[float] = deque()  # actual starts, as many as the widest window
        self._lanes: dict[str, list[tuple[int, float]]] = {}
        self._lane_starts: dict[str, deque[float]] = {}
        self._in_flight = 0
        self._paused_until = 0.0
        self._advertised = False
        self._margin = self.MARGIN
        self._ceiling: float | None = None  # requests/s we keep under after a 429

    @property
    def limits(self) -> Limits:
        with self._cond:
            return self._current()

    def _current(self) -> Limits:
        count, seconds = self._windows[0]
        per_minute = next((n for n, w in self._windows[1:] if w == 60.0), None)
        return Limits(count / seconds, self._concurrency, per_minute)

    def tighten(self, limits: Limits) -> None:
        """A second API on the same host (a mirror, a test server): until the server says
        otherwise, respect the stricter of the two documented limits."""
        with self._cond:
            if self._advertised:
                return
            current = self._current()
            per_minute = [n for n in (current.per_minute, limits.per_minute) if n is not None]
            stricter = Limits(min(current.rate, limits.rate), 1, min(per_minute, default=None))
            self._windows = _windows_of(stricter)
            self._concurrency = min(self._concurrency, max(1, limits.concurrency))

    def add_lane(self, lane: str, limits: Limits) -> None:
        """Declare ``lane``'s own limit (the stricter one if declared twice). Servers do not
        advertise lane limits, so headers never raise them."""
        with self._cond:
            windows = _windows_of(limits)
            known = self._lanes.get(lane)
            if known is None or windows[0][0] / windows[0][1] < known[0][0] / known[0][1]:
                self._lanes[lane] = windows
                self._lane_starts.setdefault(lane, deque())

    def acquire(self, lane: str | None = None) -> float:
        """Block until this thread may start a request (in ``lane``, if given); returns the
        start as counted, for :meth:`sent`."""
        with self._cond:
            while self._in_flight >= self._concurrency:
                self._cond.wait()
            self._in_flight += 1
        with self._turn:
            while (delay := self._earliest_start(lane) - self._clock()) > 0:
                if self._sleep(delay):
                    break
            with self._cond:
                now = self._clock()
                self._record(self._starts, self._windows, now)
                if lane in self._lanes:
                    self._record(self._lane_starts[lane], self._lanes[lane], now)
        return now

    def sent(self, started: float, lane: str | None = None) -> None:
        """The request counted from ``started`` has now been written to the socket: count it
        from now. On a busy machine the thread that sends it can wait tens of milliseconds
        after its start was counted (for the interpreter, for a connection), and a request the
        server stamps that late makes the window's last start look early to the server."""
        with self._cond:
            now = self._clock()
            _move(self._starts, started, now)
            if lane in self._lanes:
                _move(self._lane_starts[lane], started, now)

    @staticmethod
    def _record(starts: deque[float], windows: list[tuple[int, float]], now: float) -> None:
        starts.append(now)
        widest = max(count for count, _ in windows)
        while len(starts) > widest:
            starts.popleft()

    def _earliest_start(self, lane: str | None) -> float:
        """When the next request may start, under the limits as they stand now."""
        with self._cond:
            start = max(self._paused_until, self._next_in(self._starts, self._windows))
            if lane in self._lanes:
                start = max(start, self._next_in(self._lane_starts[lane], self._lanes[lane]))
            return start

    def _next_in(self, starts: deque[float], windows: list[tuple[int, float]]) -> float:
        if not starts:
            return 0.0
        count, seconds = windows[0]
        start = starts[-1] + self.MIN_SPACING * seconds / count
        for count, seconds in windows:
            if len(starts) >= count:
                start = max(start, starts[-count] + self._window(seconds))
        return start

    def _window(self, seconds: float) -> float:
        """A window as we count it: the server's, widened by the margin."""
        return max(seconds * self._margin, seconds + self.SLACK)

    def release(self) -> None:
        with self._cond:
            self._in_flight -= 1
            self._cond.notify_all()

    def throttled(self) -> None:
        """The server answered 429 although we kept to its limits: its count and ours
        disagree. Slow down for the rest of the run (a lower rate, a wider margin) and start
        nothing until a whole window has passed, so the retry does not land in the window that
        was refused."""
        with self._cond:
            self._margin = min(self._margin * 1.1, self.MAX_MARGIN)
            count, seconds = self._windows[0]
            self._ceiling = self.BACKOFF_SHARE * count / seconds
            self._windows = [_slower(self._windows[0], self._ceiling), *self._windows[1:]]
            pause = self._window(self._windows[0][1])
            self._paused_until = max(self._paused_until, self._clock() + pause)

    def pause(self, seconds: float) -> None:
        """No request to this host starts for ``seconds`` (the server said to wait)."""
        with self._cond:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def adapt(self, headers: Mapping[str, str]) -> None:
        """Follow the limits the server advertises; they replace the documented defaults (but
        never lift the rate above what a 429 taught us)."""
        advertised = advertised_limits(headers)
        with self._cond:
            if advertised.window is not None or advertised.concurrency is not None:
                self._advertised = True
            if advertised.window is not None:
                # the server's own figures replace the documented ones, per-minute cap too
                window = advertised.window
                if self._ceiling is not None:
                    window = _slower(window, self._ceiling)
                self._windows = [window]
            if advertised.concurrency is not None:
                self._concurrency = advertised.concurrency
                self._cond.notify_all()
            if advertised.wait is not None:
                self._paused_until = max(self._paused_until, self._clock() + advertised.wait)


def _move(starts: deque[float], started: float, now: float) -> None:
    """Count the start ``started`` (the latest so counted) as ``now``, keeping ``starts`` in
    order."""
    for i in range(len(starts) - 1, -1, -1):
        if starts[i] == started:
            starts[i] = max(started, now)
            break
    if any(a > b for a, b in zip(starts, list(starts)[1:], strict=False)):
        ordered = sorted(starts)
        starts.clear()
        starts.extend(ordered)


def _slower(window: tuple[int, float], ceiling: float) -> tuple[int, float]:
    """``window`` (requests, seconds) at no more than ``ceiling`` requests per second."""
    count, seconds = window
    if count / seconds <= ceiling:
        return window
    allowed = int(ceiling * seconds)
    return (allowed, seconds) if allowed >= 1 else (1, 1 / ceiling)


@dataclass(frozen=True)
class Advertised:
    window: tuple[int, float] | None = None  # (requests, seconds)
    concurrency: int | None = None
    wait: float | None = None

    @property
    def rate(self) -> float | None:
        return self.window[0] / self.window[1] if self.window else None


def _header(headers: Mapping[str, str], *names: str) -> str | None:
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in names:
        if (value := lowered.get(name)) is not None:
            return value
    return None


def advertised_limits(headers: Mapping[str, str]) -> Advertised:
    """Rate, concurrency and any required wait from a response's headers.

    Crossref sends ``x-rate-limit-limit: 10`` with ``x-rate-limit-interval: 1s`` (earlier
    ``x-ratelimit-*``, sometimes both) and ``x-concurrency-limit``. OpenAlex sends
    ``X-RateLimit-Limit`` as a daily credit allowance with no interval, so a limit counts as a
    rate only beside an interval; its ``X-RateLimit-Remaining: 0`` with ``X-RateLimit-Reset``
    says how long to wait.
    """
    window = None
    limit = _header(headers, "x-rate-limit-limit", "x-ratelimit-limit")
    interval = _header(headers, "x-rate-limit-interval", "x-ratelimit-interval")
    if limit and limit.strip().isdigit() and interval and (m := _INTERVAL.match(interval)):
        seconds = float(m.group(1)) * _INTERVAL_UNITS[(m.group(2) or "s").lower()]
        if int(limit) > 0 and seconds > 0:
            window = _capped_window(int(limit), seconds)
    concurrency = None
    if (raw := _header(headers, "x-concurrency-limit")) and raw.strip().isdigit():
        concurrency = max(1, int(raw.strip()))
    wait = None
    remaining = _header(headers, "x-rate-limit-remaining", "x-ratelimit-remaining")
    reset = _header(headers, "x-rate-limit-reset", "x-ratelimit-reset")
    if remaining is not None and remaining.strip() == "0" and reset:
        wait = _seconds(reset)
        # OpenAlex counts its reset to midnight: wait a bounded time, then let a 429 say more
        wait = None if wait is None else min(wait, MAX_ADVERTISED_WAIT)
    return Advertised(window, concurrency, wait)


def _capped_window(count: int, seconds: float) -> tuple[int, float]:
    """An advertised window no stricter than one request per MAX_ADVERTISED_SPACING seconds
    and no wider than MAX_WINDOW_REQUESTS starts: a header of '1 per 86400s' must not stall a
    fetch for a day (the server's 429s still slow us down if it means it)."""
    count = min(count, MAX_WINDOW_REQUESTS)
    return count, min(seconds, count * MAX_ADVERTISED_SPACING)


def _seconds(value: str) -> float | None:
    """Seconds from a delay in seconds or an HTTP date (as Retry-After allows)."""
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def path_segment(text: str) -> str:
    """``text`` (a DOI, an OpenAlex key) quoted for a URL path, its slashes kept. '.' and '..'
    segments are encoded so that urllib3 sends ``10.1234/../x`` as it is instead of resolving
    it, client-side, to a different resource."""
    parts = [quote(part, safe=":()") for part in text.split("/")]
    return "/".join(part.replace(".", "%2E") if part in (".", "..") else part for part in parts)


def cache_dir() -> Path:
    return Path(os.environ.get("APPRAISE_CACHE_DIR") or Path.home() / ".cache" / "appraise")


def contact_address(mailto: str | None) -> str | None:
    """The contact address from --mailto or APPRAISE_MAILTO, checked for shape."""
    address = (mailto or os.environ.get("APPRAISE_MAILTO") or "").strip() or None
    if address and not _MAILTO.match(address):
        raise InputError(
            f"'{address}' is not an e-mail address",
            fix="give --mailto you@example.org (or set APPRAISE_MAILTO)",
        )
    return address


def user_agent(mailto: str | None) -> str:
    """Crossref's etiquette: name the tool and, for the polite pool, a contact address."""
    return f"appraise/{__version__} (mailto:{mailto})" if mailto else f"appraise/{__version__}"


@dataclass
class Response:
    """What a caller needs from a response: where from, status, body, and whether cached."""

    url: str
    status: int
    body: bytes
    headers: dict[str, str]
    from_cache: bool
    fetched_at: datetime
    _json: Any = field(default=None, repr=False)

    def json(self) -> Any:
        return self._json if self._json is not None else json.loads(self.body)


class HttpClient:
    """Shared by every source and thread of one fetch run."""

    def __init__(
        self,
        *,
        mailto: str | None = None,
        offline: bool = False,
        refresh: bool = False,
        settings: HttpSettings | None = None,
        cache_path: Path | None = None,
    ) -> None:
        self.mailto = mailto
        self.offline = offline
        self.refresh = refresh
        self.settings = settings or HttpSettings.from_env()
        self._session = open_cache(cache_path or cache_dir() / "http-cache.sqlite", offline)
        # Responses that wait, per thread, for the source call that asked for them to succeed
        # (see caching_on_success); None outside such a call: stored at once.
        self._local = threading.local()
        self.cache_problem: str | None = None  # set when a store failed; later ones are skipped
        # Requests that reach the network go through a plain session, so that a response is
        # stored (by _store) only once its body has been checked, and outside the host's
        # concurrency slot; the cached session only reads.
        self._network = requests.Session()
        adapter = _WatchedAdapter(pool_connections=8, pool_maxsize=32)
        self._network.mount("http://", adapter)
        self._network.mount("https://", adapter)
        self._network.headers["User-Agent"] = user_agent(mailto)
        self._limiters: dict[str, HostLimiter] = {}
        self._unreachable: dict[str, str] = {}  # host -> why, once a request could not connect
        self._lock = threading.Lock()
        self.network_requests = 0
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        """Start no more requests and cut short any wait (the user pressed Ctrl-C)."""
        self._cancelled.set()

    def close(self) -> None:
        self._network.close()
        if not self._cancelled.is_set():
            # After Ctrl-C, requests still in flight may yet read or write the cache: closing its
            # SQLite connection under them crashes the process; the process is ending anyway.
            self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def limiter(
        self, url: str, default: Limits, lane: tuple[str, Limits] | None = None
    ) -> HostLimiter:
        """The limiter for ``url``'s host; two sources on one host share the stricter start."""
        host = urlsplit(url).netloc.lower()
        with self._lock:
            limiter = self._limiters.get(host)
            if limiter is None:
                # waits end early when the run is cancelled
                limiter = self._limiters[host] = HostLimiter(default, sleep=self._cancelled.wait)
            else:
                limiter.tighten(default)
            if lane is not None:
                limiter.add_lane(*lane)
            return limiter

    def unreachable(self, url: str) -> str | None:
        """Why ``url``'s host could not be reached earlier in this run (None if it could)."""
        with self._lock:
            return self._unreachable.get(urlsplit(url).netloc.lower())

    def get(
        self,
        url: str,
        *,
        source: str,
        limits: Limits,
        expect: BodyKind,
        params: Mapping[str, str] | None = None,
        lane: tuple[str, Limits] | None = None,
    ) -> Response:
        """GET ``url`` and return a 200 response with a well-formed-looking body. ``lane``
        names a class of requests with a lower limit of its own on that host, and the limit.

        Raises NotFound on 404, NotCached when offline and not cached, Unreachable when the
        host does not resolve or refuses connections (at once, and for every later request to
        it in this run), SourceError when the retries are used up (the message says what went
        wrong last).
        """
        limiter = self.limiter(url, limits, lane)
        if self._cancelled.is_set():
            raise SourceError(f"{source}: not asked, the run was interrupted")
        if (why := self.unreachable(url)) is not None:
            raise Unreachable(f"{source}: not asked, {why} earlier", fix=_UNREACHABLE_FIX)
        settings = self.settings
        problem = "no attempt made"
        tries = 0
        give_up_at = time.monotonic() + settings.source_deadline
        for attempt in range(1, settings.attempts + 1):
            tries = attempt
            force = self.refresh or attempt > 1
            wait: float | None = None
            try:
                response = self._send(
                    url, params, limiter, lane, source, force_refresh=force, give_up_at=give_up_at
                )
            except _UnreadableBody as exc:
                raise SourceError(f"{source}: {exc} ({url})", fix=_UNREADABLE_FIX) from None
            except requests.Timeout as exc:
                problem = (
                    str(exc)
                    if isinstance(exc, _TooSlow)
                    else (f"timed out after {settings.read_timeout:g}s")
                )
            except requests.ConnectionError as exc:
                problem = f"could not connect ({_reason(exc)})"
                if _reason(exc) in _DEAD:
                    with self._lock:
                        self._unreachable.setdefault(urlsplit(url).netloc.lower(), _reason(exc))
                    raise Unreachable(f"{source}: {problem}", fix=_UNREACHABLE_FIX) from None
            except requests.RequestException as exc:
                problem = f"request failed ({_reason(exc)})"
            else:
                status = response.status_code
                from_cache = bool(getattr(response, "from_cache", False))
                if self.offline and status == _CACHE_MISS:
                    raise NotCached(_anonymous(response.url))
                if status == 404:
                    self._store(response, from_cache)
                    raise NotFound(_anonymous(response.url), _fetched_at(response, from_cache))
                if status == 200:
                    try:
                        accepted = self._accept(response, expect, from_cache)
                    except _RetryableBody as exc:
                        problem = str(exc)
                        if self.offline:
                            break
                        continue
                    except _UnreadableBody as exc:
                        raise SourceError(f"{source}: {exc} ({url})", fix=_UNREADABLE_FIX) from None
                    self._store(response, from_cache)
                    return accepted
                retry_after = _seconds(response.headers.get("Retry-After", "") or "")
                problem = _status_problem(status, response, retry_after)
                if status != 429 and status < 500:
                    break  # 400, 401, 403...: asking again will not help
                if status == 429:
                    limiter.throttled()  # slower from now on; nothing starts for a window
                if retry_after is not None:
                    refuse_long_wait(source, url, problem, retry_after, settings)
                    wait = retry_after
                    limiter.pause(wait)
            if self.offline:
                break
            if attempt < settings.attempts:
                delay = wait if wait is not None else _backoff(settings, attempt)
                if time.monotonic() + delay >= give_up_at:
                    problem += f"; gave up after {settings.source_deadline:g}s in all"
                    break
                if self._cancelled.wait(delay):
                    raise SourceError(f"{source}: {problem}; the run was interrupted")
        times = "once" if tries == 1 else f"{tries} times"
        if problem.startswith("rate limited (HTTP 429") and not self.offline:
            # Rate-limited through every retry: later calls in this run would wait out the
            # same refusals one after another, so the host is not asked again (like a dead one).
            with self._lock:
                self._unreachable.setdefault(
                    urlsplit(url).netloc.lower(), f"still rate limited (429) after {tries} tries"
                )
        raise SourceError(
            f"{source}: {problem} ({url}; tried {times})",
            fix="try again later, or check the source's status page and your connection",
        )

    def _send(
        self,
        url: str,
        params: Mapping[str, str] | None,
        limiter: HostLimiter,
        lane: tuple[str, Limits] | None,
        source: str,
        *,
        force_refresh: bool,
        give_up_at: float,
    ) -> requests.Response:
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        if self.offline:
            return self._cached(url, params, timeout)
        if not force_refresh:
            # A cache hit costs the source nothing, so it does not wait for the limiter.
            cached = self._cached(url, params, timeout)
            if cached.status_code != _CACHE_MISS:
                return cached
        # Everything but the send is done before the limiter times the start, so the request
        # reaches the server as soon after its counted start as this machine allows.
        request = self._network.prepare_request(requests.Request("GET", url, params=params))
        options = self._network.merge_environment_settings(request.url, {}, None, None, None)
        lane_name = lane[0] if lane else None
        started = limiter.acquire(lane_name)
        try:
            if self._cancelled.is_set():
                raise SourceError(f"{source}: not asked, the run was interrupted")
            with self._lock:
                self.network_requests += 1
            _watched.on_sent = lambda: limiter.sent(started, lane_name)
            response = self._read(request, dict(options), timeout, give_up_at)
            limiter.adapt(response.headers)
            return response
        finally:
            _watched.on_sent = None
            limiter.release()

    def _accept(self, response: requests.Response, expect: BodyKind, from_cache: bool) -> Response:
        body = response.content
        head = body[:200].lstrip().lower()
        content_type = response.headers.get("Content-Type", "").lower()
        labelled_html = "text/html" in content_type and head.startswith(b"<")
        if head.startswith((b"<!doctype html", b"<html")) or (
            labelled_html and not head.startswith(b"<?xml")
        ):
            raise _RetryableBody("answered with an HTML page instead of data")
        parsed: Any = None
        if expect == "json":
            try:
                parsed = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                raise _RetryableBody("sent truncated or invalid JSON") from None
            except RecursionError:
                raise _UnreadableBody(_TOO_DEEP) from None
            if nested_deeper_than(parsed, MAX_DEPTH):
                raise _UnreadableBody(_TOO_DEEP)
        elif not head.startswith(b"<"):
            raise _RetryableBody("sent a body that is not XML")
        elif not body.rstrip().endswith(b">"):
            raise _RetryableBody("sent truncated XML")  # cheap check; the parser does the rest
        headers = {k.lower(): v for k, v in response.headers.items()}
        return Response(
            _anonymous(response.url),
            response.status_code,
            body,
            headers,
            from_cache,
            _fetched_at(response, from_cache),
            parsed,
        )

    def _store(self, response: requests.Response, from_cache: bool) -> None:
        """Keep a checked network response, under the key the cached session reads it by:
        at once, or inside a source call when that call has succeeded."""
        if from_cache:
            return
        pending: list[requests.Response] | None = getattr(self._local, "pending", None)
        if pending is not None:
            pending.append(response)
        else:
            self._save(response)

    def _save(self, response: requests.Response) -> None:
        if self.cache_problem is not None:
            return
        try:
            key = self._session.cache.create_key(response.request)
            self._session.cache.save_response(response, cache_key=key)
        except (sqlite3.Error, OSError) as exc:
            # the response is still used; only the copy for next time is lost
            self.cache_problem = f"the HTTP cache could not be written ({exc})"

    @contextmanager
    def caching_on_success(self) -> Iterator[None]:
        """Cache the responses this thread receives inside the block only if the block ends
        well (or with NotFound, a real answer): a 200 body that the parser rejects is never
        cached, so the next run asks again instead of failing on the same copy for ever."""
        outer = getattr(self._local, "pending", None)
        pending: list[requests.Response] = []
        self._local.pending = pending
        try:
            yield
        except NotFound:
            self._keep(pending, outer)
            raise
        else:
            self._keep(pending, outer)
        finally:
            self._local.pending = outer

    def _keep(
        self, pending: list[requests.Response], outer: list[requests.Response] | None
    ) -> None:
        if outer is not None:
            outer.extend(pending)  # the enclosing call decides
        else:
            for response in pending:
                self._save(response)

    def _cached(
        self, url: str, params: Mapping[str, str] | None, timeout: tuple[float, float]
    ) -> requests.Response:
        """The cached answer (a made-up 504 when there is none)."""
        try:
            return self._session.get(url, params=params, timeout=timeout, only_if_cached=True)
        except (sqlite3.Error, OSError, ValueError) as exc:
            raise SourceError(f"the HTTP cache could not be read ({exc})", fix=_CACHE_FIX) from None

    def _read(
        self,
        request: requests.PreparedRequest,
        options: dict[str, Any],
        timeout: tuple[float, float],
        give_up_at: float,
    ) -> requests.Response:
        """GET from the network with the whole response, headers and body, read within the
        request's wall-time deadline and the size limit."""
        seconds = max(0.0, min(self.settings.request_deadline, give_up_at - time.monotonic()))
        with _Deadline(seconds) as deadline:
            try:
                response = self._network.send(
                    request, timeout=timeout, **{**options, "stream": True}
                )
                read_body(response, self.settings.max_body_bytes)
            except requests.RequestException:
                if deadline.expired:
                    raise _TooSlow(
                        f"the answer took longer than {seconds:g}s (sent too slowly)"
                    ) from None
                raise
        return response


_CACHE_FIX = (
    "delete the cache (it only holds copies of API answers) or set APPRAISE_CACHE_DIR to a "
    "folder you can write"
)
_TOO_DEEP = f"sent JSON nested more than {MAX_DEPTH} levels deep"
_UNREADABLE_FIX = "check the source's URL (APPRAISE_*_URL), or try again later"


def open_cache(path: Path, offline: bool) -> requests_cache.CachedSession:
    """The SQLite cache at ``path``, checked now so that a damaged or read-only cache is one
    clear line before any request rather than a failure in every worker (offline only reads
    it, so there it need not be writable)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        session = requests_cache.CachedSession(
            str(path),
            backend="sqlite",
            ignored_parameters=_IDENTITY_PARAMS,
            key_fn=_cache_key,
            busy_timeout=30_000,
            wal=True,
        )
        _ = "probe" in session.cache.responses  # reads the table: fails on a damaged file
        if not offline:
            _probe_write(path)
    except (sqlite3.Error, OSError) as exc:
        raise InputError(f"the HTTP cache {path} cannot be used ({exc})", fix=_CACHE_FIX) from None
    return session


def _probe_write(path: Path) -> None:
    """Raise sqlite3.Error when ``path`` cannot be written (rewrites one header field)."""
    connection = sqlite3.connect(str(path), timeout=30)
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        connection.execute(f"PRAGMA user_version = {int(version)}")
        connection.commit()
    finally:
        connection.close()


def refuse_long_wait(
    source: str, url: str, problem: str, seconds: float, settings: HttpSettings
) -> None:
    """A server that asks for a longer wait than we allow (Retry-After: 999999) is not asked
    again in this call: fail now with the reason instead of waiting, capped, five times."""
    if seconds > settings.max_retry_after:
        raise SourceError(
            f"{source}: {problem}, more than the {settings.max_retry_after:g}s appraise waits "
            f"({url}; not retried)",
            fix="try again later",
        )


def read_body(response: requests.Response, limit: int) -> None:
    """Read a streamed body, decompressed, into ``response`` (as ``.content`` gives it), a
    piece at a time: a body larger than ``limit`` bytes (a 4 MB gzip bomb that would expand
    to 4 GB) is refused when the limit is passed, never held whole."""
    pieces: list[bytes] = []
    size = 0
    try:
        for piece in response.iter_content(_READ_PIECE):
            size += len(piece)
            if size > limit:
                raise _UnreadableBody(
                    f"sent more than {limit / 2**20:g} MB (after decompression); "
                    "APPRAISE_HTTP_MAX_MB raises the limit"
                )
            pieces.append(piece)
    except BaseException:
        response.close()
        raise
    response._content = b"".join(pieces)
    response._content_consumed = True  # type: ignore[attr-defined]


class _Deadline:
    """Ends this thread's request when its wall time is up. The socket's own timeout bounds
    only the silence between two packets, so a server sending a byte every two seconds would
    never time out; this shuts the connection down from a timer instead."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        _watched.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _watched.deadline = None

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _shut(self._sock)


# .deadline: the _Deadline of this thread's request; .on_sent: what to tell its limiter once
# the request is written
_watched = threading.local()


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def _watch_current(sock: socket.socket | None) -> None:
    """Called when this thread's request has been written and its answer is awaited."""
    on_sent: Callable[[], None] | None = getattr(_watched, "on_sent", None)
    if on_sent is not None:
        _watched.on_sent = None
        on_sent()
    deadline: _Deadline | None = getattr(_watched, "deadline", None)
    if deadline is not None and sock is not None:
        deadline.watch(sock)


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]
        _watch_current(self.sock)  # connected by now; the headers are read next
        return super().getresponse()


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]
        _watch_current(self.sock)
        return super().getresponse()


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter with connections whose socket a _Deadline can shut down."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _fetched_at(response: requests.Response, from_cache: bool) -> datetime:
    """When the source sent this response: now, or when the cached copy was first received."""
    created = getattr(response, "created_at", None) if from_cache else None
    return created.replace(tzinfo=UTC, microsecond=0) if created else _now()


def _anonymous(url: str) -> str:
    """``url`` without the caller's contact address (records and cache keys never hold it),
    parameters sorted as requests-cache stores them, so a cached answer names the same URL."""
    parts = urlsplit(url)
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in _IDENTITY_PARAMS
    )
    return urlunsplit(parts._replace(query=urlencode(query)))


def request_url(url: str, params: Mapping[str, str] | None = None) -> str:
    """The URL a GET of ``url`` with ``params`` is stored and reported under (no contact
    address): what a record names as where a field came from, even when it came in a batch."""
    prepared = requests.Request("GET", url, params=params).prepare()
    return _anonymous(prepared.url or url)


def _cache_key(request: requests.PreparedRequest, **kwargs: Any) -> str:
    """requests-cache's key for ``request`` as if it carried no contact address, so runs with
    and without --mailto share one cache (its ignored_parameters still key on their names)."""
    anonymous = request.copy()
    anonymous.url = _anonymous(request.url or "")
    return create_key(anonymous, **kwargs)


_REFUSED = "connection refused"
_NO_HOST = "host name not found"
_NO_NETWORK = "network unreachable"
_DEAD = (_REFUSED, _NO_HOST, _NO_NETWORK)
_UNREACHABLE_FIX = (
    "check your connection; use --offline to work from the corpus and the cache, or point "
    "APPRAISE_<SOURCE>_URL at a mirror"
)
_NAME_NOT_RESOLVED = (
    "Name or service not known",
    "nodename nor servname",
    "Temporary failure in name resolution",
    "No address associated with hostname",
    "NameResolutionError",
    "getaddrinfo failed",
)


def _reason(exc: Exception) -> str:
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the body was cut off"
    text = str(exc)
    if "Connection refused" in text:
        return _REFUSED
    if any(marker in text for marker in _NAME_NOT_RESOLVED):
        return _NO_HOST
    if "Network is unreachable" in text:
        return _NO_NETWORK
    return type(exc).__name__


def _status_problem(status: int, response: requests.Response, retry_after: float | None) -> str:
    if status == 429:
        wait = f"; asked to wait {retry_after:g}s" if retry_after is not None else ""
        return f"rate limited (HTTP 429{wait})"
    if status >= 500:
        return f"server error (HTTP {status})"
    text = response.text.strip().splitlines()[0][:120] if response.text.strip() else ""
    return f"HTTP {status}{': ' + text if text else ''}"


def _backoff(settings: HttpSettings, attempt: int) -> float:
    """Exponential backoff with full jitter, so parallel workers do not retry in step."""
    ceiling = min(settings.max_backoff, settings.backoff * 2 ** (attempt - 1))
    return random.uniform(ceiling / 2, ceiling)
