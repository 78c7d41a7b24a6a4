"""Building the citation graph of a corpus: claims and works as nodes, citations as edges.

The graph is held compactly (node ids in a list, out-edges as CSR arrays) so that a corpus of
100,000 works and a million citations fits in tens of megabytes and a trace can walk it with
vectorised numpy; :meth:`CitationGraph.to_networkx` gives a networkx DiGraph with every
judgement as a node attribute for export and drawing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from appraise.appraisals import final_domains, final_overall, select_appraisals
from appraise.corpus import Corpus
from appraise.files import load_model
from appraise.graph.cache import cache_dir, fingerprint, read_cache, stat_key, write_cache
from appraise.graph.claims import CLAIM_PREFIX, load_claims
from appraise.graph.facts import (
    Allegiance,
    Judged,
    WorkFacts,
    allegiance_from,
    judged,
    work_facts,
)
from appraise.ids import parse_identifier
from appraise.models import Claim, Rubric, StudyRecord
from appraise.rubrics import load_rubric

if TYPE_CHECKING:
    import networkx as nx

EDGE_KINDS = ("cites", "supports", "weakens", "mentions")
CITES, SUPPORTS, WEAKENS, MENTIONS = range(4)
ALLEGIANCE_RUBRIC = "psychotherapy"
ALLEGIANCE_DOMAIN = "D3"


@dataclass
class CitationGraph:
    """Claims and works, and who cites whom. Node ``i`` is ``nodes[i]``; its out-edges are
    ``targets[indptr[i]:indptr[i + 1]]`` with the same slices of ``kinds`` and ``weights``."""

    rubric: Rubric
    nodes: list[str]
    works: dict[str, WorkFacts]
    judged: dict[str, Judged]
    allegiance: dict[str, Allegiance]
    claims: dict[str, Claim]
    indptr: np.ndarray
    targets: np.ndarray
    kinds: np.ndarray
    weights: np.ndarray
    aliases: dict[str, str] = field(default_factory=dict)
    claims_file: str = "claims.yaml"
    stats: dict[str, int] = field(default_factory=dict)
    index: dict[str, int] = field(init=False)
    terminal: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.index = {node: i for i, node in enumerate(self.nodes)}
        self.terminal = self._terminals()

    def _terminals(self) -> np.ndarray:
        """Where support stops: primary studies, works outside the corpus, and works whose
        references are unknown. Claims and reviews pass support on to what they cite."""
        passes_on = np.diff(self.indptr) > 0
        for i, node in enumerate(self.nodes):
            facts = self.works.get(node)
            if node.startswith(CLAIM_PREFIX):
                passes_on[i] = True
            elif facts is None or facts.role == "primary":
                passes_on[i] = False
        return ~passes_on

    @property
    def number_of_nodes(self) -> int:
        return len(self.nodes)

    @property
    def number_of_edges(self) -> int:
        return int(self.targets.size)

    def node_for(self, target: str) -> str:
        """The node a claims-file target or identifier names (a record's DOI, PMID ...)."""
        node = resolve_target(target)
        return self.aliases.get(node, node)

    def is_claim(self, i: int) -> bool:
        return i < len(self.claims)  # assemble() puts the claims first

    def out_edges(self, i: int) -> Iterable[tuple[int, str, float | None]]:
        start, end = int(self.indptr[i]), int(self.indptr[i + 1])
        for j in range(start, end):
            weight = float(self.weights[j])
            kind = EDGE_KINDS[self.kinds[j]]
            yield int(self.targets[j]), kind, None if math.isnan(weight) else weight

    def node_attributes(self, node: str) -> dict[str, str | int | float | bool]:
        """Flat attributes (no None, no lists) that every export format can carry."""
        if node.startswith(CLAIM_PREFIX):
            claim = self.claims[node[len(CLAIM_PREFIX) :]]
            return {
                "kind": "claim",
                "label": claim.id,
                "text": claim.text,
                "made_in": made_in_text(claim),
            }
        facts = self.works.get(node)
        verdict = self.judged.get(node)
        attrs: dict[str, str | int | float | bool] = {
            "kind": "work",
            "label": facts.label if facts else node,
            "in_corpus": facts is not None,
            "role": facts.role if facts else "unknown",
            "judgement": (verdict.judgement or "incomplete") if verdict else "unappraised",
            "category": verdict.category if verdict else "unappraised",
            "high_domains": ", ".join(verdict.high_domains) if verdict else "",
            "allegiance": self.allegiance.get(node, "unknown"),
            "retracted": bool(facts and facts.retracted),
        }
        if facts and facts.title:
            attrs["title"] = facts.title
        if facts and facts.year is not None:
            attrs["year"] = facts.year
        if verdict and verdict.weight is not None:
            attrs["weight"] = verdict.weight
        return attrs

    def to_networkx(self, nodes: Sequence[int] | None = None) -> nx.DiGraph:
        """The graph (or the part induced by ``nodes``) with judgements as attributes."""
        import networkx as nx

        keep = range(len(self.nodes)) if nodes is None else nodes
        chosen = set(keep)
        graph = nx.DiGraph(rubric=self.rubric.id)
        for i in keep:
            graph.add_node(self.nodes[i], **self.node_attributes(self.nodes[i]))
        for i in keep:
            for j, kind, weight in self.out_edges(i):
                if j in chosen:
                    attrs: dict[str, Any] = {"kind": kind}
                    if weight is not None:
                        attrs["weight"] = weight
                    graph.add_edge(self.nodes[i], self.nodes[j], **attrs)
        return graph


def made_in_text(claim: Claim) -> str:
    parts = [claim.made_in.source, claim.made_in.section, str(claim.made_in.year or "")]
    return ", ".join(p for p in parts if p)


def resolve_target(target: str) -> str:
    """A claims-file target as a node id: claim:ID stays, a study id is normalised."""
    if target.startswith(CLAIM_PREFIX):
        return target
    return str(parse_identifier(target))


def assemble(
    rubric: Rubric,
    works: Sequence[WorkFacts],
    claims: Sequence[Claim],
    judgements: dict[str, Judged],
    allegiance: dict[str, Allegiance],
) -> CitationGraph:
    """The graph from extracted facts (pure: no files). Cited works outside the corpus become
    nodes of their own, so nothing a claim or record cites is ever dropped."""
    alias = {a: w.id for w in works for a in w.aliases}
    nodes: list[str] = [CLAIM_PREFIX + c.id for c in claims] + [w.id for w in works]
    index = {node: i for i, node in enumerate(nodes)}

    def node_of(raw: str) -> int:
        node = alias.get(raw, raw)
        found = index.get(node)
        if found is None:
            found = index[node] = len(nodes)
            nodes.append(node)
        return found

    sources: list[int] = []
    dests: list[int] = []
    kinds: list[int] = []
    weights: list[float] = []
    for ci, claim in enumerate(claims):
        seen: set[int] = set()
        for cite in claim.cites:
            target = node_of(resolve_target(cite.target))
            if target in seen or target == ci:
                continue
            seen.add(target)
            sources.append(ci)
            dests.append(target)
            kinds.append(EDGE_KINDS.index(cite.kind))
            weights.append(math.nan if cite.weight is None else cite.weight)
    for work in works:
        source = index[work.id]
        for target in dict.fromkeys(node_of(ref) for ref in work.references):
            if target != source:
                sources.append(source)
                dests.append(target)
    n_claim_edges = len(kinds)
    n_edges = len(sources)
    src = np.asarray(sources, dtype=np.int64)
    order = np.argsort(src, kind="stable")
    kind_arr = np.full(n_edges, CITES, dtype=np.int8)
    kind_arr[:n_claim_edges] = kinds
    weight_arr = np.full(n_edges, math.nan)
    weight_arr[:n_claim_edges] = weights
    indptr = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=len(nodes)), out=indptr[1:])
    return CitationGraph(
        rubric=rubric,
        nodes=nodes,
        works={w.id: w for w in works},
        judged=judgements,
        allegiance=allegiance,
        claims={c.id: c for c in claims},
        indptr=indptr,
        targets=np.asarray(dests, dtype=np.int32)[order],
        kinds=kind_arr[order],
        weights=weight_arr[order],
        aliases=alias,
    )


