"""Names and titles from servers or other people's files can neither run as formulas in the
tables we write (OWASP CSV injection) nor drive the reader's terminal."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from appraise.cli.main import main
from appraise.outputs.cells import from_spreadsheet_text, spreadsheet_text, terminal_text
from tests.conftest import ROOT

FORMULA = '=HYPERLINK("http://evil.example","click")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"
TITLE = "Evil \x1b[2J\x1b]0;pwned\x07\x1b[31mred [bold]x[/bold] \x9b31m\x00end"
STUDY = "10.1111/bjc.12259"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    root = tmp_path / "iapt"
    shutil.copytree(ROOT / "corpus" / "iapt", root)
    path = root / "records" / "10.1111_bjc.12259.yaml"
    data = yaml.safe_load(path.read_text())
    data["title"] = TITLE
    data["authors"] = [{"family": FORMULA}, {"family": DDE}]
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return root


def _controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-1.5", "-1.5"),  # a number stays a number
        ("Smith 2019", "Smith 2019"),
        (30.0, 30.0),
    ],
)
def test_spreadsheet_text(value: object, written: object) -> None:
    assert spreadsheet_text(value) == written
    if isinstance(written, str):
        assert from_spreadsheet_text(written) == value


def test_terminal_text_keeps_words_and_newlines() -> None:
    assert terminal_text(TITLE) == "Evil red [bold]x[/bold] end"
    assert terminal_text("a\nb\tc") == "a\nb\tc"


@pytest.mark.parametrize("fmt", ["csv", "robvis"])
def test_csv_cells_never_start_a_formula(
    hostile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    assert main(["table", "-c", str(hostile), "--format", fmt]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    cells = [cell for row in rows for cell in row]
    assert any(FORMULA in cell for cell in cells)
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_detail_csv_and_xlsx_cells_are_text(hostile: Path, tmp_path: Path) -> None:
    assert main(["table", "-c", str(hostile), "--detail", "-o", str(tmp_path / "d.csv")]) == 0
    cells = [c for row in csv.reader(io.StringIO((tmp_path / "d.csv").read_text())) for c in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    for detail in ([], ["--detail"]):
        out = tmp_path / "t.xlsx"
        assert main(["table", "-c", str(hostile), *detail, "-o", str(out)]) == 0
        with zipfile.ZipFile(out) as book:
            sheets = [book.read(n).decode() for n in book.namelist() if "worksheets/" in n]
        assert not any("<f>" in sheet for sheet in sheets)  # no formula anywhere
        assert any("HYPERLINK" in sheet for sheet in sheets) or detail  # shown as text


def test_robvis_round_trip_keeps_a_quoted_name(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "rob.csv"
    assert main(["table", "-c", str(hostile), "--format", "robvis", "-o", str(out)]) == 0
    other = tmp_path / "other"
    assert main(["import", "robvis", str(out), "--rubric", "psychotherapy", "-c", str(other)]) == 0
    names = [yaml.safe_load(p.read_text())["title"] for p in (other / "records").glob("*.yaml")]
    assert any(name.startswith("=HYPERLINK") for name in names)


@pytest.mark.parametrize(
    "argv",
    [
        ["show", STUDY],
        ["show", STUDY, "--json"],
        ["table"],
        ["claims"],
        ["trace", "licbt-depression"],
        ["export", "--format", "ris"],
        ["export", "--format", "bibtex"],
    ],
)
def test_terminal_output_holds_no_control_sequences(
    hostile: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main([*argv, "-c", str(hostile)]) == 0
    captured = capsys.readouterr()
    assert _controls(captured.out + captured.err) == []
    if argv[0] == "show":
        shown = json.loads(captured.out)["title"] if "--json" in argv else captured.out
        assert "Evil" in shown and "[bold]x[/bold]" in shown  # markup printed, not applied
