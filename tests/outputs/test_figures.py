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
from appraise.graph.style import judgement_style
from appraise.models import Appraisal, Judgement, ResultAssessed
from appraise.outputs.figures import (
    A4_HEIGHT,
    A4_WIDTH,
    MIN_ROW_HEIGHT,
    FigureSize,
    draw_summary,
    draw_traffic_light,
    summary_data,
    traffic_light_data,
    traffic_light_layout,
)
from appraise.outputs.forest import draw_forest, forest_data
from appraise.outputs.matrix import (
    DomainColumn,
    Matrix,
    Scale,
    StudyRow,
    build_matrix,
    study_selection,
)
from appraise.outputs.palette import check_palette
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
    assert main([*args, "--kind", "summary", "--label-size", "10"]) == 2
    assert "apply to traffic-light plots" in capsys.readouterr().err


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


def test_a_rob1_corpus_judged_on_some_domains_draws_only_those(
    corpus: Corpus, tmp_path: Path
) -> None:
    # Sequence generation, concealment and attrition: what a review database often holds.
    for index, words in enumerate([("Low", "Unclear", "High"), ("Low", "Low", "Unclear")]):
        judged = dict(zip(("D1", "D2", "D5"), words, strict=True))
        corpus.write_appraisal(
            Appraisal(
                study=f"ref:trial-{index}",
                rubric="rob1",
                rubric_version=load_rubric("rob1").version,
                reviewer="r",
                domains={d: Judgement(judgement=w) for d, w in judged.items()},
                overall=Judgement(judgement="High" if "High" in words else "Unclear"),
            )
        )
    matrix = build_matrix(corpus, "rob1")
    assert len(matrix.domains) == 7
    assert list(dict.fromkeys(b.domain for b in summary_data(matrix))) == [
        "D1",
        "D2",
        "D5",
        "Overall",
    ]
    assert {c.domain for c in traffic_light_data(matrix)} == {"D1", "D2", "D5", "Overall"}
    assert draw_traffic_light(matrix, tmp_path / "tl.png") == [tmp_path / "tl.png"]


NI_NA_CSV = """Study,D1,D2,D3,D4,D5,Overall
Study 1,Low,No information,Low,Not applicable,Low,Some concerns
Study 2,High,Low,No information,Low,Low,High
"""


@pytest.mark.parametrize(
    ("palette", "information", "applicable"),
    [("cochrane", "#4EA1F7", "#cccccc"), ("colourblind", "#ffffff", "#cccccc")],
)
def test_no_information_and_not_applicable_have_their_own_colour_and_symbol(
    corpus: Corpus, palette: str, information: str, applicable: str
) -> None:
    rub = load_rubric("rob2")
    import_robvis(corpus, parse_robvis(NI_NA_CSV, rub, source="x.csv"), rub, source="x.csv")
    cells = {(c.study, c.domain): c for c in traffic_light_data(build_matrix(corpus), palette)}
    assert (cells["Study 1", "D2"].colour, cells["Study 1", "D2"].symbol) == (information, "?")
    assert (cells["Study 1", "D4"].colour, cells["Study 1", "D4"].symbol) == (applicable, "/")
    bars = [b for b in summary_data(build_matrix(corpus), palette) if b.domain == "D3"]
    assert [(b.judgement, b.colour, b.symbol) for b in bars] == [
        ("Low", rub.level("Low").colour if palette == "cochrane" else "#fed98e", "+"),
        ("No information", information, "?"),
    ]
    # Claim figures draw them the same way, not as an unknown word.
    style = judgement_style("No information", rub, check_palette(palette))
    assert (style.colour, style.symbol) == (information, "?")
    style = judgement_style("Not applicable", rub, check_palette(palette))
    assert (style.colour, style.symbol) == (applicable, "/")
    # ROBINS-I's own No information keeps a colour-blind fill distinct from Not applicable.
    robins = load_rubric("robins-i")
    assert robins.level("No information").colourblind != applicable


def _stamp_of(path: Path) -> str:
    """The caption metadata a figure carries, read as a reader's tools read it."""
    if path.suffix == ".png":
        return str(Image.open(path).text["Description"])  # a PNG tEXt chunk
    if path.suffix == ".pdf":
        with pdfplumber.open(path) as pdf:
            return str(pdf.metadata["Subject"])
    text = path.read_text(encoding="utf-8")
    return text.split("<dc:description>", 1)[1].split("</dc:description>", 1)[0]


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_every_figure_names_the_tool_and_rubric_version(
    rob2_corpus: Corpus, tmp_path: Path, suffix: str
) -> None:
    from appraise import __version__
    from appraise.graph import trace_claim
    from appraise.graph.draw import draw_trace
    from tests.graph.corpora import claim, write_claims

    matrix = build_matrix(rob2_corpus, profile="metapsy")
    expected = f"appraise {__version__}; RoB 2 version 2019-08-22; profile metapsy"
    figures = [
        *draw_traffic_light(matrix, tmp_path / f"tl{suffix}"),
        tmp_path / f"summary{suffix}",
    ]
    draw_summary(matrix, figures[-1])
    write_claims(rob2_corpus, [claim("works", "10.1000/alpha", "10.1000/gamma")])
    trace = draw_trace(
        trace_claim(rob2_corpus, "works", "rob2"), tmp_path / f"c{suffix}", profile="metapsy"
    )
    for path in [*figures, trace]:
        assert _stamp_of(path) == expected, path.name


