"""What a trace reports about a claim, on small corpora written the way users write them."""

from __future__ import annotations

import pytest

from appraise.corpus import Corpus
from appraise.errors import NotFoundError
from appraise.files import dump_yaml
from appraise.graph import build_graph, trace, trace_all, trace_claim
from tests.graph.corpora import add_appraisal, add_study, claim, write_claims


def test_guideline_claim_through_a_meta_analysis(guideline_corpus: Corpus) -> None:
    result = trace_claim(guideline_corpus, "gsh-effective", "rob2")
    s = result.summary()
    # t1, t2 (High) and t3 (Low) via the meta-analysis; t4 direct; one DOI outside the corpus.
    assert {w.id for w in result.supporting} == {
        "10.1000/t1",
        "10.1000/t2",
        "10.1000/t3",
        "10.1000/t4",
        "10.9999/not-in-corpus",
    }
    assert s["by_judgement"] == {"Low": 1, "Some concerns": 1, "High": 2, "unappraised": 1}
    assert s["high_risk_share_of_studies"] == pytest.approx(2 / 5)
    assert s["supportive_paths"] == {
        "high": 2,
        "concerns": 1,
        "low": 1,
        "unappraised": 1,
        "total": 5,
    }
    assert s["survives_without_high_risk"] is True
    assert s["low_risk_remainder"] == ["10.1000/t3"]
    t1 = next(w for w in result.studies if w.id == "10.1000/t1")
    assert t1.high_domains == ("D4", "D5")
    # The review passes support on: three of five paths run through work with no data of its own.
    assert s["amplification"]["supportive_paths_through_secondary_works"] == 3
    assert s["amplification"]["secondary_works"] == ["10.1000/ma"]
    # The low-risk trial that weakens the claim was not cited by the guideline: citation bias.
    assert s["low_risk_weakening"] == ["10.1000/t5"]
    assert s["citation_bias"] == ["10.1000/t5"]
    assert any("not in the corpus" in n for n in result.notes)


def test_a_claim_citing_another_claim_inherits_its_support(guideline_corpus: Corpus) -> None:
    result = trace_claim(guideline_corpus, "iapt-works", "rob2")
    t3 = next(w for w in result.studies if w.id == "10.1000/t3")
    assert t3.supportive_paths == 2  # directly, and through the sub-claim and the review
    assert t3.amplified_paths == 1
    assert result.summary()["supportive_paths"]["total"] == 6
    assert ("claim:iapt-works", "claim:gsh-effective", "supports") in result.edges


def test_cited_dois_outside_the_corpus_are_listed_never_dropped(corpus: Corpus) -> None:
    write_claims(corpus, [claim("c", "10.5555/a", "doi:10.5555/B")])
    result = trace_claim(corpus, "c", "rob2")
    assert [(w.id, w.in_corpus, w.category) for w in result.studies] == [
        ("10.5555/a", False, "unappraised"),
        ("10.5555/b", False, "unappraised"),
    ]
    assert result.survives_without_high_risk is False


def test_share_of_weight_uses_given_weights_when_every_study_has_one(corpus: Corpus) -> None:
    for doi, overall in (("10.1000/a", "High"), ("10.1000/b", "Low")):
        add_study(corpus, doi)
        add_appraisal(corpus, doi, overall)
    write_claims(
        corpus,
        [
            claim(
                "c",
                {"target": "10.1000/a", "weight": 30.0},
                {"target": "10.1000/b", "weight": 10.0},
            )
        ],
    )
    s = trace_claim(corpus, "c", "rob2").summary()
    assert s["high_risk_share_of_weight"] == pytest.approx(0.75)
    assert s["high_risk_share_of_studies"] == pytest.approx(0.5)
    assert s["weight_basis"] == "given weights"


def test_weights_from_appraisals_and_partial_weights_fall_back_to_equal(corpus: Corpus) -> None:
    add_study(corpus, "10.1000/a")
    add_study(corpus, "10.1000/b")
    add_appraisal(corpus, "10.1000/a", "High", weight=9.0)
    add_appraisal(corpus, "10.1000/b", "Low")
    write_claims(corpus, [claim("c", "10.1000/a", "10.1000/b")])
    result = trace_claim(corpus, "c", "rob2")
    assert next(w for w in result.studies if w.id == "10.1000/a").weight == 9.0
    assert result.high_share_of_weight == pytest.approx(0.5)
    assert result.weight_basis == "equal weights: weights given for only 1 of 2"


def test_retracted_works_on_the_way_are_reported(corpus: Corpus) -> None:
    add_study(corpus, "10.1000/p", retracted=True)
    add_study(
        corpus,
        "10.1000/r",
        publication_types=("Systematic Review",),
        references=("10.1000/p",),
        retracted=True,
    )
    write_claims(corpus, [claim("c", "10.1000/r")])
    result = trace_claim(corpus, "c", "rob2")
    assert {w.id for w in result.retracted} == {"10.1000/p", "10.1000/r"}


