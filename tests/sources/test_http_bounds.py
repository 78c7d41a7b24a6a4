"""Bounds on what a server can make the HTTP layer do: body size after decompression, wall time
per request (a server trickling its answer), per source call, advertised waits, a bad 200 body
never cached, a damaged cache, and settings from the environment. Local servers only."""

from __future__ import annotations

import gzip
import json
import shutil
import socket
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from werkzeug import Response

from appraise.errors import InputError, SourceError
from appraise.sources import crossref
from appraise.sources.http import (
    MAX_ADVERTISED_SPACING,
    MAX_ADVERTISED_WAIT,
    HttpClient,
    HttpSettings,
    Limits,
    Unreachable,
    advertised_limits,
)

LIMITS = Limits(rate=100, concurrency=4)
FAST = HttpSettings(
    connect_timeout=1,
    read_timeout=1,
    attempts=2,
    backoff=0.01,
    max_backoff=0.02,
    request_deadline=1.0,
    source_deadline=5.0,
)

Handler = Callable[[socket.socket], None]


class RawServer:
    """An HTTP server on 127.0.0.1 that writes whatever bytes, at whatever pace, a test says."""

    def __init__(self) -> None:
        self.handler: Handler = lambda conn: None
        self.requests = 0
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}{path}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)  # the request (small GETs arrive in one piece)
            self.requests += 1
            with suppress(OSError):  # the client hung up, as it should when it gives up
                self.handler(conn)

    def close(self) -> None:
        self._stop.set()
        self._sock.close()


@pytest.fixture
def raw() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.close()


