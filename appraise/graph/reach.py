"""What every claim reaches, in one pass over the claims (for `appraise claims`).

Tracing each claim on its own walks a chain of n claims n times, so a listing of every claim
grows with n squared. Here the claims' citation cycles are condensed once, and the condensed
claims are visited in reverse topological order: a claim's works (with breadth-first distance
and path counts, the same figures :func:`count_paths` gives) come from walking the works it
cites itself plus the tables already made for the claims it cites. Tables hold works only,
never claims, so a chain of claims never copies itself along; the work is the number of
claim-to-claim links plus, for each link, the works the cited claim reaches (what the listing
reports), plus one :func:`count_paths` per claim over the works it cites directly. (The sets
carried along with the tables, of weighted and marked works and of the claim cycles reached,
are copied the same way; they are empty or small in claims files as written.)

This relies on works never citing claims (only claims.yaml names ``claim:`` targets), so a
cycle through a claim is made of claims only.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from appraise.graph.build import MENTIONS, WEAKENS, CitationGraph
from appraise.graph.paths import count_paths

# supportive, onward weakening, weakening ending at the work, direct (see PathCounts)
Counts = list[int]


@dataclass(frozen=True)
class ClaimReach:
    """The works one claim reaches: each one's breadth-first distance from the claim and its
    path counts (shared by the claims of one cycle, which reach the same works)."""

    distance: dict[int, int]
    counts: dict[int, Counts]
    weights: dict[int, float]  # the largest weight a claim reached gives a node it cites
    marked: frozenset[int]  # nodes some claim reached marks (e.g. not cited by its source)
    cycles: int  # citation cycles reached (strongly connected components of 2+ nodes)


@dataclass
class _Component:
    counts: dict[int, Counts]
    weights: dict[int, float]
    marked: frozenset[int]
    claim_cycles: frozenset[int]


def _walked_labels(graph: CitationGraph) -> tuple[np.ndarray, np.ndarray]:
    """Each node's strongly connected component over the links a trace walks, and the sizes."""
    n = graph.number_of_nodes
    sources = np.repeat(np.arange(n), np.diff(graph.indptr))
    walked = (graph.kinds != MENTIONS) & ~graph.terminal[sources]
    adjacency = csr_matrix(
        (np.ones(int(walked.sum()), dtype=np.int8), (sources[walked], graph.targets[walked])),
        shape=(n, n),
    )
    n_comp, label = connected_components(adjacency, directed=True, connection="strong")
    return label, np.bincount(label, minlength=n_comp)


def _add(into: dict[int, Counts], table: dict[int, Counts], *, weakens: bool = False) -> None:
    """Add ``table``'s paths, as reached through a link into a claim whose paths they are when
    ``weakens``: such a link turns the cited claim's support into weakening, cutting direct
    paths."""
    for work, (supportive, weakening, weakening_end, direct) in table.items():
        acc = into.get(work)
        if acc is None:
            acc = into[work] = [0, 0, 0, 0]
        if weakens:
            acc[1] += supportive + weakening
        else:
            acc[0] += supportive
            acc[1] += weakening
            acc[3] += direct
        acc[2] += weakening_end


def _closer(into: dict[int, int], table: dict[int, int], steps: int) -> None:
    for work, distance in table.items():
        distance += steps
        if distance < into.get(work, distance + 1):
            into[work] = distance


def _distances_within(members: list[int], links: dict[int, list[int]]) -> dict[int, dict[int, int]]:
    """Breadth-first distances between the claims of one cycle over the links among them."""
    inside = set(members)
    found: dict[int, dict[int, int]] = {}
    for start in members:
        seen = {start: 0}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for target in links.get(node, ()):
                if target in inside and target not in seen:
                    seen[target] = seen[node] + 1
                    queue.append(target)
        found[start] = seen
    return found


