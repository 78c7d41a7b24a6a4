"""table, plot and report refuse a corpus that `check` rejects (exit 2, file:line as check
says it) unless told --allow-invalid: a judgement 'Lowish' or an answer 'Maybe' is never
published by accident."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from appraise.cli.main import main
from tests.conftest import ROOT


@pytest.fixture
def invalid(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "iapt"
    shutil.copytree(ROOT / "corpus" / "iapt", root)
    path = next((root / "appraisals").rglob("*.yaml"))
    text = path.read_text()
    changed = re.sub(r"judgement: (Low|High|Some concerns)\n", "judgement: Lowish\n", text, count=1)
    assert changed != text
    path.write_text(changed)
    return root, path


@pytest.mark.parametrize(
    "argv",
    [
        ["table", "-c", "{root}"],
        ["plot", "-o", "{tmp}/tl.png", "-c", "{root}"],
        ["report", "{root}", "--out", "{tmp}/report"],
    ],
)
def test_publishing_an_invalid_corpus_is_refused_then_allowed(
    invalid: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    root, bad = invalid
    argv = [a.replace("{root}", str(root)).replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(["check", "-c", str(root)]) == 1
    checked = capsys.readouterr().out
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--allow-invalid" in err[0]
    where = re.search(rf"{re.escape(str(bad))}:\d+", err[0])
    assert where and where.group(0) in checked  # the same file:line as check
    assert not (tmp_path / "report").exists() and not (tmp_path / "tl.png").exists()
    assert main([*argv, "--allow-invalid"]) == 0


def test_a_valid_corpus_is_published_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["table", "-c", str(ROOT / "corpus" / "iapt")]) == 0
    assert "|" in capsys.readouterr().out