def _headers(length: int | None = None, **extra: str) -> bytes:
    lines = ["HTTP/1.1 200 OK", "Content-Type: application/json", "Connection: close"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _client(tmp_path: Path, settings: HttpSettings = FAST) -> HttpClient:
    return HttpClient(cache_path=tmp_path / "cache.sqlite", settings=settings)


def _get(client: HttpClient, url: str) -> object:
    return client.get(url, source="Test API", limits=LIMITS, expect="json")


def _gzip_of_zeros(megabytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * 2**20
    return b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()


def test_a_gzip_bomb_is_refused_at_the_size_limit(raw: RawServer, tmp_path: Path) -> None:
    bomb = _gzip_of_zeros(256)  # 256 MB of zeros in about 250 kB
    assert len(bomb) < 2**20
    raw.handler = lambda conn: conn.sendall(_headers(len(bomb), Content_Encoding="gzip") + bomb)
    settings = HttpSettings(**{**FAST.__dict__, "max_body_bytes": 8 * 2**20})
    with _client(tmp_path, settings) as client, pytest.raises(SourceError) as raised:
        _get(client, raw.url("/bomb"))
    assert "sent more than 8 MB (after decompression)" in raised.value.message
    assert raw.requests == 1  # not retried: the same body would come again


def test_a_large_plain_body_is_refused_too(raw: RawServer, tmp_path: Path) -> None:
    body = b'{"x": "' + b"a" * (3 * 2**20) + b'"}'
    raw.handler = lambda conn: conn.sendall(_headers(len(body)) + body)
    settings = HttpSettings(**{**FAST.__dict__, "max_body_bytes": 2**20})
    with _client(tmp_path, settings) as client, pytest.raises(SourceError, match="more than 1 MB"):
        _get(client, raw.url("/big"))


def test_a_body_within_the_limit_is_read_and_decompressed(raw: RawServer, tmp_path: Path) -> None:
    body = gzip.compress(b'{"ok": true}')
    raw.handler = lambda conn: conn.sendall(_headers(len(body), Content_Encoding="gzip") + body)
    with _client(tmp_path) as client:
        assert _get(client, raw.url("/ok")).json() == {"ok": True}  # type: ignore[attr-defined]


def _trickle(conn: socket.socket, head: bytes, body: bytes, pause: float) -> None:
    conn.sendall(head)
    for byte in body:
        conn.sendall(bytes([byte]))
        time.sleep(pause)


def test_a_server_trickling_its_body_is_cut_off_at_the_deadline(
    raw: RawServer, tmp_path: Path
) -> None:
    body = b'{"ok": true, "padding": "' + b"x" * 200 + b'"}'
    # a byte every 0.2 s: never silent for the 1 s read timeout, yet 45 s for the whole body
    raw.handler = lambda conn: _trickle(conn, _headers(len(body)), body, 0.2)
    started = time.monotonic()
    with _client(tmp_path) as client, pytest.raises(SourceError) as raised:
        _get(client, raw.url("/slow"))
    elapsed = time.monotonic() - started
    assert "the answer took longer than 1s (sent too slowly)" in raised.value.message
    assert raw.requests == 2 and elapsed < 4


def test_a_server_trickling_its_headers_is_cut_off_too(raw: RawServer, tmp_path: Path) -> None:
    head = _headers(2) + b"{}"
    raw.handler = lambda conn: _trickle(conn, b"", head, 0.2)
    with _client(tmp_path) as client, pytest.raises(SourceError, match="took longer than 1s"):
        _get(client, raw.url("/slow-headers"))


def test_retry_after_beyond_the_cap_fails_at_once(server, tmp_path: Path) -> None:
    server.handler = lambda r: Response("busy", status=429, headers={"Retry-After": "999999"})
    started = time.monotonic()
    with _client(tmp_path) as client, pytest.raises(SourceError) as raised:
        _get(client, server.url("/x"))
    assert time.monotonic() - started < 2
    assert len(server.paths) == 1
    message = raised.value.message
    assert "asked to wait 999999s" in message and "more than the 120s appraise waits" in message
    assert "not retried" in message


def test_each_source_call_has_an_overall_deadline(server, tmp_path: Path) -> None:
    server.handler = lambda r: Response("down", status=503, headers={"Retry-After": "0.4"})
    settings = HttpSettings(**{**FAST.__dict__, "attempts": 20, "source_deadline": 1.0})
    started = time.monotonic()
    with _client(tmp_path, settings) as client, pytest.raises(SourceError) as raised:
        _get(client, server.url("/x"))
    assert time.monotonic() - started < 1.5
    assert "gave up after 1s in all" in raised.value.message
    assert len(server.paths) < 5


def test_a_host_rate_limiting_every_retry_is_not_asked_again_in_the_run(
    server, tmp_path: Path
) -> None:
    # A far X-RateLimit-Reset with no Retry-After: each call used to wait out its own retries,
    # so a batch took one source deadline per call (past 660 s for two DOIs).
    server.handler = lambda r: Response(
        "busy", status=429, headers={"X-RateLimit-Reset": "99999999999"}
    )
    with _client(tmp_path) as client:
        with pytest.raises(SourceError):
            _get(client, server.url("/first"))
        asked = len(server.paths)
        with pytest.raises(Unreachable) as raised:
            _get(client, server.url("/second"))
    assert asked == FAST.attempts and len(server.paths) == asked
    assert "still rate limited (429)" in raised.value.message


def test_advertised_waits_and_spacing_are_capped() -> None:
    # OpenAlex counts its reset to midnight; a day-long window must not stall a fetch either
    openalex = advertised_limits({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "80000"})
    assert openalex.wait == MAX_ADVERTISED_WAIT
    daily = advertised_limits({"x-rate-limit-limit": "1", "x-rate-limit-interval": "86400s"})
    assert daily.window == (1, MAX_ADVERTISED_SPACING)
    crossref_like = advertised_limits({"x-rate-limit-limit": "50", "x-rate-limit-interval": "1s"})
    assert crossref_like.window == (50, 1.0)  # ordinary limits are followed as sent
    huge = advertised_limits({"x-rate-limit-limit": "10000000", "x-rate-limit-interval": "1h"})
    assert huge.window is not None and huge.window[0] == 1000
    assert advertised_limits({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "inf"}).wait == (
        MAX_ADVERTISED_WAIT
    )


def test_json_nested_a_thousand_deep_is_refused_not_retried(server, tmp_path: Path) -> None:
    server.handler = lambda r: Response("[" * 1000 + "]" * 1000, content_type="application/json")
    with _client(tmp_path) as client, pytest.raises(SourceError, match="nested more than 100"):
        _get(client, server.url("/deep"))
    # counted by path: the server is shared, and once a stray request from elsewhere landed
    assert [p for p in server.paths if p.startswith("/deep")] == ["/deep?"]


@pytest.mark.parametrize(
    "body",
    [
        {"message": []},  # no work object
        {"message": {"DOI": "10.1/x", "title": [{"nested": "object"}], "volume": 12}},
        {"message": {"author": "not a list", "funder": [1, 2]}},
    ],
)
def test_a_200_body_the_parser_rejects_is_never_cached(
    server, tmp_path: Path, body: object
) -> None:
    server.handler = lambda r: Response(json.dumps(body), content_type="application/json")
    root = server.url("/crossref")
    for _ in range(2):
        with _client(tmp_path) as client, pytest.raises(SourceError, match="Crossref"):
            crossref.fetch(client, root, "10.1/x")
    assert len(server.paths) == 2  # asked again: the rejected body was not kept
    good = {"message": {"DOI": "10.1/x", "title": ["A trial"]}}
    server.handler = lambda r: Response(json.dumps(good), content_type="application/json")
    for _ in range(2):
        with _client(tmp_path) as client:
            _, fields = crossref.fetch(client, root, "10.1/x")
    assert fields["title"] == "A trial" and len(server.paths) == 3  # the good one was cached


def test_a_damaged_cache_is_one_clear_error(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    cache.write_bytes(b"this is not SQLite " * 100)
    with pytest.raises(InputError) as raised:
        HttpClient(cache_path=cache, settings=FAST)
    assert "the HTTP cache" in raised.value.message and "cannot be used" in raised.value.message
    assert "APPRAISE_CACHE_DIR" in str(raised.value)
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    with pytest.raises(InputError, match="cannot be used"):
        HttpClient(cache_path=blocked / "cache.sqlite", settings=FAST)


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr to make a file immutable")
def test_a_read_only_cache_is_refused_online_and_read_offline(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    HttpClient(cache_path=cache, settings=FAST).close()
    if subprocess.run(["chattr", "+i", str(cache)], capture_output=True).returncode != 0:
        pytest.skip("this file system does not support immutable files")
    try:
        with pytest.raises(InputError, match="cannot be used"):
            HttpClient(cache_path=cache, settings=FAST)
        HttpClient(cache_path=cache, settings=FAST, offline=True).close()
    finally:
        subprocess.run(["chattr", "-i", str(cache)], check=True)


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0", "1e999", "soon", "99999"])
def test_http_settings_from_the_environment_are_checked(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("APPRAISE_HTTP_TIMEOUT", value)
    with pytest.raises(InputError) as raised:
        HttpSettings.from_env()
    assert raised.value.message.startswith(f"APPRAISE_HTTP_TIMEOUT={value!r}")


def test_good_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRAISE_HTTP_TIMEOUT", " 12.5 ")
    monkeypatch.setenv("APPRAISE_HTTP_ATTEMPTS", "3")
    monkeypatch.setenv("APPRAISE_HTTP_MAX_MB", "16")
    settings = HttpSettings.from_env()
    assert (settings.read_timeout, settings.attempts, settings.max_body_bytes) == (
        12.5,
        3,
        16 * 2**20,
    )


def test_the_cli_turns_a_bad_timeout_into_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from appraise.cli.main import main

    monkeypatch.setenv("APPRAISE_HTTP_TIMEOUT", "inf")
    monkeypatch.setenv("APPRAISE_CACHE_DIR", str(tmp_path / "cache"))
    code = main(["fetch", "10.1000/xyz", "--corpus", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "APPRAISE_HTTP_TIMEOUT='inf'" in err
