"""Path counts by dynamic programming agree with brute-force enumeration of every path."""

from __future__ import annotations

import random
from collections import Counter

import networkx as nx
import pytest

from appraise.graph.build import MENTIONS, WEAKENS, CitationGraph, assemble
from appraise.graph.facts import WorkFacts
from appraise.graph.paths import count_paths
from appraise.models import Citation, Claim, MadeIn
from appraise.rubrics import load_rubric


def work(doi: str, role: str = "primary", refs: tuple[str, ...] = ()) -> WorkFacts:
    return WorkFacts(
        id=doi,
        label=doi,
        title="",
        year=None,
        role=role,  # type: ignore[arg-type]
        retracted=False,
        team=(),
        aliases=(doi,),
        references=refs,
    )


def make_claim(claim_id: str, cites: list[tuple[str, str]]) -> Claim:
    return Claim(
        id=claim_id,
        text=claim_id,
        made_in=MadeIn(source="test"),
        cites=[Citation(target=t, kind=k) for t, k in cites],
    )  # type: ignore[arg-type]


def random_graph(seed: int, cyclic: bool) -> CitationGraph:
    """Claims citing claims and works; reviews citing reviews and primary studies. Acyclic
    unless ``cyclic``, when links may also point back and form cycles."""
    rng = random.Random(seed)
    n_claims, n_reviews, n_primary = rng.randint(1, 4), rng.randint(0, 6), rng.randint(1, 8)
    primaries = [f"10.1000/p{i}" for i in range(n_primary)]
    reviews = [f"10.1000/r{i}" for i in range(n_reviews)]
    outside = ["10.9999/x"]
    works = []
    for i, doi in enumerate(reviews):
        older = reviews[i + 1 :] if not cyclic else [r for r in reviews if r != doi]
        pool = older + primaries + outside
        works.append(
            work(
                doi,
                rng.choice(["review", "commentary"]),
                tuple(rng.sample(pool, k=min(len(pool), rng.randint(0, 4)))),
            )
        )
    works += [
        work(doi, refs=tuple(rng.sample(reviews, k=min(1, len(reviews))))) for doi in primaries
    ]
    claims = []
    for i in range(n_claims):
        others = [f"claim:c{j}" for j in range(n_claims) if (j > i or (cyclic and j != i))]
        pool = others + reviews + primaries + outside
        targets = rng.sample(pool, k=min(len(pool), rng.randint(1, 5)))
        claims.append(
            make_claim(
                f"c{i}",
                [(t, rng.choice(["supports", "supports", "weakens", "mentions"])) for t in targets],
            )
        )
    return assemble(load_rubric("rob2"), works, claims, {}, {})


def edges_of(graph: CitationGraph) -> list[tuple[int, int, int]]:
    return [
        (i, j, int(graph.kinds[p]))
        for i in range(graph.number_of_nodes)
        for p, j in enumerate(
            graph.targets[graph.indptr[i] : graph.indptr[i + 1]], start=int(graph.indptr[i])
        )
    ]


def brute_force(
    n: int,
    edges: list[tuple[int, int, int]],
    is_claim: list[bool],
    terminal: list[bool],
    root: int,
) -> dict[str, Counter[int]]:
    """Walk every path from ``root`` (the graph must be acyclic) and tally where each ends."""
    out: dict[int, list[tuple[int, int]]] = {}
    for s, t, k in edges:
        out.setdefault(s, []).append((t, k))
    tally: dict[str, Counter[int]] = {
        name: Counter() for name in ("supportive", "weakening", "weakening_end", "direct")
    }

    def walk(node: int, weak: bool, claims_only: bool) -> None:
        for target, kind in out.get(node, []):
            if kind == MENTIONS:
                continue
            if kind == WEAKENS and not is_claim[target]:
                tally["weakening_end"][target] += 1
                continue
            now_weak = weak or kind == WEAKENS
            tally["weakening" if now_weak else "supportive"][target] += 1
            if not now_weak and claims_only:
                tally["direct"][target] += 1
            if not terminal[target]:
                walk(target, now_weak, claims_only and is_claim[target])

    walk(root, False, True)
    return tally


