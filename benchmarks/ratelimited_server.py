"""A local stand-in for the Crossref REST API that enforces its limits, for the fetch benchmark.

Listens on 127.0.0.1 only. Answers ``GET /works/{doi}`` with a real Crossref work response
(the recorded one in ../shared/fixtures, read at start-up) with the DOI substituted, after a
fixed service latency, and sends Crossref's polite-pool headers. A request that would exceed
the advertised rate (``rate`` requests in any sliding window of one second) or the concurrency
cap gets 429 instead. It stops itself after ``max_requests`` requests or ``max_seconds``.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

TEMPLATE = Path("fixtures", "crossref", "works_10.1371_journal.pone.0033693.json")


@dataclass
class ServerStats:
    ok: int = 0
    rate_limited: int = 0
    not_found: int = 0
    max_in_flight: int = 0
    first_response: float | None = None
    limited_at: list[float] = field(default_factory=list)
    limited_by: Counter[str] = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return self.ok + self.rate_limited + self.not_found

    def limited_after_first_response(self) -> int:
        first = self.first_response
        return sum(1 for t in self.limited_at if first is not None and t > first)


class RateLimitedCrossref:
    """Use as a context manager; ``url`` is the base to give the client."""

    def __init__(
        self,
        shared: Path,
        *,
        rate: int = 10,
        concurrency: int = 3,
        latency: float = 0.25,
        max_requests: int = 20_000,
        max_seconds: float = 900.0,
    ) -> None:
        self.template: dict[str, Any] = json.loads((shared / TEMPLATE).read_text())
        self.rate = rate
        self.concurrency = concurrency
        self.latency = latency
        self.max_requests = max_requests
        self.max_seconds = max_seconds
        self.stats = ServerStats()
        self._lock = threading.Lock()
        self._starts: deque[float] = deque()
        self._in_flight = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._deadline = threading.Timer(max_seconds, self._server.shutdown)

    def reset_stats(self) -> ServerStats:
        """Start counting afresh (between the phases of one benchmark); returns the old counts."""
        with self._lock:
            old, self.stats = self.stats, ServerStats()
        return old

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> RateLimitedCrossref:
        self._thread.start()
        self._deadline.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._deadline.cancel()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def headers(self) -> dict[str, str]:
        return {
            "content-type": "application/json",
            "x-rate-limit-limit": str(self.rate),
            "x-rate-limit-interval": "1s",
            "x-concurrency-limit": str(self.concurrency),
            "x-api-pool": "polite",
        }

    def work(self, doi: str) -> bytes:
        body = copy.deepcopy(self.template)
        body["message"]["DOI"] = doi
        body["message"]["URL"] = f"https://doi.org/{doi}"
        return json.dumps(body).encode()

    def admit(self) -> bool:
        """Count this request in; False if it breaks the rate or the concurrency limit."""
        now = time.monotonic()
        with self._lock:
            while self._starts and now - self._starts[0] >= 1.0:
                self._starts.popleft()
            over_rate = len(self._starts) >= self.rate
            if over_rate or self._in_flight >= self.concurrency:
                self.stats.rate_limited += 1
                self.stats.limited_at.append(now)
                self.stats.limited_by["rate" if over_rate else "concurrency"] += 1
                return False
            self._starts.append(now)
            self._in_flight += 1
            self.stats.max_in_flight = max(self.stats.max_in_flight, self._in_flight)
            return True

    def done(self, found: bool) -> None:
        with self._lock:
            self._in_flight -= 1
            if found:
                self.stats.ok += 1
                if self.stats.first_response is None:
                    self.stats.first_response = time.monotonic()
            else:
                self.stats.not_found += 1
            if self.stats.requests >= self.max_requests:
                threading.Thread(target=self._server.shutdown, daemon=True).start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One segment per response: headers and body written apart would stall each
            # response on the peer's delayed ACK (~40 ms), a cost no real API has.
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                if not server.admit():
                    self._send(429, b'{"status":"error","message":"rate limit exceeded"}')
                    return
                time.sleep(server.latency)
                path = unquote(urlsplit(self.path).path)
                found = path.startswith("/works/10.")
                body = server.work(path.removeprefix("/works/")) if found else None
                # The slot is free once the answer is ready: a client that starts its next
                # request the moment this one arrives must not find it still taken.
                server.done(found)
                if body is not None:
                    self._send(200, body)
                else:
                    self._send(404, b"Resource not found.", "text/plain")

            def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                for name, value in {**server.headers(), "content-type": kind}.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the benchmark reports the counts."""

        return Handler
