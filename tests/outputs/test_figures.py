"""Figures as a reader meets them: traffic lights in pages that print legibly, only the domains
a corpus judged, every judgement word with its own colour and symbol, and the tool's version
stamped in each file."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.outputs.figures import (
    A4_HEIGHT,
    A4_WIDTH,
    MIN_ROW_HEIGHT,
    FigureSize,
    draw_traffic_light,
    traffic_light_layout,
)
from appraise.outputs.matrix import build_matrix
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


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return _robvis_corpus(tmp_path_factory.mktemp("big") / "c", 480)


def test_480_studies_give_a4_pages_with_legible_rows(big_corpus: Corpus, tmp_path: Path) -> None:
    matrix = build_matrix(big_corpus)
    layout = traffic_light_layout(matrix)
    assert sum(len(page) for page in layout.pages) == 480
    assert layout.row_height >= MIN_ROW_HEIGHT
    written = draw_traffic_light(matrix, tmp_path / "tl.png")
    assert len(written) == len(layout.pages) > 1
    assert written[0].name == "tl-p01.png"
    for path in written:
        width, height = Image.open(path).size  # 200 dpi
        assert width / 200 <= A4_WIDTH and height / 200 <= A4_HEIGHT
    # Every study is on exactly one page, in order.
    assert [i for page in layout.pages for i in page] == list(range(480))
    # The PDF is one file with a page per layout page.
    pdf = draw_traffic_light(matrix, tmp_path / "tl.pdf")
    assert pdf == [tmp_path / "tl.pdf"]
    with pdfplumber.open(pdf[0]) as document:
        assert len(document.pages) == len(layout.pages)
        for page in document.pages:  # in points
            assert page.width / 72 <= A4_WIDTH and page.height / 72 <= A4_HEIGHT


def test_size_options_are_kept_or_refused_when_illegible(big_corpus: Corpus) -> None:
    matrix = build_matrix(big_corpus)
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
    big_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["plot", "--corpus", str(big_corpus.root), "-o", str(tmp_path / "tl.png")]
    assert main([*args, "--rows-per-page", "100"]) == 0
    assert sorted(p.name for p in tmp_path.glob("tl-p*.png")) == [
        f"tl-p{i}.png" for i in range(1, 6)
    ]
    assert "5 files" in capsys.readouterr().err
    assert main([*args, "--rows-per-page", "100", "--height", "11.69"]) == 2
    assert "illegible in print" in capsys.readouterr().err