ESTIMATES = {  # study -> (estimate, ci_low, ci_high); pmid:123456 has none
    "10.1000/alpha": (-0.5, -0.8, -0.2),
    "10.1000/beta": (-0.3, -0.7, 0.1),
    "10.1000/gamma": (-0.9, -1.3, -0.5),
}


def _with_estimates(corpus: Corpus, measure: str = "SMD") -> Corpus:
    for stored in list(corpus.iter_appraisals()):
        found = ESTIMATES.get(stored.appraisal.study)
        if found is None:
            continue
        estimate, low, high = found
        result = ResultAssessed(
            label=stored.appraisal.result.label,
            measure=measure,
            estimate=estimate,
            ci_low=low,
            ci_high=high,
        )
        corpus.write_appraisal(stored.appraisal.model_copy(update={"result": result}))
    return corpus


def test_forest_rows_pair_each_estimate_with_its_judgements(rob2_corpus: Corpus) -> None:
    forest = forest_data(build_matrix(_with_estimates(rob2_corpus), order="year"))
    assert (forest.measure, forest.ratio) == ("SMD", False)
    assert [(r.study, r.estimate, r.ci_low, r.ci_high) for r in forest.rows] == [
        ("Okafor 2015", -0.3, -0.7, 0.1),
        ("Smith et al. 2019a", -0.5, -0.8, -0.2),
        ("Smith et al. 2019b", -0.9, -1.3, -0.5),
    ]
    # Weights 20, 30, 50 of the drawn rows; the row's judgements ride along, Overall last.
    assert [r.weight_percent for r in forest.rows] == [20.0, 30.0, 50.0]
    high = forest.rows[2]
    assert [(c.domain, c.judgement) for c in high.cells][1] == ("D2", "High")
    assert high.cells[-1].domain == "Overall" and high.cells[-1].symbol == "x"
    assert forest.left_out == ["García & Müller 2021"]


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_forest_plot_draws_in_every_format_and_reproducibly(
    rob2_corpus: Corpus, tmp_path: Path, suffix: str
) -> None:
    matrix = build_matrix(_with_estimates(rob2_corpus))
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    draw_forest(matrix, first)
    draw_forest(matrix, second)
    assert first.read_bytes() == second.read_bytes()
    assert "RoB 2 version" in _stamp_of(first)


def test_forest_refuses_what_it_cannot_draw(rob2_corpus: Corpus, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no appraisal in this corpus gives an effect"):
        forest_data(build_matrix(rob2_corpus))
    ratios = build_matrix(_with_estimates(rob2_corpus, measure="OR"))
    with pytest.raises(InputError, match="must be above 0"):
        forest_data(ratios)
    with pytest.raises(ValueError, match="outside its interval"):
        ResultAssessed(estimate=2.0, ci_low=0.1, ci_high=1.0)
    with pytest.raises(ValueError, match="both ci_low and ci_high"):
        ResultAssessed(estimate=0.5, ci_low=0.1)


def test_cli_forest_and_report_carry_it(
    rob2_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from appraise.outputs.report import build_report

    _with_estimates(rob2_corpus)
    out = tmp_path / "forest.png"
    args = ["plot", "--kind", "forest", "--corpus", str(rob2_corpus.root), "-o", str(out)]
    assert main(args) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert "1 study without an estimate left out" in capsys.readouterr().err
    report = build_report(rob2_corpus, tmp_path / "report")
    assert {"figures/forest.png", "figures/forest.svg"} <= set(report.files)
    assert 'src="figures/forest.png"' in (tmp_path / "report" / "index.html").read_text()


def test_report_carries_every_page_of_a_long_traffic_light(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appraise.outputs import report as report_module

    corpus = _robvis_corpus(tmp_path / "c", 45)  # more than one A4 page
    result = report_module.build_report(corpus, tmp_path / "report")
    pages = sorted(f for f in result.files if f.startswith("figures/traffic-light"))
    assert pages == [
        "figures/traffic-light-p1.png",
        "figures/traffic-light-p1.svg",
        "figures/traffic-light-p2.png",
        "figures/traffic-light-p2.svg",
        "figures/traffic-light.pdf",
    ]
    index = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert 'src="figures/traffic-light-p1.png"' in index
    assert 'src="figures/traffic-light-p2.png"' in index
    with pdfplumber.open(tmp_path / "report" / "figures" / "traffic-light.pdf") as pdf:
        assert len(pdf.pages) == 2
    monkeypatch.setattr(report_module, "REPORT_TRAFFIC_LIGHT_STUDIES", 40)
    again = report_module.build_report(corpus, tmp_path / "report")
    assert not [f for f in again.files if "traffic-light" in f]
    assert any("appraise plot --kind traffic-light" in n for n in again.notes)


def test_drawing_leaves_matplotlibs_settings_as_they_were(
    rob2_corpus: Corpus, tmp_path: Path
) -> None:
    import matplotlib as mpl

    matrix = build_matrix(_with_estimates(rob2_corpus))
    before = {key: mpl.rcParams[key] for key in ("svg.hashsalt", "svg.fonttype", "font.family")}
    draw_traffic_light(matrix, tmp_path / "t.svg")
    draw_summary(matrix, tmp_path / "s.svg")
    draw_forest(matrix, tmp_path / "f.svg")
    after = {key: mpl.rcParams[key] for key in before}
    assert after == before
    # ...while the figures were still drawn with appraise's own: text outlined as paths.
    assert b"<text" not in (tmp_path / "t.svg").read_bytes()