# --- reading a corpus (I/O), with the per-file cache ---------------------------------------


def read_work_facts(corpus: Corpus) -> tuple[list[WorkFacts], int]:
    """Every record's facts, re-reading only files whose size or mtime changed; returns the
    facts and how many records were (re-)read."""
    path = cache_dir(corpus) / "records.json"
    cached = (read_cache(path) or {}).get("records", {})
    fresh: dict[str, Any] = {}
    facts: list[WorkFacts] = []
    reread = 0
    for record_path in corpus.record_paths():
        key = stat_key(record_path)
        entry = cached.get(record_path.name)
        if entry is None or entry["stat"] != key:
            entry = {
                "stat": key,
                "facts": work_facts(load_model(record_path, StudyRecord)).to_json(),
            }
            reread += 1
        fresh[record_path.name] = entry
        facts.append(WorkFacts.from_json(entry["facts"]))
    if reread or fresh.keys() != cached.keys():
        write_cache(corpus, path, {"records": fresh})
    return facts, reread


def read_judgements(corpus: Corpus, rubric: Rubric) -> dict[str, Judged]:
    """Each study's final judgement under ``rubric`` (the appraisal select_appraisals picks),
    recomputed only when some appraisal file of that rubric changed."""
    paths = [p for p in corpus.appraisal_paths() if p.name.startswith(f"{rubric.id}--")]
    key = fingerprint(paths, rubric.id, rubric.version, str(rubric.file_version))
    path = cache_dir(corpus) / f"judgements--{rubric.id}.json"
    cached = read_cache(path)
    if cached is not None and cached.get("fingerprint") == key:
        return {k: Judged.from_json(v) for k, v in cached["studies"].items()}
    result = {
        stored.appraisal.study: judged(
            final_overall(stored.appraisal),
            final_domains(stored.appraisal),
            stored.appraisal.weight,
            rubric,
        )
        for stored in select_appraisals(corpus, rubric.id)
    }
    write_cache(
        corpus, path, {"fingerprint": key, "studies": {k: v.to_json() for k, v in result.items()}}
    )
    return result


