"""Counting citation paths from a claim by dynamic programming (Greenberg 2009's measure).

Never by enumeration: the number of paths grows exponentially with the depth of a citation
network, the work here grows with its edges. The part of the graph a claim reaches is
condensed (each strongly connected component, i.e. each citation cycle, becomes one node), the
condensed DAG is put in topological order, and path counts flow forward from the claim. Counts
are exact Python integers.

Support flows through claims and through works with no primary data (reviews, commentaries) to
the studies they cite, and stops at primary studies. A 'weakens' link into a claim turns that
claim's support into evidence against; a 'weakens' link into a work makes that work weakening
evidence itself, and the path ends there. A path through a cycle is counted once per edge by
which it enters and leaves the cycle: going round a cycle never makes a new path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from appraise.graph.build import MENTIONS, WEAKENS, CitationGraph


@dataclass(frozen=True)
class PathCounts:
    """What a claim reaches, and how many citation paths from the claim end at each node.

    ``nodes`` are global node indices; every other per-node array is aligned with them.
    ``edges`` are (source, target, kind) as positions in ``nodes``.
    """

    nodes: np.ndarray
    edge_source: np.ndarray
    edge_target: np.ndarray
    edge_kind: np.ndarray
    supportive: np.ndarray  # paths made only of citing/supporting links
    weakening: np.ndarray  # paths with a 'weakens' link that carry on past this node
    weakening_end: np.ndarray  # paths whose last link 'weakens' this work: they stop here
    direct: np.ndarray  # supportive paths whose intermediate nodes are all claims
    distance: np.ndarray  # links on the shortest way from the claim (the breadth-first level)
    cycles: int  # citation cycles (strongly connected components of 2+ nodes) condensed


def _edge_ranges(indptr: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All out-edge positions of ``nodes`` in a CSR layout, and the node each belongs to."""
    starts = indptr[nodes]
    counts = indptr[nodes + 1] - starts
    total = int(counts.sum())
    before = np.cumsum(counts) - counts
    positions = np.repeat(starts - before, counts) + np.arange(total, dtype=np.int64)
    return positions, np.repeat(nodes, counts)


def reachable(
    graph: CitationGraph, root: int, *, into_claims: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Breadth-first from ``root`` over citing/supporting/weakening links (not 'mentions'),
    not expanding terminal works, and not entering claims unless ``into_claims``. Returns the
    nodes reached (root first, then level by level), each one's level, and the positions and
    sources of the edges walked."""
    seen = np.zeros(graph.number_of_nodes, dtype=bool)
    seen[root] = True
    frontier = np.array([root], dtype=np.int64)
    found = [frontier]
    edge_chunks: list[np.ndarray] = []
    source_chunks: list[np.ndarray] = []
    while frontier.size:
        expand = frontier[~graph.terminal[frontier]]
        positions, sources = _edge_ranges(graph.indptr, expand)
        walked = graph.kinds[positions] != MENTIONS
        if not into_claims:
            walked &= graph.targets[positions] >= len(graph.claims)
        positions, sources = positions[walked], sources[walked]
        edge_chunks.append(positions)
        source_chunks.append(sources)
        targets = graph.targets[positions].astype(np.int64)
        frontier = np.unique(targets[~seen[targets]])
        seen[frontier] = True
        found.append(frontier)
    levels = np.repeat(np.arange(len(found)), [level.size for level in found])
    return (
        np.concatenate(found),
        levels,
        np.concatenate(edge_chunks),
        np.concatenate(source_chunks),
    )


def _topological_levels(
    n: int, source: np.ndarray, target: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Kahn's algorithm a level at a time on a DAG: each level's edge positions, in order."""
    order = np.argsort(source, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(source, minlength=n), out=indptr[1:])
    indegree = np.bincount(target, minlength=n)
    frontier = np.flatnonzero(indegree == 0)
    levels: list[tuple[np.ndarray, np.ndarray]] = []
    while frontier.size:
        positions, _ = _edge_ranges(indptr, frontier)
        edges = order[positions]
        levels.append((frontier, edges))
        heads = target[edges]
        np.subtract.at(indegree, heads, 1)
        heads = np.unique(heads)
        frontier = heads[indegree[heads] == 0]
    return levels


def count_paths(graph: CitationGraph, root: int, *, into_claims: bool = True) -> PathCounts:
    nodes, distance, positions, sources = reachable(graph, root, into_claims=into_claims)
    local = np.full(graph.number_of_nodes, -1, dtype=np.int64)
    local[nodes] = np.arange(nodes.size)
    src = local[sources]
    dst = local[graph.targets[positions]]
    kind = graph.kinds[positions]
    m = nodes.size

    adjacency = csr_matrix((np.ones(src.size, dtype=np.int8), (src, dst)), shape=(m, m))
    n_comp, label = connected_components(adjacency, directed=True, connection="strong")
    sizes = np.bincount(label, minlength=n_comp)
    comp_src, comp_dst = label[src], label[dst]
    between = np.flatnonzero(comp_src != comp_dst)
    c_src, c_dst, c_kind = comp_src[between], comp_dst[between], kind[between]

    is_claim = nodes < len(graph.claims)  # assemble() puts the claims first
    claim_members = np.bincount(label, weights=is_claim, minlength=n_comp)
    all_claims = claim_members == sizes

    supportive = np.zeros(n_comp, dtype=object)
    weakening = np.zeros(n_comp, dtype=object)
    weakening_end = np.zeros(n_comp, dtype=object)
    direct = np.zeros(n_comp, dtype=object)
    supportive[label[0]] = direct[label[0]] = 1
    for _, edges in _topological_levels(n_comp, c_src, c_dst):
        heads, tails, kinds = c_dst[edges], c_src[edges], c_kind[edges]
        keeps = kinds != WEAKENS
        np.add.at(supportive, heads[keeps], supportive[tails[keeps]])
        np.add.at(weakening, heads[keeps], weakening[tails[keeps]])
        # A claim that weakens this one passes its support on as weakening; a work that
        # weakens it is evidence in its own right, not a route to what it cites.
        for into, target in ((all_claims[heads], weakening), (~all_claims[heads], weakening_end)):
            turns = ~keeps & into
            np.add.at(target, heads[turns], supportive[tails[turns]] + weakening[tails[turns]])
        via_claims = keeps & all_claims[tails]
        np.add.at(direct, heads[via_claims], direct[tails[via_claims]])
    return PathCounts(
        nodes=nodes,
        edge_source=src,
        edge_target=dst,
        edge_kind=kind,
        supportive=supportive[label],
        weakening=weakening[label],
        weakening_end=weakening_end[label],
        direct=direct[label],
        distance=distance,
        cycles=int(np.count_nonzero(sizes > 1)),
    )
