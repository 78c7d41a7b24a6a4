"""Which appraisal speaks for each study, how studies are named and ordered, and the data
behind the figures (order, colours, symbols, weighted percentages), tested as data."""

from __future__ import annotations

import pytest

from appraise.appraisals import default_rubric
from appraise.corpus import Corpus, CorpusInfo
from appraise.errors import InputError, NotFoundError
from appraise.files import model_to_yaml
from appraise.models import Appraisal, Judgement, StudyRecord
from appraise.outputs.figures import summary_data, traffic_light_data
from appraise.outputs.matrix import build_matrix, disambiguate


def test_consensus_speaks_for_a_study_and_names_are_disambiguated(rob2_corpus: Corpus) -> None:
    matrix = build_matrix(rob2_corpus)
    assert matrix.rubric.id == "rob2"
    names = [row.name for row in matrix.rows]
    # Input order is the order appraisals were first written; two 'Smith et al. 2019' get a/b.
    assert names == [
        "Smith et al. 2019a",
        "Okafor 2015",
        "Smith et al. 2019b",
        "García & Müller 2021",
    ]
    okafor = matrix.rows[1]
    assert okafor.appraisal.reviewer == "consensus"
    assert okafor.domains["D1"] == "Some concerns"


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (
            "year",
            ["Okafor 2015", "Smith et al. 2019a", "Smith et al. 2019b", "García & Müller 2021"],
        ),
        (
            "author",
            ["García & Müller 2021", "Okafor 2015", "Smith et al. 2019a", "Smith et al. 2019b"],
        ),
        (
            "judgement",
            ["Smith et al. 2019a", "García & Müller 2021", "Okafor 2015", "Smith et al. 2019b"],
        ),
    ],
)
def test_orders_are_stable_and_chosen(rob2_corpus: Corpus, order: str, expected: list[str]) -> None:
    assert [r.name for r in build_matrix(rob2_corpus, order=order).rows] == expected


def test_studies_select_and_order_rows_by_id_or_name(rob2_corpus: Corpus) -> None:
    matrix = build_matrix(
        rob2_corpus, studies=["pmid:123456", "okafor 2015", "https://doi.org/10.1000/ALPHA"]
    )
    assert [r.study for r in matrix.rows] == ["pmid:123456", "10.1000/beta", "10.1000/alpha"]
    with pytest.raises(NotFoundError, match="no appraised study 'Nobody 1999'"):
        build_matrix(rob2_corpus, studies=["Nobody 1999"])
    with pytest.raises(InputError, match="unknown order"):
        build_matrix(rob2_corpus, order="colour")


def test_default_rubric_comes_from_corpus_yaml_then_the_most_used(rob2_corpus: Corpus) -> None:
    assert default_rubric(rob2_corpus) == "rob2"
    rob2_corpus.write_text(
        rob2_corpus.info_path, model_to_yaml(CorpusInfo(name="x", default_rubric="rob1"))
    )
    assert default_rubric(rob2_corpus) == "rob1"
    with pytest.raises(NotFoundError, match="no rob1 appraisals"):
        build_matrix(rob2_corpus)


def test_an_empty_corpus_says_how_to_start(corpus: Corpus) -> None:
    with pytest.raises(NotFoundError, match="has no appraisals"):
        build_matrix(corpus)


def test_disambiguation_suffixes_in_study_id_order() -> None:
    assert disambiguate({"b": "Lee 2020", "a": "Lee 2020", "c": "Kim 2019"}) == {
        "a": "Lee 2020a",
        "b": "Lee 2020b",
        "c": "Kim 2019",
    }


def test_missing_overall_is_derived_by_the_rule(corpus: Corpus) -> None:
    corpus.write_record(StudyRecord(id="ref:x", title="X trial"))
    corpus.write_appraisal(
        Appraisal(
            study="ref:x",
            rubric="rob2",
            rubric_version="1",
            reviewer="r",
            domains={f"D{i}": Judgement(judgement="Low") for i in range(1, 5)}
            | {"D5": Judgement(judgement="High")},
        )
    )
    row = build_matrix(corpus).rows[0]
    assert (row.name, row.overall, row.overall_by_rule) == ("X trial", "High", True)


def test_traffic_light_cells_in_row_order_with_colours_and_symbols(rob2_corpus: Corpus) -> None:
    matrix = build_matrix(rob2_corpus, order="year")
    cells = traffic_light_data(matrix)
    assert len(cells) == 4 * 6
    first = cells[:6]
    assert [c.domain for c in first] == ["D1", "D2", "D3", "D4", "D5", "Overall"]
    assert {c.study for c in first} == {"Okafor 2015"}
    assert (first[0].judgement, first[0].colour, first[0].symbol) == (
        "Some concerns",
        "#E2DF07",
        "-",
    )
    assert (first[1].judgement, first[1].colour, first[1].symbol) == ("Low", "#02C100", "+")
    high = next(c for c in cells if c.judgement == "High")
    assert (high.study, high.domain, high.symbol, high.weight) == (
        "Smith et al. 2019b",
        "D2",
        "x",
        50.0,
    )
    blind = traffic_light_data(matrix, "colourblind")
    assert blind[1].colour == "#fed98e"
    with pytest.raises(InputError, match="unknown palette"):
        traffic_light_data(matrix, "rainbow")


def test_summary_percentages_of_studies_and_of_weight(rob2_corpus: Corpus) -> None:
    matrix = build_matrix(rob2_corpus)
    bars = summary_data(matrix)
    overall = [b for b in bars if b.domain == "Overall"]
    # Severity order within a domain; one Low, two Some concerns, one High of 4 studies.
    assert [(b.judgement, b.count, b.percent) for b in overall] == [
        ("Low", 1, 25.0),
        ("Some concerns", 2, 50.0),
        ("High", 1, 25.0),
    ]
    weighted = [b for b in summary_data(matrix, weighted=True) if b.domain == "Overall"]
    # Weights 30 (Low), 20 + 0 (Some concerns), 50 (High) of 100.
    assert [(b.judgement, b.weight, b.percent) for b in weighted] == [
        ("Low", 30.0, 30.0),
        ("Some concerns", 20.0, 20.0),
        ("High", 50.0, 50.0),
    ]
    assert bars[0].domain == "D1"
    assert all(
        abs(sum(b.percent for b in bars if b.domain == d) - 100) < 1e-9
        for d in {b.domain for b in bars}
    )


def test_weighted_summary_needs_every_weight(corpus: Corpus) -> None:
    corpus.write_appraisal(
        Appraisal(
            study="ref:x",
            rubric="rob2",
            rubric_version="1",
            reviewer="r",
            domains={f"D{i}": Judgement(judgement="Low") for i in range(1, 6)},
        )
    )
    with pytest.raises(InputError, match="needs a weight for every study; 1 have none"):
        summary_data(build_matrix(corpus), weighted=True)
