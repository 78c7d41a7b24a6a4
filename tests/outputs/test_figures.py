"""Figures as a reader meets them: traffic lights in pages that print legibly, only the domains
a corpus judged, every judgement word with its own colour and symbol, and the tool's version
stamped in each file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.models import Appraisal
from appraise.outputs.figures import (
    A4_HEIGHT,
    A4_WIDTH,
    MIN_ROW_HEIGHT,
    FigureSize,
    draw_traffic_light,
    traffic_light_layout,
)
from appraise.outputs.matrix import (
    DomainColumn,
    Matrix,
    Scale,
    StudyRow,
    build_matrix,
    study_selection,
)
from appraise.outputs.robvis import import_robvis, parse_robvis
from appraise.rubrics import load_rubric

WORDS = ["Low", "Some concerns", "High"]


def _robvis_corpus(root: Path, studies: int, rubric: str = "rob2") -> Corpus:
    """``studies`` rows of a robvis CSV imported into a corpus (judgements cycled, no Overall:
    the rubric's rule supplies it)."""
    rub = load_rubric(rubric)
    header = "Study," + ",".join(f"D{i}" for i in range(1, 6)) + ",Overall"
    lines = [header]
    for index in range(studies):
        domains = [WORDS[(index + d) % 3] for d in range(5)]
        overall = "High" if "High" in domains else "Some concerns"
        lines.append(
            f"Trialist {index:03d} 20{index % 25:02d}," + ",".join(domains) + f",{overall}"
        )
    corpus = Corpus(root)
    parsed = parse_robvis("\n".join(lines) + "\n", rub, source="test.csv")
    import_robvis(corpus, parsed, rub, source="test.csv")
    return corpus


def _matrix(studies: int) -> Matrix:
    """A RoB 2 matrix of ``studies`` rows built in memory (as the Metapsy depression database's
    480 studies would be), named as long as real 'Author et al. Year' labels."""
    rubric = load_rubric("rob2")
    domains = [DomainColumn(d.id, d.name, d.short or d.name) for d in rubric.domains_for()]
    rows = []
    for index in range(studies):
        words = {d.id: WORDS[(index + i) % 3] for i, d in enumerate(domains)}
        appraisal = Appraisal(
            study=f"ref:{index}", rubric="rob2", rubric_version=rubric.version, reviewer="r"
        )
        name = f"Trialist-Someone {index:03d} et al. 20{index % 25:02d}"
        rows.append(StudyRow(f"ref:{index}", name, None, appraisal, dict(words), "High"))
    return Matrix(rubric, "cochrane", domains, rows, Scale(rubric))


def test_480_studies_give_a4_pages_with_legible_rows(tmp_path: Path) -> None:
    matrix = _matrix(480)
    layout = traffic_light_layout(matrix)
    # Every study is on exactly one page, in order, and rows stay legible in print.
    assert [i for page in layout.pages for i in page] == list(range(480))
    assert len(layout.pages) > 1 and layout.row_height >= MIN_ROW_HEIGHT
    assert layout.width <= A4_WIDTH and max(layout.heights) <= A4_HEIGHT
    # The PDF is one file with a page per layout page, each within A4.
    pdf = draw_traffic_light(matrix, tmp_path / "tl.pdf")
    assert pdf == [tmp_path / "tl.pdf"]
    with pdfplumber.open(pdf[0]) as document:
        assert len(document.pages) == len(layout.pages)
        for page in document.pages:  # in points
            assert page.width / 72 <= A4_WIDTH and page.height / 72 <= A4_HEIGHT


def test_size_options_are_kept_or_refused_when_illegible() -> None:
    matrix = _matrix(480)
    layout = traffic_light_layout(matrix, FigureSize(rows_per_page=50, height=11.0))
    assert layout.rows_per_page == 50 and len(layout.pages) == 10
    assert set(layout.heights) == {11.0} and layout.row_height >= MIN_ROW_HEIGHT
    bigger = traffic_light_layout(matrix, FigureSize(label_size=14))
    assert bigger.rows_per_page < traffic_light_layout(matrix).rows_per_page
    with pytest.raises(InputError, match="illegible in print"):
        traffic_light_layout(matrix, FigureSize(rows_per_page=200, height=11.69))
    with pytest.raises(InputError, match="cannot hold the study labels"):
        traffic_light_layout(matrix, FigureSize(width=2.0))
    with pytest.raises(InputError, match="label size"):
        traffic_light_layout(matrix, FigureSize(label_size=1))


def test_a_few_studies_stay_one_file(tmp_path: Path) -> None:
    matrix = build_matrix(_robvis_corpus(tmp_path / "c", 6))
    written = draw_traffic_light(matrix, tmp_path / "tl.png")
    assert written == [tmp_path / "tl.png"] and not list(tmp_path.glob("tl-p*"))
    height = Image.open(written[0]).size[1] / 200
    assert height < 0.25 * 6 + 2.5  # sized to its rows, not to a page


def test_cli_pages_and_refuses_illegible_sizes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _robvis_corpus(tmp_path / "c", 45)
    args = ["plot", "--corpus", str(corpus.root), "-o", str(tmp_path / "tl.png")]
    assert main([*args, "--rows-per-page", "20", "--height", "8"]) == 0
    pages = sorted(tmp_path.glob("tl-p*.png"))
    assert [p.name for p in pages] == ["tl-p1.png", "tl-p2.png", "tl-p3.png"]
    assert "3 files" in capsys.readouterr().err
    for page in pages:  # 200 dpi, the height asked for, within A4's width
        width, height = Image.open(page).size
        assert width / 200 <= A4_WIDTH and abs(height / 200 - 8) < 0.01
    assert main([*args, "--rows-per-page", "100", "--height", "11.69"]) == 2
    assert "illegible in print" in capsys.readouterr().err


COMMA_CSV = """Study,D1,D2,D3,D4,D5,Overall
"Aagaard, 2017",Low,Low,Low,Low,Low,Low
"Bryant, 2008",High,Low,Low,Low,Low,High
"Cloitre, 2010",Low,Some concerns,Low,Low,Low,Some concerns
"""


@pytest.fixture
def comma_corpus(tmp_path: Path) -> Corpus:
    rub = load_rubric("rob2")
    corpus = Corpus(tmp_path / "commas")
    import_robvis(corpus, parse_robvis(COMMA_CSV, rub, source="x.csv"), rub, source="x.csv")
    return corpus


def test_studies_with_commas_are_chosen_whole_by_option_or_file(
    comma_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "studies.txt"
    listing.write_text("# the two we pooled\nCloitre, 2010\n\nAagaard, 2017\n", encoding="utf-8")
    picked = build_matrix(comma_corpus, studies=study_selection([str(listing)]))
    assert [r.name for r in picked.rows] == ["Cloitre, 2010", "Aagaard, 2017"]
    args = ["table", "--corpus", str(comma_corpus.root), "--format", "csv"]
    assert main([*args, "--studies", "Bryant, 2008", "--studies", "Aagaard, 2017"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["Study"] for row in rows] == ["Bryant, 2008", "Aagaard, 2017"]
    assert main([*args, "--studies", str(listing)]) == 0
    assert "Cloitre, 2010" in capsys.readouterr().out
    assert main([*args, "--studies", "Nobody, 1999"]) == 2
    assert "no appraised study 'Nobody, 1999'" in capsys.readouterr().err


def test_comma_separated_ids_still_select_each(rob2_corpus: Corpus) -> None:
    matrix = build_matrix(rob2_corpus, studies=study_selection(["okafor 2015,pmid:123456"]))
    assert [r.study for r in matrix.rows] == ["10.1000/beta", "pmid:123456"]
