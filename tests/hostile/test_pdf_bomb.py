"""A PDF whose Flate stream expands past the bound is refused with one line (exit 2), after
inflating no more than the bound, instead of taking gigabytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraise.cli.main import main
from appraise.documents.pdf import MAX_STREAM_BYTES, PdfTooLargeError, read_pdf
from tests.hostile.bombs import flate_bomb_pdf


def test_flate_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(flate_bomb_pdf(MAX_STREAM_BYTES // 2**20 + 32))
    assert path.stat().st_size < 1_000_000
    with pytest.raises(PdfTooLargeError, match="expands to more than 128 MB"):
        read_pdf(path)


def test_flate_bomb_through_propose_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(flate_bomb_pdf(MAX_STREAM_BYTES // 2**20 + 32))
    assert main(["propose", "--text", str(path), "--rubric", "rob2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "decompression bomb" in err[0]


def test_a_small_compressed_stream_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "small.pdf"
    path.write_bytes(flate_bomb_pdf(1))  # 1 MB of drawing: no text, but readable
    sections, problems = read_pdf(path)
    assert sections == [] and "no text layer" in problems[0]
