"""`appraise claims` summarises every claim in one pass (appraise.graph.reach): each claim's
summary is the one its own trace gives, byte for byte, on real corpora with citation cycles,
chains of claims and sub-claims shared by several claims."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from appraise.appraisals import default_rubric
from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.files import dump_yaml, parse_yaml
from appraise.graph import build_graph, summarize_all, trace
from tests.conftest import ROOT
from tests.graph.corpora import add_study, write_guideline_corpus
from tests.graph.test_paths import random_graph


def generated_claims(
    seed: int, works: list[str], given: list[str], n: int = 40
) -> list[dict[str, Any]]:
    """A chain of claims (each cites the one before), some also citing itself or a claim
    further on (cycles) or one of the corpus's own claims (shared sub-claims), and corpus works with
    every kind of link, weights and citations the source does not make."""
    rng = random.Random(seed)
    claims = []
    for i in range(n):
        cites: list[dict[str, Any]] = []
        if i:
            cites.append({"target": f"claim:g{i - 1}", "kind": rng.choice(["supports", "weakens"])})
        if rng.random() < 0.2:
            cites.append({"target": f"claim:g{rng.randrange(i, n)}", "kind": "supports"})
        if given and rng.random() < 0.3:
            cites.append({"target": f"claim:{rng.choice(given)}", "kind": "supports"})
        for work in rng.sample(works, k=rng.randint(0, 3)):
            cite: dict[str, Any] = {
                "target": work,
                "kind": rng.choice(["supports", "supports", "weakens", "mentions"]),
            }
            if rng.random() < 0.2:
                cite["weight"] = rng.choice([0.5, 1.0, 3.0])
            if rng.random() < 0.2:
                cite["cited_by_source"] = False
            cites.append(cite)
        claims.append(
            {"id": f"g{i}", "text": f"claim {i}", "made_in": {"source": "s"}, "cites": cites}
        )
    return claims


def add_generated_claims(corpus: Corpus, seed: int) -> None:
    data = parse_yaml(corpus.claims_path.read_text(encoding="utf-8"), corpus.claims_path)
    given = [c["id"] for c in data["claims"]]
    graph = build_graph(corpus, "rob2")
    works = sorted(graph.works)
    data["claims"] += generated_claims(seed, works, given)
    corpus.claims_path.write_text(dump_yaml(data), encoding="utf-8")


def summaries_by_trace(corpus: Corpus, rubric: str) -> list[str]:
    graph = build_graph(corpus, rubric)
    traces = [trace(graph, claim) for claim in graph.claims]
    return [json.dumps([t.claim_json(), t.summary()]) for t in traces]


def summaries_in_one_pass(corpus: Corpus, rubric: str) -> list[str]:
    graph = build_graph(corpus, rubric)
    return [json.dumps([s.claim_json(), s.summary()]) for s in summarize_all(graph)]


@pytest.fixture
def iapt(tmp_path: Path) -> Corpus:
    root = tmp_path / "iapt"
    shutil.copytree(ROOT / "corpus" / "iapt", root)
    return Corpus(root)


@pytest.mark.parametrize("seed", range(4))
def test_iapt_claims_with_a_generated_chain_summarised_as_traced(iapt: Corpus, seed: int) -> None:
    add_generated_claims(iapt, seed)
    for rubric in ("rob2", "psychotherapy"):
        assert summaries_in_one_pass(iapt, rubric) == summaries_by_trace(iapt, rubric)


@pytest.mark.parametrize("seed", range(4))
def test_reviews_citing_each_other_summarised_as_traced(corpus: Corpus, seed: int) -> None:
    write_guideline_corpus(corpus)
    # Two reviews citing each other and the meta-analysis: a cycle among works.
    add_study(
        corpus,
        "10.1000/rev-a",
        publication_types=("Review",),
        references=("10.1000/rev-b", "10.1000/t4"),
        retracted=True,
    )
    add_study(
        corpus,
        "10.1000/rev-b",
        publication_types=("Review",),
        references=("10.1000/rev-a", "10.1000/ma"),
    )
    add_generated_claims(corpus, seed)
    assert summaries_in_one_pass(corpus, "rob2") == summaries_by_trace(corpus, "rob2")


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_summarised_as_traced(seed: int) -> None:
    for cyclic in (False, True):
        graph = random_graph(seed, cyclic)
        traces = [trace(graph, claim).summary() for claim in graph.claims]
        assert [s.summary() for s in summarize_all(graph)] == traces


def test_claims_command_lists_the_one_pass_summaries(
    iapt: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    add_generated_claims(iapt, 0)
    assert main(["claims", "--json", "-c", str(iapt.root)]) == 0
    listed = json.loads(capsys.readouterr().out)
    graph = build_graph(iapt, default_rubric(iapt))
    traces = sorted((trace(graph, claim) for claim in graph.claims), key=lambda t: t.sort_key())
    assert listed == [
        {"claim": t.claim_json(), "rubric": t.rubric, "summary": t.summary()} for t in traces
    ]
    assert len(listed) > 40
