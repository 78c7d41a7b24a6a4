"""A PDF whose streams expand past the bound, through any filter pdfminer decodes (Flate, LZW,
RunLength, ASCII85, ASCIIHex) alone or chained, is refused with one line (exit 2), after
decoding no more than the bound, instead of taking gigabytes; streams under the bound read."""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from appraise.cli.main import main
from appraise.documents.pdf import MAX_STREAM_BYTES, PdfTooLargeError, read_pdf
from tests.hostile.bombs import (
    ascii85_bomb_pdf,
    encoded_flate_bomb_pdf,
    flate_bomb_pdf,
    lzw_bomb_pdf,
    lzw_literal,
    pdf_with_stream,
    run_length_bomb_pdf,
    run_length_encoded,
    text_operators,
)

PAST = MAX_STREAM_BYTES // 2**20 + 32  # MB: past the bound

BOMBS: dict[str, Callable[[], bytes]] = {
    "Flate": lambda: flate_bomb_pdf(PAST),
    "LZW": lambda: lzw_bomb_pdf(PAST),
    "RunLength": lambda: run_length_bomb_pdf(PAST),
    "Flate then RunLength": lambda: run_length_bomb_pdf(PAST, deflate_first=True),
    "Flate then ASCII85": lambda: ascii85_bomb_pdf(PAST),
    "ASCII85 then Flate": lambda: encoded_flate_bomb_pdf(PAST, "ASCII85Decode"),
    "ASCIIHex then Flate": lambda: encoded_flate_bomb_pdf(PAST, "ASCIIHexDecode"),
}


@pytest.mark.parametrize("name", BOMBS)
def test_bombs_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(BOMBS[name]())
    assert path.stat().st_size < 4_000_000
    with pytest.raises(PdfTooLargeError, match="expands to more than 128 MB"):
        read_pdf(path)


@pytest.mark.parametrize("name", ["Flate", "LZW", "Flate then ASCII85"])
def test_a_bomb_through_propose_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(BOMBS[name]())
    assert main(["propose", "--text", str(path), "--rubric", "rob2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "decompression bomb" in err[0]


def test_a_small_compressed_stream_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "small.pdf"
    path.write_bytes(flate_bomb_pdf(1))  # 1 MB of drawing: no text, but readable
    sections, problems = read_pdf(path)
    assert sections == [] and "no text layer" in problems[0]


TEXT = text_operators("Participants were randomised by a computer-generated list.")
ENCODED: dict[str, tuple[bytes, list[str]]] = {
    "LZW": (lzw_literal(TEXT), ["LZWDecode"]),
    "RunLength": (run_length_encoded(TEXT), ["RunLengthDecode"]),
    "Flate then RunLength": (
        zlib.compress(run_length_encoded(TEXT)),
        ["FlateDecode", "RunLengthDecode"],
    ),
    "ASCII85": (base64.a85encode(TEXT) + b"~>", ["ASCII85Decode"]),
    "ASCIIHex": (binascii.hexlify(TEXT) + b">", ["ASCIIHexDecode"]),
    "ASCII85 then Flate": (
        base64.a85encode(zlib.compress(TEXT)) + b"~>",
        ["ASCII85Decode", "FlateDecode"],
    ),
}


@pytest.mark.parametrize("name", ENCODED)
def test_text_under_every_filter_still_reads(tmp_path: Path, name: str) -> None:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf_with_stream(*ENCODED[name]))
    sections, problems = read_pdf(path)
    text = " ".join(body for _, _, body in sections)
    assert "randomised by a computer-generated list" in text and problems == []