def read_allegiance(corpus: Corpus, judgements: dict[str, Judged] | None) -> dict[str, Allegiance]:
    """Researcher allegiance from the psychotherapy rubric's D3, where a study has one
    (``judgements`` are that rubric's, when the graph is being built with it anyway)."""
    if judgements is None:
        if not any(p.name.startswith(f"{ALLEGIANCE_RUBRIC}--") for p in corpus.appraisal_paths()):
            return {}
        judgements = read_judgements(corpus, load_rubric(ALLEGIANCE_RUBRIC))
    return {
        study: allegiance_from(verdict.domains.get(ALLEGIANCE_DOMAIN))
        for study, verdict in judgements.items()
    }


def build_graph(corpus: Corpus, rubric: str) -> CitationGraph:
    """The corpus's citation graph with every work's judgement under ``rubric``."""
    rub = load_rubric(rubric)
    claims = load_claims(corpus)
    works, reread = read_work_facts(corpus)
    judgements = read_judgements(corpus, rub)
    allegiance = read_allegiance(corpus, judgements if rub.id == ALLEGIANCE_RUBRIC else None)
    graph = assemble(rub, works, claims, judgements, allegiance)
    graph.claims_file = str(corpus.claims_path)
    graph.stats = {"records": len(works), "records_read": reread, "claims": len(claims)}
    return graph
