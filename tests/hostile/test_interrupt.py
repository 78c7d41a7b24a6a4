"""Ctrl-C during a fetch: one line, exit 130, at once (not after the requests in flight time
out), and the corpus keeps everything saved before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import ROOT


class _Stalling(BaseHTTPRequestHandler):
    asked = threading.Event()
    release = threading.Event()

    def do_GET(self) -> None:
        type(self).asked.set()
        type(self).release.wait(60)  # a server that never answers in time
        self.send_response(503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stalling() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stalling)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    _Stalling.release.set()
    server.shutdown()


def test_ctrl_c_during_fetch_is_one_line_and_exit_130(stalling: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "APPRAISE_CACHE_DIR": str(tmp_path / "cache")}
    for name in ("CROSSREF", "OPENALEX", "EUROPEPMC", "PUBMED"):
        env[f"APPRAISE_{name}_URL"] = f"{stalling}/{name.lower()}"
    corpus = tmp_path / "corpus"
    argv = ["fetch", "10.1111/bjc.12259", "10.1002/cpp.2446", "-c", str(corpus)]
    run = subprocess.Popen(
        [sys.executable, "-m", "appraise", *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert _Stalling.asked.wait(30), "the fetch never reached the server"
    run.send_signal(signal.SIGINT)
    _out, err = run.communicate(timeout=30)  # the stalled requests would hold it for 60 s
    assert run.returncode == 130
    assert err.strip().splitlines() == [
        "appraise: interrupted; everything saved before now is kept"
    ]
