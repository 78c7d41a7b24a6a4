"""The HTTP layer against a local server: faults, retries, Retry-After, rate limits, cache."""

from __future__ import annotations

import json
import socket
import threading
import time
from itertools import pairwise
from pathlib import Path

import pytest
from werkzeug import Request, Response

from appraise.errors import SourceError
from appraise.sources.http import (
    HostLimiter,
    HttpClient,
    HttpSettings,
    Limits,
    NotCached,
    NotFound,
    Unreachable,
    advertised_limits,
    user_agent,
)
from tests.conftest import shared_path

FAST = HttpSettings(connect_timeout=1, read_timeout=1, attempts=3, backoff=0.01, max_backoff=0.02)
LIMITS = Limits(rate=100, concurrency=4)


def _client(tmp_path: Path, **options: object) -> HttpClient:
    settings = options.pop("settings", FAST)
    return HttpClient(cache_path=tmp_path / "cache.sqlite", settings=settings, **options)  # type: ignore[arg-type]


def _get(client: HttpClient, url: str, expect: str = "json") -> object:
    return client.get(url, source="Test API", limits=LIMITS, expect=expect)  # type: ignore[arg-type]


def _ok(request: Request) -> Response:
    return Response('{"ok": true}', content_type="application/json")


def test_404_plain_text_is_not_found_and_cached(server, tmp_path) -> None:
    server.handler = lambda r: Response(
        "Resource not found.", status=404, content_type="text/plain"
    )
    with _client(tmp_path) as client, pytest.raises(NotFound):
        _get(client, server.url("/works/10.1371/notarealdoi"))
    with _client(tmp_path) as client, pytest.raises(NotFound):
        _get(client, server.url("/works/10.1371/notarealdoi"))
    assert len(server.paths) == 1  # the second client was answered from the cache


def test_429_burst_honours_retry_after_then_succeeds(server, tmp_path) -> None:
    answers = iter([429, 429])

    def handler(request: Request) -> Response:
        status = next(answers, 200)
        if status == 429:
            return Response(
                "<html>429 Too Many Requests</html>",
                status=429,
                headers={"Retry-After": "0.05"},
                content_type="text/html",
            )
        return _ok(request)

    server.handler = handler
    with _client(tmp_path) as client:
        response = _get(client, server.url("/x"))
    assert response.json() == {"ok": True}  # type: ignore[attr-defined]
    assert len(server.paths) == 3


def test_persistent_503_gives_up_with_a_clear_message(server, tmp_path) -> None:
    server.handler = lambda r: Response("down", status=503, headers={"Retry-After": "0"})
    with _client(tmp_path) as client, pytest.raises(SourceError) as raised:
        _get(client, server.url("/x"))
    assert "Test API: server error (HTTP 503)" in raised.value.message
    assert "tried 3 times" in raised.value.message
    assert len(server.paths) == 3


def test_timeout_is_retried_then_reported(server, tmp_path) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.3)
        return _ok(request)

    server.handler = slow
    settings = HttpSettings(read_timeout=0.1, attempts=2, backoff=0.01, max_backoff=0.01)
    with _client(tmp_path, settings=settings) as client, pytest.raises(SourceError) as raised:
        _get(client, server.url("/x"))
    assert "timed out after 0.1s" in raised.value.message
    assert len(server.paths) == 2


@pytest.mark.parametrize(
    ("body", "content_type", "expect", "problem"),
    [
        (b"<!DOCTYPE html><html><body>Maintenance</body></html>", "text/html", "json", "HTML"),
        (b'{"status": "ok", "message": {"DOI": "10.1', "application/json", "json", "truncated"),
        (b"<PubmedArticleSet><PubmedArticle><MedlineCit", "text/xml", "xml", "truncated XML"),
    ],
)
def test_bad_bodies_are_retried_and_never_cached(
    server, tmp_path, body, content_type, expect, problem
) -> None:
    server.handler = lambda r: Response(body, content_type=content_type)
    with _client(tmp_path) as client, pytest.raises(SourceError, match=problem):
        _get(client, server.url("/x"), expect)
    assert len(server.paths) == 3
    server.handler = lambda r: Response(b"<ok/>" if expect == "xml" else b'{"ok": true}')
    with _client(tmp_path) as client:
        assert _get(client, server.url("/x"), expect).from_cache is False  # type: ignore[attr-defined]
    assert len(server.paths) == 4  # the bad body was not served from the cache


