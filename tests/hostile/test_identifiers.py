"""Identifiers are checked before any request: a control character or a dot segment (plain
or percent-encoded) is refused with one line and exit 2, and no server hears of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from appraise.cli.main import main
from appraise.errors import InputError
from appraise.ids import parse_identifier
from appraise.sources.http import path_segment

HOSTILE = [
    "10.1111/bjc\x00.12259",
    "10.1111/bjc\x01.12259",
    "10.1111/bjc.12259\r\nX-Injected: 1",
    "10.1111/bjc\u200b.12259",
    "10.1111/../../works",
    "10.1111/./bjc.12259",
    "10.1111/%2E%2E/works",
    "10.1111/%2e%2e/%2e%2e/works",
    "10.1111/%252E%252E/works",
    "doi:10.1111/..",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_unsafe_identifier_is_refused(raw: str) -> None:
    with pytest.raises(InputError, match="control character|path segment"):
        parse_identifier(raw)


def test_ordinary_dois_with_dots_and_a_bom_still_parse() -> None:
    assert parse_identifier("10.1000/a..b").value == "10.1000/a..b"
    assert parse_identifier("\ufeff10.1111/BJC.12259").value == "10.1111/bjc.12259"
    assert parse_identifier("https://doi.org/10.1111%2Fbjc.12259").value == "10.1111/bjc.12259"
    # one spelling, one URL path, so one cache key
    assert path_segment(parse_identifier("10.1111%2FBJC.12259").value) == "10.1111/bjc.12259"


@pytest.mark.parametrize("raw", HOSTILE)
def test_fetch_sends_nothing_for_an_unsafe_identifier(
    raw: str,
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("CROSSREF", "OPENALEX", "EUROPEPMC", "PUBMED"):
        monkeypatch.setenv(f"APPRAISE_{name}_URL", httpserver.url_for(f"/{name.lower()}"))
    assert main(["fetch", raw, "-c", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("appraise: error:")
    assert "\x00" not in err[0] and "\r" not in err[0]
    assert httpserver.log == []


def test_bom_in_a_from_file_keeps_its_first_identifier(tmp_path: Path) -> None:
    from appraise.sources.reflist import read_reference_list

    listing = tmp_path / "ids.txt"
    listing.write_bytes("\ufeff10.1111/bjc.12259\npmid:123\n".encode())
    ids = read_reference_list(listing).identifiers
    assert [parse_identifier(i).value for i in ids] == ["10.1111/bjc.12259", "123"]