def reach_all_claims(graph: CitationGraph, marks: dict[int, frozenset[int]]) -> list[ClaimReach]:
    """What each claim reaches (claim ``i`` is node ``i``), computed claim by claim in reverse
    topological order of the condensed claims. ``marks`` are the nodes each claim marks."""
    n_claims = len(graph.claims)
    label, sizes = _walked_labels(graph)
    links: dict[int, list[int]] = {}  # claim -> claims it cites over walked links
    link_kinds: dict[int, list[int]] = {}
    own: dict[int, tuple[dict[int, int], dict[int, Counts]]] = {}
    weights: dict[int, dict[int, float]] = {}
    for claim in range(n_claims):
        start, end = int(graph.indptr[claim]), int(graph.indptr[claim + 1])
        targets = graph.targets[start:end].tolist()
        kinds = graph.kinds[start:end].tolist()
        cited_with: dict[int, float] = {}
        for target, weight in zip(targets, graph.weights[start:end].tolist(), strict=True):
            if not np.isnan(weight):
                cited_with[target] = max(weight, cited_with.get(target, 0.0))
        weights[claim] = cited_with
        walked = [(t, k) for t, k in zip(targets, kinds, strict=True) if k != MENTIONS]
        links[claim] = [t for t, _ in walked if t < n_claims]
        link_kinds[claim] = [k for t, k in walked if t < n_claims]
        own[claim] = ({}, {})
        if any(t >= n_claims for t, _ in walked):
            walk = count_paths(graph, claim, into_claims=False)
            rows = zip(
                walk.nodes.tolist()[1:],
                walk.distance.tolist()[1:],
                walk.supportive.tolist()[1:],
                walk.weakening.tolist()[1:],
                walk.weakening_end.tolist()[1:],
                walk.direct.tolist()[1:],
                strict=True,
            )
            distance, table = own[claim]
            for work, level, supportive, weakening, weakening_end, direct in rows:
                distance[work] = level
                table[work] = [supportive, weakening, weakening_end, direct]

    members: dict[int, list[int]] = {}
    for claim in range(n_claims):
        members.setdefault(int(label[claim]), []).append(claim)
    dag = nx.DiGraph()
    dag.add_nodes_from(members)
    dag.add_edges_from(
        (int(label[c]), int(label[t]))
        for c in range(n_claims)
        for t in links[c]
        if label[t] != label[c]
    )
    components: dict[int, _Component] = {}
    distances: dict[int, dict[int, int]] = {}
    for comp in reversed(list(nx.topological_sort(dag))):
        group = members[comp]
        counts: dict[int, Counts] = {}
        given: dict[int, float] = {}
        marked: set[int] = set()
        cycles: set[int] = {comp} if len(group) > 1 else set()
        bases: dict[int, dict[int, int]] = {}
        for claim in group:
            base, table = own[claim]
            base = dict(base)
            _add(counts, table)
            for target, weight in weights[claim].items():
                given[target] = max(weight, given.get(target, 0.0))
            marked |= marks.get(claim, frozenset())
            for target, kind in zip(links[claim], link_kinds[claim], strict=True):
                cited = int(label[target])
                if cited == comp:
                    continue
                below = components[cited]
                _add(counts, below.counts, weakens=kind == WEAKENS)
                _closer(base, distances[target], 1)
                for work, weight in below.weights.items():
                    given[work] = max(weight, given.get(work, 0.0))
                marked |= below.marked
                cycles |= below.claim_cycles
            bases[claim] = base
        if len(group) == 1:
            distances[group[0]] = bases[group[0]]
        else:
            for claim, steps in _distances_within(group, links).items():
                nearest: dict[int, int] = {}
                for other, apart in steps.items():
                    _closer(nearest, bases[other], apart)
                distances[claim] = nearest
        components[comp] = _Component(counts, given, frozenset(marked), frozenset(cycles))

    reaches = []
    for claim in range(n_claims):
        comp = components[int(label[claim])]
        distance = distances[claim]
        work_cycles = {int(label[w]) for w in distance if sizes[label[w]] > 1}
        reaches.append(
            ClaimReach(
                distance=distance,
                counts=comp.counts,
                weights=comp.weights,
                marked=comp.marked,
                cycles=len(comp.claim_cycles) + len(work_cycles),
            )
        )
    return reaches