def test_bad_body_then_good_one_succeeds(server, tmp_path) -> None:
    bodies = iter([b'{"trunc', b'{"ok": true}'])
    server.handler = lambda r: Response(next(bodies), content_type="application/json")
    with _client(tmp_path) as client:
        assert _get(client, server.url("/x")).json() == {"ok": True}  # type: ignore[attr-defined]


def test_connection_refused(tmp_path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with _client(tmp_path) as client, pytest.raises(SourceError) as raised:
        _get(client, f"http://127.0.0.1:{port}/x")
    assert "could not connect (connection refused)" in raised.value.message


def test_client_errors_are_not_retried(server, tmp_path) -> None:
    server.handler = lambda r: Response(
        '{"status":"failed","message-type":"validation-failure"}',
        status=400,
        content_type="application/json",
    )
    with _client(tmp_path) as client, pytest.raises(SourceError) as raised:
        _get(client, server.url("/x"))
    assert "HTTP 400" in raised.value.message and "tried once" in raised.value.message
    assert len(server.paths) == 1


def test_offline_uses_only_the_cache(server, tmp_path) -> None:
    server.handler = _ok
    with _client(tmp_path, offline=True) as client, pytest.raises(NotCached):
        _get(client, server.url("/x"))
    assert server.paths == []
    with _client(tmp_path) as client:
        _get(client, server.url("/x"))
    with _client(tmp_path, offline=True) as client:
        assert _get(client, server.url("/x")).from_cache  # type: ignore[attr-defined]
    with _client(tmp_path, refresh=True) as client:
        assert not _get(client, server.url("/x")).from_cache  # type: ignore[attr-defined]
    assert len(server.paths) == 2


def test_user_agent_names_the_contact(server, tmp_path) -> None:
    agents: list[str] = []

    def handler(request: Request) -> Response:
        agents.append(request.headers.get("User-Agent", ""))
        return _ok(request)

    server.handler = handler
    with _client(tmp_path, mailto="reviewer@example.org") as client:
        _get(client, server.url("/x"))
    assert agents == [user_agent("reviewer@example.org")]
    assert "mailto:reviewer@example.org" in agents[0]


@pytest.mark.parametrize(
    ("headers", "rate", "concurrency"),
    [
        (
            {"x-rate-limit-limit": "10", "x-rate-limit-interval": "1s", "x-concurrency-limit": "3"},
            10.0,
            3,
        ),
        ({"X-Ratelimit-Limit": "50", "X-Ratelimit-Interval": "1s"}, 50.0, None),
        (
            {
                "x-rate-limit-limit": "5",
                "x-rate-limit-interval": "1s",
                "x-ratelimit-limit": "5",
                "x-ratelimit-interval": "1s",
                "x-concurrency-limit": "1",
            },
            5.0,
            1,
        ),
        ({"X-RateLimit-Limit": "100000", "X-RateLimit-Remaining": "99990"}, None, None),
    ],
)
def test_advertised_limits_in_either_spelling(headers, rate, concurrency) -> None:
    advertised = advertised_limits(headers)
    assert (advertised.rate, advertised.concurrency) == (rate, concurrency)


def test_exhausted_daily_allowance_means_wait() -> None:
    advertised = advertised_limits({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2"})
    assert advertised.wait == 2 and advertised.rate is None


def test_rate_limiter_keeps_the_advertised_limit_under_concurrency(server, tmp_path) -> None:
    """The server allows 40 requests per 1 s window and 2 at a time, says so in its headers,
    and answers 429 to anything beyond; 8 threads share one client."""
    limit, window, max_parallel = 40, 1.0, 2
    lock = threading.Lock()
    starts: list[float] = []
    in_flight = [0, 0]  # now, peak
    refused: list[float] = []

    def handler(request: Request) -> Response:
        now = time.monotonic()
        with lock:
            recent = [t for t in starts if now - t < window]
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
            over = len(recent) >= limit or in_flight[0] > max_parallel
            (refused if over else starts).append(now)
        time.sleep(0.01)
        with lock:
            in_flight[0] -= 1
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-interval": "1s",
            "x-concurrency-limit": str(max_parallel),
        }
        if over:
            return Response("slow down", status=429, headers={**headers, "Retry-After": "1"})
        return Response('{"ok": true}', headers=headers, content_type="application/json")

    server.handler = handler
    with _client(tmp_path, refresh=True) as client:
        client.get(server.url("/first"), source="T", limits=Limits(5, 1), expect="json")
        threads = [
            threading.Thread(
                target=lambda i=i: [
                    client.get(
                        server.url(f"/x/{i}/{j}"), source="T", limits=Limits(5, 1), expect="json"
                    )
                    for j in range(4)
                ]
            )
            for i in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert refused == []
    assert len(starts) == 33 and in_flight[1] <= max_parallel


class _FakeTime:
    """A clock that advances only when the limiter sleeps, so pacing is checked exactly."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _starts(limiter: HostLimiter, fake: _FakeTime, count: int) -> list[float]:
    starts = []
    for _ in range(count):
        limiter.acquire()
        starts.append(fake.now)
        limiter.release()
    return starts


def _span_of(starts: list[float], count: int) -> float:
    """The shortest time in which ``count`` consecutive starts happened."""
    return min(b - a for a, b in zip(starts, starts[count - 1 :], strict=False))


def test_limiter_keeps_every_window_under_the_limit_without_bursts() -> None:
    fake = _FakeTime()
    limiter = HostLimiter(Limits(rate=10, concurrency=2, per_minute=25), fake.clock, fake.sleep)
    starts = _starts(limiter, fake, 30)
    assert _span_of(starts[:25], 11) >= 1.04 - 1e-9  # never 11 starts in one second
    assert min(b - a for a, b in pairwise(starts)) >= 0.075  # spread, never back to back
    assert starts[25] - starts[0] >= 60  # the 26th waits for the first to leave the minute


def test_a_late_start_is_made_up_within_the_window() -> None:
    fake = _FakeTime()
    limiter = HostLimiter(Limits(rate=10, concurrency=1), fake.clock, fake.sleep)
    starts = _starts(limiter, fake, 11)
    fake.now += 0.3  # a thread woke late
    starts += _starts(limiter, fake, 10)
    assert _span_of(starts, 11) >= 1.04 - 1e-9
    assert starts[-1] - starts[0] < 2 * 1.04 + 0.3  # the lost 0.3 s was partly made up


def test_limiter_follows_advertised_limits_and_pauses() -> None:
    fake = _FakeTime()
    limiter = HostLimiter(Limits(rate=3, concurrency=1, per_minute=5), fake.clock, fake.sleep)
    limiter.adapt(
        {"X-Rate-Limit-Limit": "50", "X-Rate-Limit-Interval": "1s", "X-Concurrency-Limit": "4"}
    )
    assert limiter.limits == Limits(rate=50, concurrency=4, per_minute=None)
    limiter.tighten(Limits(rate=1, concurrency=1))  # ignored: the server has spoken
    assert limiter.limits.rate == 50
    limiter.pause(7)
    before = fake.now
    _starts(limiter, fake, 1)
    assert fake.now - before == pytest.approx(7)


def test_cancel_cuts_a_retry_wait_short(server, tmp_path) -> None:
    """Ctrl-C during a 30 s Retry-After: the request gives up at once, nothing more is sent."""
    server.handler = lambda r: Response("busy", status=503, headers={"Retry-After": "30"})
    errors: list[SourceError] = []
    client = _client(tmp_path)

    def fetch() -> None:
        try:
            _get(client, server.url("/x"))
        except SourceError as exc:
            errors.append(exc)

    worker = threading.Thread(target=fetch)
    worker.start()
    while not server.paths:
        time.sleep(0.01)
    client.cancel()
    worker.join(timeout=10)
    client.close()
    assert not worker.is_alive()
    assert "the run was interrupted" in errors[0].message and len(server.paths) == 1


@pytest.mark.parametrize(
    ("name", "rate", "concurrency"),
    [
        ("works_10.1016_j.neurobiolaging.2010.03.024", 10.0, 3),  # 2026 polite pool
        ("works_10.1371_journal.pone.0033693", 5.0, 1),  # 2026 public pool
        ("works_404_10.1371_notarealdoi", 5.0, 1),
        ("habanero_c237079_works_one_id", 50.0, None),  # 2023: both spellings
        ("habanero_d385ae3_works_one_id", 50.0, None),  # 2025: x-ratelimit-* only
        ("works_10.1515_crelle-2013-0024", 50.0, None),  # 2022, single values
    ],
)
def test_recorded_crossref_headers(name: str, rate: float, concurrency: int | None) -> None:
    recorded = json.loads(
        shared_path("fixtures", "crossref", "headers", f"{name}.headers.json").read_text()
    )["headers"]
    headers = {k: v[0] if isinstance(v, list) else v for k, v in recorded.items()}
    advertised = advertised_limits(headers)
    assert (advertised.rate, advertised.concurrency, advertised.wait) == (rate, concurrency, None)


def test_a_429_despite_pacing_slows_the_host_and_waits_a_window() -> None:
    """Pinned anew for issue 15: a 429 lowers the rate for the run (80 %, which headers do
    not lift) and widens the margin, and nothing starts until a whole window has passed."""
    fake = _FakeTime()
    limiter = HostLimiter(Limits(rate=10, concurrency=1), fake.clock, fake.sleep)
    before = _starts(limiter, fake, 11)
    refused_at = fake.now
    limiter.throttled()
    limiter.adapt({"x-rate-limit-limit": "10", "x-rate-limit-interval": "1s"})
    after = _starts(limiter, fake, 9)
    assert _span_of(before, 11) == pytest.approx(1.05)  # 1 s + the 50 ms slack
    assert after[0] - refused_at >= 1.0  # the retry is not sent into the refused window
    assert _span_of(after, 9) >= 1.04 * 1.1 - 1e-9  # 8 a window now, never 9
    assert limiter.limits.rate == 8


def test_a_start_exactly_one_window_later_is_never_a_fourth_in_the_servers_second() -> None:
    """The server stamps arrivals up to 40 ms after our start and counts a closed window
    (a request exactly 1.0 s after the first of three is still in its second)."""
    import random

    fake = _FakeTime()
    rng = random.Random(15)
    limiter = HostLimiter(Limits(rate=3, concurrency=3), fake.clock, fake.sleep)
    arrivals = []
    for _ in range(60):
        limiter.acquire()
        arrivals.append(fake.now + rng.uniform(0, 0.04))
        limiter.release()
    arrivals.sort()
    assert all(b - a > 1.0 for a, b in zip(arrivals, arrivals[3:], strict=False))


def test_a_lane_keeps_its_own_lower_limit_inside_the_hosts() -> None:
    """Crossref's list queries (3/s) share the host's 10/s with single-work requests."""
    fake = _FakeTime()
    limiter = HostLimiter(Limits(rate=10, concurrency=3), fake.clock, fake.sleep)
    limiter.add_lane("list", Limits(rate=3, concurrency=3))
    lists, singles = [], []
    for i in range(24):
        lane = "list" if i % 2 else None
        limiter.acquire(lane)
        (lists if lane else singles).append(fake.now)
        limiter.release()
    assert _span_of(lists, 4) >= 1.05 - 1e-9  # never 4 list queries in a second
    assert _span_of(sorted(lists + singles), 11) >= 1.05 - 1e-9
    limiter.adapt({"x-rate-limit-limit": "50", "x-rate-limit-interval": "1s"})
    more = []
    for _ in range(8):
        limiter.acquire("list")
        more.append(fake.now)
        limiter.release()
    assert _span_of(more, 4) >= 1.05 - 1e-9  # the header lifts the host, not the lane


def test_a_refused_host_fails_at_once_and_is_not_asked_again(tmp_path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    patient = HttpSettings(connect_timeout=1, read_timeout=1, attempts=5, backoff=1)
    with _client(tmp_path, settings=patient) as client:
        started = time.monotonic()
        with pytest.raises(Unreachable, match="connection refused") as first:
            _get(client, f"http://127.0.0.1:{port}/a")
        with pytest.raises(Unreachable, match="not asked, connection refused earlier"):
            _get(client, f"http://127.0.0.1:{port}/b")
        assert time.monotonic() - started < 0.5  # no backoff, no second attempt
        assert client.network_requests == 1
    assert "--offline" in (first.value.fix or "")


def test_a_start_is_counted_from_when_its_request_was_written() -> None:
    """The thread that got the first start wrote its request 0.3 s later (a busy machine):
    the server stamps it then, so the fourth start in PubMed's 3/s waits for a window from
    the write, not from the counted start."""
    fake = _FakeTime()
    limiter = HostLimiter(Limits(rate=3, concurrency=3), fake.clock, fake.sleep)
    first = limiter.acquire()
    fake.now += 0.3
    limiter.sent(first)
    written = fake.now
    limiter.release()
    later = _starts(limiter, fake, 3)
    assert later[-1] - written >= 1.0  # the fourth start is a window after the first's write
    assert later[0] - first < 1.0  # the second and third did not wait for it