def condensed(
    graph: CitationGraph,
) -> tuple[int, list[tuple[int, int, int]], list[bool], list[bool], list[int]]:
    """The graph with each strongly connected component as one node, parallel links kept,
    computed independently with networkx."""
    g = nx.DiGraph()
    g.add_nodes_from(range(graph.number_of_nodes))
    walked = [(s, t, k) for s, t, k in edges_of(graph) if k != MENTIONS and not graph.terminal[s]]
    g.add_edges_from((s, t) for s, t, _ in walked)
    dag = nx.condensation(g)
    member = dag.graph["mapping"]
    n = dag.number_of_nodes()
    groups: list[list[int]] = [sorted(dag.nodes[c]["members"]) for c in range(n)]
    is_claim = [all(graph.is_claim(m) for m in grp) for grp in groups]
    terminal = [len(grp) == 1 and bool(graph.terminal[grp[0]]) for grp in groups]
    edges = [(member[s], member[t], k) for s, t, k in walked if member[s] != member[t]]
    return n, edges, is_claim, terminal, [member[i] for i in range(graph.number_of_nodes)]


@pytest.mark.parametrize("seed", range(60))
def test_counts_match_enumeration_on_acyclic_graphs(seed: int) -> None:
    graph = random_graph(seed, cyclic=False)
    root = graph.index["claim:c0"]
    counts = count_paths(graph, root)
    n = graph.number_of_nodes
    expected = brute_force(
        n,
        edges_of(graph),
        [graph.is_claim(i) for i in range(n)],
        [bool(t) for t in graph.terminal],
        root,
    )
    for name, tally in expected.items():
        got = {
            int(node): int(v)
            for node, v in zip(counts.nodes, getattr(counts, name), strict=True)
            if v
        }
        want = {node: v for node, v in tally.items() if node != root and v}
        got.pop(root, None)
        assert got == want, name


@pytest.mark.parametrize("seed", range(60))
def test_cycles_are_condensed_and_counted_like_a_dag(seed: int) -> None:
    graph = random_graph(seed, cyclic=True)
    root = graph.index["claim:c0"]
    counts = count_paths(graph, root)
    n, edges, is_claim, terminal, member = condensed(graph)
    expected = brute_force(n, edges, is_claim, terminal, member[root])
    for name, tally in expected.items():
        got = {
            member[int(node)]: int(v)
            for node, v in zip(counts.nodes, getattr(counts, name), strict=True)
            if v and member[int(node)] != member[root]
        }
        want = {c: v for c, v in tally.items() if c != member[root] and v}
        assert got == want, name


def test_a_citation_cycle_is_one_node_and_reported() -> None:
    works = [
        work("10.1000/a", "review", ("10.1000/b",)),
        work("10.1000/b", "review", ("10.1000/a", "10.1000/p")),
        work("10.1000/p"),
    ]
    graph = assemble(
        load_rubric("rob2"), works, [make_claim("c", [("10.1000/a", "supports")])], {}, {}
    )
    counts = count_paths(graph, graph.index["claim:c"])
    paths = dict(zip((graph.nodes[int(i)] for i in counts.nodes), counts.supportive, strict=True))
    assert paths["10.1000/p"] == 1
    assert counts.cycles == 1


def test_counts_stay_exact_beyond_machine_integers() -> None:
    """A ladder of 120 reviews, each citing the next two (the last ones cite the study):
    Fibonacci many paths, far beyond 64-bit integers, counted exactly."""
    n = 120
    reviews = [f"10.1000/r{i}" for i in range(n)]
    works = [
        work(r, "review", (*reviews[i + 1 : i + 3], *(["10.1000/p"] if i >= n - 2 else [])))
        for i, r in enumerate(reviews)
    ] + [work("10.1000/p")]
    graph = assemble(
        load_rubric("rob2"), works, [make_claim("c", [(reviews[0], "supports")])], {}, {}
    )
    counts = count_paths(graph, graph.index["claim:c"])
    paths = dict(zip((graph.nodes[int(i)] for i in counts.nodes), counts.supportive, strict=True))
    below = [1, 2]  # paths from r[n-1] and r[n-2] down to the study
    while len(below) < n:
        below.append(below[-1] + below[-2])
    assert paths["10.1000/p"] == below[-1]
    assert paths["10.1000/p"] > 2**64