def test_support_stops_at_primary_studies(corpus: Corpus) -> None:
    """A trial's own reference list is not evidence for the claim the trial is cited for."""
    add_study(corpus, "10.1000/trial", references=("10.1000/older",))
    add_study(corpus, "10.1000/older")
    write_claims(corpus, [claim("c", "10.1000/trial")])
    assert [w.id for w in trace_claim(corpus, "c", "rob2").studies] == ["10.1000/trial"]


def test_a_commentary_that_weakens_is_evidence_itself_not_a_route(corpus: Corpus) -> None:
    add_study(corpus, "10.1000/ma", publication_types=("Meta-Analysis",), references=("10.1000/t",))
    add_study(corpus, "10.1000/t")
    add_study(
        corpus, "10.1000/critique", publication_types=("Comment",), references=("10.1000/ma",)
    )
    write_claims(
        corpus, [claim("c", "10.1000/ma", {"target": "10.1000/critique", "kind": "weakens"})]
    )
    result = trace_claim(corpus, "c", "rob2")
    assert [w.id for w in result.weakening] == ["10.1000/critique"]
    assert [w.id for w in result.supporting] == ["10.1000/t"]
    assert ("10.1000/critique", "10.1000/ma", "cites") not in result.edges


def test_mentions_are_listed_but_carry_no_support(corpus: Corpus) -> None:
    write_claims(corpus, [claim("c", "10.1000/a", {"target": "10.1000/m", "kind": "mentions"})])
    result = trace_claim(corpus, "c", "rob2")
    assert result.mentioned == ["10.1000/m"]
    assert [w.id for w in result.studies] == ["10.1000/a"]


def test_citation_cycles_between_reviews_do_not_hang(corpus: Corpus) -> None:
    add_study(
        corpus, "10.1000/r1", publication_types=("Review",), references=("10.1000/r2", "10.1000/t")
    )
    add_study(corpus, "10.1000/r2", publication_types=("Review",), references=("10.1000/r1",))
    add_study(corpus, "10.1000/t")
    add_appraisal(corpus, "10.1000/t", "High")
    write_claims(corpus, [claim("a", "claim:b", "10.1000/r2"), claim("b", "claim:a")])
    result = trace_claim(corpus, "a", "rob2")
    assert [w.id for w in result.supporting] == ["10.1000/t"]
    assert result.cycles == 2  # the two claims, and the two reviews
    assert result.summary()["high_risk_share_of_studies"] == 1.0


def test_claims_are_listed_worst_first(guideline_corpus: Corpus) -> None:
    add_study(guideline_corpus, "10.1000/h")
    add_appraisal(guideline_corpus, "10.1000/h", "High")
    claims = guideline_corpus.claims_path.read_text()
    guideline_corpus.claims_path.write_text(
        claims + dump_yaml([claim("weak-claim", "10.1000/h")]), encoding="utf-8"
    )
    order = [t.claim.id for t in trace_all(guideline_corpus, "rob2")]
    assert order[0] == "weak-claim"  # nothing at low risk remains
    assert set(order) == {"weak-claim", "gsh-effective", "iapt-works"}


def test_unknown_claim_suggests_close_ids(guideline_corpus: Corpus) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'gsh-effective'"):
        trace_claim(guideline_corpus, "gsh-efective", "rob2")
    graph = build_graph(guideline_corpus, "rob2")
    assert trace(graph, "claim:gsh-effective").claim.id == "gsh-effective"


# --- independent replication (Tolin 2015) -------------------------------------------------


def _replication_corpus(
    corpus: Corpus, teams: list[tuple[str, ...]], allegiance: list[str | None]
) -> str:
    targets = []
    for i, (team, d3) in enumerate(zip(teams, allegiance, strict=True)):
        doi = f"10.1000/low{i}"
        add_study(corpus, doi, authors=team)
        add_appraisal(corpus, doi, "Low")
        if d3 is not None:
            add_appraisal(corpus, doi, d3, rubric="psychotherapy", domains={"D3": d3})
        targets.append(doi)
    write_claims(corpus, [claim("c", *targets)])
    return trace_claim(corpus, "c", "rob2").replication.status


def test_replication_yes_needs_two_independent_teams_without_allegiance(corpus: Corpus) -> None:
    assert _replication_corpus(corpus, [("Clark",), ("Jones",)], ["Low", "Low"]) == "yes"


def test_replication_no_when_the_same_team_ran_both(corpus: Corpus) -> None:
    assert _replication_corpus(corpus, [("Clark", "Layard"), ("Layard",)], ["Low", "Low"]) == "no"


def test_replication_no_when_the_teams_show_allegiance(corpus: Corpus) -> None:
    assert _replication_corpus(corpus, [("Clark",), ("Jones",)], ["High", "Low"]) == "no"


def test_replication_unknown_when_allegiance_was_not_appraised(corpus: Corpus) -> None:
    assert _replication_corpus(corpus, [("Clark",), ("Jones",)], [None, "Low"]) == "unknown"


def test_default_rubric_comes_from_the_corpus(corpus: Corpus) -> None:
    from appraise.appraisals import default_rubric

    assert default_rubric(corpus) == "rob2"
    corpus.root.mkdir(parents=True)
    corpus.info_path.write_text("name: x\ndefault_rubric: psychotherapy\n", encoding="utf-8")
    assert default_rubric(corpus) == "psychotherapy"
