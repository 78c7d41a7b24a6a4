"""A local server that holds nothing: every request is a 404, at once.

The fetch benchmark points OpenAlex, Europe PMC and PubMed at it so that the batch's pace is
set by the Crossref stand-in alone. It advertises generous limits, which appraise's HTTP layer
adopts, so these quick "not found" answers add no waiting of their own.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class NotHereServer:
    def __init__(self, max_seconds: float = 900.0) -> None:
        self.requests = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._deadline = threading.Timer(max_seconds, self._server.shutdown)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> NotHereServer:
        self._thread.start()
        self._deadline.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._deadline.cancel()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One segment per response: headers and body written apart would stall each
            # response on the peer's delayed ACK (~40 ms), a cost no real API has.
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                with server._lock:
                    server.requests += 1
                body = b"Resource not found."
                self.send_response(404)
                self.send_header("content-type", "text/plain")
                self.send_header("x-rate-limit-limit", "1000")
                self.send_header("x-rate-limit-interval", "1s")
                self.send_header("x-concurrency-limit", "50")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        return Handler
