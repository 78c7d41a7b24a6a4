"""Claims that cite each other (a cycle of two, a claim citing itself): every command that
reads claims finishes, and trace shows the claim reached again once, as 'expanded elsewhere'."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from appraise.cli.main import main
from tests.conftest import ROOT

CYCLE = """
claims:
- id: a
  text: Claim A rests on B and on one trial.
  made_in: {source: a guideline}
  cites:
  - target: claim:b
    kind: supports
  - target: 10.1111/bjc.12259
    kind: supports
- id: b
  text: Claim B rests on A.
  made_in: {source: a guideline}
  cites:
  - target: claim:a
    kind: supports
- id: self
  text: A claim citing itself.
  made_in: {source: a guideline}
  cites:
  - target: claim:self
    kind: supports
  - target: 10.1111/bjc.12259
    kind: weakens
"""


@pytest.fixture
def cyclic(tmp_path: Path) -> Path:
    root = tmp_path / "iapt"
    shutil.copytree(ROOT / "corpus" / "iapt", root)
    (root / "claims.yaml").write_text(textwrap.dedent(CYCLE))
    return root


def test_trace_of_two_claims_citing_each_other(
    cyclic: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", "a", "-c", str(cyclic)]) == 0
    out = capsys.readouterr().out
    assert "claim b" in out and "claim a (expanded elsewhere)" in out
    assert main(["trace", "b", "--json", "-c", str(cyclic)]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["supporting_studies"] == 1 and summary["cycles_condensed"] == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["trace", "self"],
        ["claims"],
        ["claims", "--json"],
        ["check"],
        ["graph", "export", "--format", "graphml", "-o", "{tmp}/g.graphml"],
        ["graph", "draw", "a", "-o", "{tmp}/a.png"],
    ],
)
def test_every_claims_command_finishes_on_a_cycle(
    cyclic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    argv = [part.replace("{tmp}", str(tmp_path)) for part in argv]
    assert main([*argv, "-c", str(cyclic)]) == 0, capsys.readouterr().err
    assert "internal error" not in capsys.readouterr().err


def test_report_over_a_cyclic_corpus(
    cyclic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(cyclic), "--out", str(tmp_path / "report")]) == 0
    assert (tmp_path / "report" / "index.html").is_file()
