"""Every table format parses back with the reader its users have, and carries the words (and
symbols) as well as any colour."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.models import Appraisal, Judgement, StudyRecord
from appraise.outputs.matrix import Matrix, build_matrix
from appraise.outputs.tables import latex_escape
from appraise.outputs.writers import render_table


@pytest.fixture
def matrix(rob2_corpus: Corpus) -> Matrix:
    return build_matrix(rob2_corpus)


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._in_cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.rows[-1][-1] += data


def test_markdown_matrix_has_words_symbols_and_a_key(matrix: Matrix) -> None:
    text = str(render_table(matrix, "markdown"))
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("| Study"))
    assert header == "| Study | D1 | D2 | D3 | D4 | D5 | Overall | Weight |"
    table = [line for line in lines if line.startswith("| ")]
    assert len(table) == 1 + 1 + 4 and all(line.count(" | ") == 7 for line in table)
    assert "| Smith et al. 2019b | Low (+) | High (x) | Low (+) | Some concerns (-) |" in text
    assert "Domains: D1: Bias arising from the randomisation process;" in text
    assert "Judgements: + Low; - Some concerns; x High." in text


def test_markdown_detail_has_quotes_comments_and_override_reasons(matrix: Matrix) -> None:
    text = str(render_table(matrix, "markdown", detail=True))
    assert "### Smith et al. 2019a" in text
    assert "| Domain | Judgement | Support for judgement |" in text
    # The pipe in the comment is escaped so the row keeps three cells.
    assert "1.2: Sealed envelopes; opaque \\| sequential not stated" in text
    assert (
        "\u201cRandomisation used a computer-generated list & 50% blocks\\_of\\_4\u201d "
        "(Methods)" in text
    )
    assert "Judged High; the rules proposed Some concerns: Half the control arm switched" in text
    for line in text.splitlines():
        if line.startswith("| D1: Randomisation process | Low (+)"):
            assert line.replace("\\|", "").count(" | ") == 2


def test_latex_uses_booktabs_and_escapes_every_special(matrix: Matrix) -> None:
    text = str(render_table(matrix, "latex", detail=True))
    for rule in ("\\toprule", "\\midrule", "\\bottomrule"):
        assert rule in text
    assert "\\{no\\} \\$imbalance\\$ \\#1 \\textasciitilde{}ok\\textasciicircum{}" in text
    assert "\\& 50\\% blocks\\_of\\_4" in text
    assert "opaque \\textbar{} sequential" in text
    assert "\\begin{longtable}" in text
    assert latex_escape("a\\b") == "a\\textbackslash{}b"
    short = str(render_table(matrix, "latex"))
    assert "\\begin{tabular}{lccccccc}" in short and "longtable}" not in short.split("\n", 2)[2]
    assert "Garc\u00eda \\& M\u00fcller 2021 & Low (+)" in short


def _long_matrix(corpus: Corpus, n: int) -> Matrix:
    for i in range(n):
        study = f"ref:s{i:03d}"
        corpus.write_record(StudyRecord(id=study, title=f"S_{i}"))
        corpus.write_appraisal(
            Appraisal(
                study=study,
                rubric="rob2",
                rubric_version="1",
                reviewer="r",
                domains={f"D{d}": Judgement(judgement="Low") for d in range(1, 6)},
                overall=Judgement(judgement="Low"),
            )
        )
    return build_matrix(corpus)


def test_long_latex_tables_use_longtable_with_repeated_header(corpus: Corpus) -> None:
    text = str(render_table(_long_matrix(corpus, 40), "latex"))
    assert "\\begin{longtable}{lcccccc}" in text
    assert text.count("Study & D1 & D2 & D3 & D4 & D5 & Overall \\\\") == 2
    assert "\\endfirsthead" in text and "\\endhead" in text and "S\\_39" in text


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="no TeX engine (pdflatex) installed")
def test_latex_compiles(matrix: Matrix, tmp_path: Path) -> None:
    body = str(render_table(matrix, "latex", detail=True))
    doc = (
        "\\documentclass{article}\\usepackage{booktabs}\\usepackage{longtable}"
        f"\\begin{{document}}\n{body}\n\\end{{document}}\n"
    )
    (tmp_path / "t.tex").write_text(doc, encoding="utf-8")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:]


def test_csv_and_json_parse_back(matrix: Matrix) -> None:
    rows = list(csv.DictReader(io.StringIO(str(render_table(matrix, "csv")))))
    assert rows[2] == {
        "Study": "Smith et al. 2019b",
        "Study ID": "10.1000/gamma",
        "D1": "Low",
        "D2": "High",
        "D3": "Low",
        "D4": "Some concerns",
        "D5": "Low",
        "Overall": "High",
        "Weight": "50",
    }
    detail = list(csv.DictReader(io.StringIO(str(render_table(matrix, "csv", detail=True)))))
    assert len(detail) == 4 * 6
    assert "Sealed envelopes" in detail[0]["Support for judgement"]
    data = json.loads(str(render_table(matrix, "json", detail=True)))
    assert data["rubric"]["id"] == "rob2"
    assert data["studies"][0]["name"] == "Smith et al. 2019a"
    assert data["studies"][2]["domains"]["D2"] == "High"
    assert data["studies"][2]["support"]["D2"]["support"][0].startswith("Judged High")


def test_html_table_has_colour_and_words(matrix: Matrix) -> None:
    text = str(render_table(matrix, "html"))
    assert text.startswith("<!DOCTYPE html>")
    parser = _Cells()
    parser.feed(text)
    assert parser.rows[0] == ["Study", "D1", "D2", "D3", "D4", "D5", "Overall", "Weight"]
    assert parser.rows[3][:3] == ["Smith et al. 2019b", "Low (+)", "High (x)"]
    assert "background:#BF0000;color:white" in text
    assert "<script" not in text and "http" not in text


def test_docx_holds_a_real_shaded_table(matrix: Matrix, tmp_path: Path) -> None:
    import docx

    path = tmp_path / "t.docx"
    path.write_bytes(bytes(render_table(matrix, "docx")))
    document = docx.Document(str(path))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "Study",
        "D1",
        "D2",
        "D3",
        "D4",
        "D5",
        "Overall",
        "Weight",
    ]
    assert [c.text for c in table.rows[3].cells][:3] == [
        "Smith et al. 2019b",
        "Low (+)",
        "High (x)",
    ]
    assert 'w:fill="BF0000"' in table.rows[3].cells[2]._tc.xml
    detail = docx.Document(io.BytesIO(bytes(render_table(matrix, "docx", detail=True))))
    rows = [[c.text for c in r.cells] for r in detail.tables[0].rows]
    assert rows[0] == ["Domain", "Judgement", "Support for judgement"]
    assert rows[1] == ["Smith et al. 2019a", "", ""]  # a shaded row names each study
    assert len(rows) == 1 + 4 * 7
    gamma = rows.index(["Smith et al. 2019b", "", ""])
    assert rows[gamma + 2][:2] == ["D2: Deviations from intended interventions", "High (x)"]
    assert "Half the control arm" in rows[gamma + 2][2]


def test_xlsx_has_fills_and_words(matrix: Matrix) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(bytes(render_table(matrix, "xlsx"))))
    sheet = workbook["Risk of bias"]
    assert [c.value for c in sheet[1]] == [
        "Study",
        "D1",
        "D2",
        "D3",
        "D4",
        "D5",
        "Overall",
        "Weight",
    ]
    row = [c.value for c in sheet[4]]
    assert row == [
        "Smith et al. 2019b",
        "Low (+)",
        "High (x)",
        "Low (+)",
        "Some concerns (-)",
        "Low (+)",
        "High (x)",
        50,
    ]
    assert sheet["C4"].fill.start_color.rgb.endswith("BF0000")
    assert workbook["Key"]["A1"].value == "Domain"
    blind = openpyxl.load_workbook(
        io.BytesIO(bytes(render_table(matrix, "xlsx", palette="colourblind")))
    )
    assert blind["Risk of bias"]["B2"].fill.start_color.rgb.endswith("FED98E")


def test_office_files_are_reproducible(matrix: Matrix) -> None:
    for fmt in ("docx", "xlsx"):
        assert render_table(matrix, fmt) == render_table(matrix, fmt)


def test_cli_table_format_from_extension_and_stdout(
    rob2_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(rob2_corpus.root)
    assert main(["table", "--corpus", root, "--order", "year"]) == 0
    out = capsys.readouterr().out
    assert out.index("Okafor 2015") < out.index("Smith et al. 2019a")
    for ext in ("md", "tex", "csv", "html", "docx", "xlsx", "json"):
        target = tmp_path / f"t.{ext}"
        assert main(["table", "--corpus", root, "-o", str(target)]) == 0
        assert target.stat().st_size > 100
    assert main(["table", "--corpus", root, "--format", "docx"]) == 2
    assert "cannot go to the terminal" in capsys.readouterr().err
    assert main(["table", "--corpus", root, "-o", str(tmp_path / "t.pages")]) == 2
    assert "cannot tell the table format" in capsys.readouterr().err
    assert (
        main(
            ["table", "--corpus", root, "--studies", "10.1000/gamma,Okafor 2015", "--format", "csv"]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["Smith et al. 2019b", "Okafor 2015"]
