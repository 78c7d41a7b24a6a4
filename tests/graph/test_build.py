"""Building the graph: nodes, edges from claims and references, and the incremental cache."""

from __future__ import annotations

import json

from appraise.corpus import Corpus
from appraise.graph import build_graph
from appraise.graph.cache import cache_dir
from appraise.models import Reference, StudyRecord
from tests.graph.corpora import add_appraisal, add_study, claim, write_claims


def test_nodes_and_edges_from_claims_and_references(guideline_corpus: Corpus) -> None:
    graph = build_graph(guideline_corpus, "rob2")
    assert {"claim:gsh-effective", "claim:iapt-works", "10.9999/not-in-corpus"} <= set(graph.nodes)
    assert graph.number_of_nodes == 2 + 6 + 1
    out = {graph.nodes[j]: kind for j, kind, _ in graph.out_edges(graph.index["10.1000/ma"])}
    assert out == {"10.1000/t1": "cites", "10.1000/t2": "cites", "10.1000/t3": "cites"}
    # The claims file's https://doi.org/10.1000/T4 is the record 10.1000/t4, with its weight.
    claim_out = {
        graph.nodes[j]: (kind, w)
        for j, kind, w in graph.out_edges(graph.index["claim:gsh-effective"])
    }
    assert claim_out["10.1000/t4"] == ("supports", 2.0)
    assert claim_out["10.1000/t5"] == ("weakens", None)
    assert graph.judged["10.1000/t1"].high_domains == ("D4", "D5")
    assert graph.stats == {"records": 6, "records_read": 6, "claims": 2}


def test_references_by_pmid_or_openalex_reach_the_stored_record(corpus: Corpus) -> None:
    corpus.write_record(
        StudyRecord(
            id="10.1000/t", doi="10.1000/t", pmid="123", openalex="https://openalex.org/W42"
        )
    )
    corpus.write_record(
        StudyRecord(
            id="10.1000/r",
            doi="10.1000/r",
            publication_types=["Review"],
            references=[Reference(pmid="123"), Reference(openalex="W42"), Reference(title="no id")],
        )
    )
    graph = build_graph(corpus, "rob2")
    out = [graph.nodes[j] for j, _, _ in graph.out_edges(graph.index["10.1000/r"])]
    assert out == ["10.1000/t"]


def test_rebuild_reads_only_changed_records(guideline_corpus: Corpus) -> None:
    assert build_graph(guideline_corpus, "rob2").stats["records_read"] == 6
    assert (cache_dir(guideline_corpus) / "records.json").exists()
    assert build_graph(guideline_corpus, "rob2").stats["records_read"] == 0

    add_study(guideline_corpus, "10.1000/t2", authors=("Clark",), references=("10.1000/t9",))
    rebuilt = build_graph(guideline_corpus, "rob2")
    assert rebuilt.stats["records_read"] == 1
    assert "10.1000/t9" in rebuilt.nodes

    guideline_corpus.record_path("10.1000/t1").unlink()
    after_delete = build_graph(guideline_corpus, "rob2")
    assert after_delete.stats == {"records": 5, "records_read": 0, "claims": 2}
    assert "10.1000/t1" not in after_delete.works


def test_a_changed_appraisal_changes_the_judgement(guideline_corpus: Corpus) -> None:
    assert build_graph(guideline_corpus, "rob2").judged["10.1000/t3"].judgement == "Low"
    add_appraisal(guideline_corpus, "10.1000/t3", "High")
    assert build_graph(guideline_corpus, "rob2").judged["10.1000/t3"].judgement == "High"


def test_a_broken_cache_is_rebuilt_not_trusted(guideline_corpus: Corpus) -> None:
    build_graph(guideline_corpus, "rob2")
    for path in cache_dir(guideline_corpus).glob("*.json"):
        path.write_text("{not json", encoding="utf-8")
    graph = build_graph(guideline_corpus, "rob2")
    assert graph.stats["records_read"] == 6
    assert json.loads((cache_dir(guideline_corpus) / "records.json").read_text())["version"] == 1


def test_a_cache_that_cannot_be_written_does_not_stop_the_build(
    guideline_corpus: Corpus,
) -> None:
    cache_dir(guideline_corpus).parent.mkdir(parents=True, exist_ok=True)
    cache_dir(guideline_corpus).write_text("a file where the cache folder should be")
    assert build_graph(guideline_corpus, "rob2").stats["records_read"] == 6
    assert build_graph(guideline_corpus, "rob2").stats["records_read"] == 6


def test_reviews_are_recognised_by_type_or_title(corpus: Corpus) -> None:
    add_study(corpus, "10.1000/a", publication_types=(), title="A meta-analysis of trials")
    add_study(corpus, "10.1000/b", publication_types=("Editorial",))
    add_study(corpus, "10.1000/c", publication_types=())
    write_claims(corpus, [claim("c", "10.1000/a")])
    graph = build_graph(corpus, "rob2")
    assert [graph.works[d].role for d in ("10.1000/a", "10.1000/b", "10.1000/c")] == [
        "review",
        "commentary",
        "primary",
    ]
