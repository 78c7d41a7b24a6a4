"""Tracing a claim to the studies it rests on, and how much of that support is at high risk.

The figures follow Greenberg (BMJ 2009) for the citation network (supportive paths,
amplification, citation bias) and GRADE for risk of bias (the share of the evidence's weight
carried by high-risk studies, and whether low-risk studies remain or say otherwise), with
Tolin et al. (2015)'s test of independent replication.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.graph.build import (
    CLAIM_PREFIX,
    EDGE_KINDS,
    CitationGraph,
    build_graph,
    made_in_text,
)
from appraise.graph.claims import unknown_claim
from appraise.graph.facts import CATEGORIES, Allegiance, Category, WorkFacts
from appraise.graph.paths import PathCounts, count_paths
from appraise.models import Claim

Replication = Literal["yes", "no", "unknown"]


@dataclass(slots=True)  # not frozen: a trace makes one per node reached, frozen init is slow
class TracedWork:
    """A work on the way from a claim to its evidence, with the paths that reach it."""

    id: str
    label: str
    title: str
    year: int | None
    role: str
    in_corpus: bool
    terminal: bool
    judgement: str | None
    category: Category
    high_domains: tuple[str, ...]
    allegiance: Allegiance
    retracted: bool
    team: tuple[str, ...]
    weight: float | None
    supportive_paths: int
    weakening_paths: int
    amplified_paths: int

    @property
    def supports(self) -> bool:
        return self.supportive_paths > 0

    @property
    def weakens(self) -> bool:
        return self.weakening_paths > 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "title": self.title,
            "year": self.year,
            "role": self.role,
            "in_corpus": self.in_corpus,
            "judgement": self.judgement,
            "category": self.category,
            "high_domains": list(self.high_domains),
            "allegiance": self.allegiance,
            "retracted": self.retracted,
            "weight": self.weight,
            "supportive_paths": self.supportive_paths,
            "weakening_paths": self.weakening_paths,
            "paths_through_secondary_works": self.amplified_paths,
        }


@dataclass(frozen=True)
class ReplicationCheck:
    status: Replication
    studies: tuple[str, ...]
    reason: str


@dataclass
class ClaimTrace:
    """One claim's evidence: the studies its support reaches and what is at high risk."""

    claim: Claim
    rubric: str
    scale: list[str]
    studies: list[TracedWork]
    through: list[TracedWork]
    edges: list[tuple[str, str, str]]
    mentioned: list[str]
    citation_bias: list[str]
    cycles: int
    notes: list[str] = field(default_factory=list)

    # --- the figures -----------------------------------------------------------------------
    @property
    def supporting(self) -> list[TracedWork]:
        return [s for s in self.studies if s.supports]

    @property
    def weakening(self) -> list[TracedWork]:
        return [s for s in self.studies if s.weakens]

    @property
    def by_judgement(self) -> dict[str, int]:
        counts = Counter(s.judgement or "unappraised" for s in self.supporting)
        order = [*self.scale, *sorted(set(counts) - {*self.scale, "unappraised"}), "unappraised"]
        return {label: counts[label] for label in order if counts[label]}

    @property
    def by_category(self) -> dict[str, int]:
        counts = Counter(s.category for s in self.supporting)
        return {c: counts[c] for c in CATEGORIES}

    @property
    def high_share_of_studies(self) -> float | None:
        n = len(self.supporting)
        return self.by_category["high"] / n if n else None

    @property
    def weights_complete(self) -> bool:
        """Every supporting study has a weight (from the claims file or its appraisal)."""
        return bool(self.supporting) and all(s.weight is not None for s in self.supporting)

    @property
    def high_share_of_weight(self) -> float | None:
        """GRADE's question: how much of the support's weight do high-risk studies carry.
        Equal weights unless every supporting study has one (a partial set would mislead)."""
        if not self.weights_complete:
            return self.high_share_of_studies
        total = sum(s.weight or 0.0 for s in self.supporting)
        high = sum(s.weight or 0.0 for s in self.supporting if s.category == "high")
        return high / total if total else None

    @property
    def weight_basis(self) -> str:
        given = sum(1 for s in self.supporting if s.weight is not None)
        if self.weights_complete:
            return "given weights"
        if given:
            return f"equal weights: weights given for only {given} of {len(self.supporting)}"
        return "equal weights: none given"

    def paths_by_category(self, kind: Literal["supportive", "weakening"]) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
        for s in self.studies:
            counts[s.category] += s.supportive_paths if kind == "supportive" else s.weakening_paths
        return {**counts, "total": sum(counts.values())}

    @property
    def low_risk_remainder(self) -> list[TracedWork]:
        return [s for s in self.supporting if s.category == "low"]

    @property
    def survives_without_high_risk(self) -> bool:
        """Some low-risk study still supports the claim once high-risk studies are set aside."""
        return bool(self.low_risk_remainder)

    @property
    def low_risk_weakening(self) -> list[TracedWork]:
        return [s for s in self.weakening if s.category == "low"]

    @property
    def replication(self) -> ReplicationCheck:
        return independent_replication(self.low_risk_remainder)

    @property
    def retracted(self) -> list[TracedWork]:
        return [w for w in [*self.studies, *self.through] if w.retracted]

    @property
    def amplified_paths(self) -> int:
        return sum(s.amplified_paths for s in self.studies)

    @property
    def secondary_works(self) -> list[TracedWork]:
        return [w for w in self.through if w.role != "claim"]

    def sort_key(self) -> tuple[Any, ...]:
        """Worst first: claims with no low-risk support left, then by high-risk share."""
        return (
            self.survives_without_high_risk,
            -(self.high_share_of_weight or 0.0),
            -(self.high_share_of_studies or 0.0),
            -self.by_category["high"],
            self.claim.id,
        )

    def summary(self) -> dict[str, Any]:
        supportive = self.paths_by_category("supportive")
        replication = self.replication
        return {
            "supporting_studies": len(self.supporting),
            "weakening_studies": len(self.weakening),
            "by_judgement": self.by_judgement,
            "by_category": self.by_category,
            "high_risk_share_of_studies": self.high_share_of_studies,
            "high_risk_share_of_weight": self.high_share_of_weight,
            "weight_basis": self.weight_basis,
            "supportive_paths": supportive,
            "weakening_paths": self.paths_by_category("weakening")["total"],
            "survives_without_high_risk": self.survives_without_high_risk,
            "low_risk_remainder": [s.id for s in self.low_risk_remainder],
            "low_risk_weakening": [s.id for s in self.low_risk_weakening],
            "independent_replication": {
                "status": replication.status,
                "studies": list(replication.studies),
                "reason": replication.reason,
            },
            "retracted": [w.id for w in self.retracted],
            "amplification": {
                "supportive_paths_through_secondary_works": self.amplified_paths,
                "share": (
                    self.amplified_paths / supportive["total"] if supportive["total"] else None
                ),
                "secondary_works": [w.id for w in self.secondary_works],
            },
            "citation_bias": self.citation_bias,
            "cycles_condensed": self.cycles,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "claim": {
                "id": self.claim.id,
                "text": self.claim.text,
                "made_in": made_in_text(self.claim),
                "source_id": self.claim.made_in.id,
            },
            "rubric": self.rubric,
            "summary": self.summary(),
            "studies": [s.to_json() for s in self.studies],
            "through": [w.to_json() for w in self.through],
            "edges": [list(e) for e in self.edges],
            "mentioned": self.mentioned,
            "notes": self.notes,
        }


def independent_replication(low_risk: list[TracedWork]) -> ReplicationCheck:
    """Tolin et al. (2015): at least two low-risk studies by teams without allegiance.

    Teams are independent when no author is shared. 'yes' needs two studies with allegiance
    judged absent and disjoint, known author lists; 'unknown' when such a pair could exist but
    allegiance or authorship is not known; 'no' otherwise."""
    clear = [s for s in low_risk if s.allegiance == "none" and s.team]
    pair = _disjoint_pair(clear)
    if pair:
        return ReplicationCheck(
            "yes", pair, "two low-risk studies by independent teams, allegiance judged absent"
        )
    open_ = [s for s in low_risk if s.allegiance in ("none", "unknown")]
    pair = _disjoint_pair(open_, unknown_team_counts=True)
    if pair:
        return ReplicationCheck(
            "unknown",
            pair,
            "allegiance or authorship not appraised for "
            "low-risk studies that could replicate each other",
        )
    if len(low_risk) < 2:
        reason = f"{len(low_risk)} low-risk supporting stud{'y' if len(low_risk) == 1 else 'ies'}"
    else:
        reason = "the low-risk studies share authors or show allegiance"
    return ReplicationCheck("no", (), reason)


def _disjoint_pair(studies: list[TracedWork], unknown_team_counts: bool = False) -> tuple[str, ...]:
    """Two studies with no author in common, found through an author index (not all pairs)."""
    if len(studies) < 2:
        return ()
    if unknown_team_counts:
        unknown = [s for s in studies if not s.team]
        if unknown:
            other = next(s for s in studies if s is not unknown[0])
            return (unknown[0].id, other.id)
    by_author: dict[str, set[int]] = {}
    for i, s in enumerate(studies):
        for name in s.team:
            by_author.setdefault(name, set()).add(i)
    for s in studies:
        overlapping = set().union(*(by_author[name] for name in s.team))
        if len(overlapping) < len(studies):
            j = next(j for j in range(len(studies)) if j not in overlapping)
            return (s.id, studies[j].id)
    return ()


# --- from the graph to a trace -------------------------------------------------------------


def _direct_weights(graph: CitationGraph, counts: PathCounts) -> dict[int, float]:
    """The largest weight any claim in the trace gives a work it cites."""
    weights: dict[int, float] = {}
    for claim in counts.nodes[counts.nodes < len(graph.claims)].tolist():
        for target, _, weight in graph.out_edges(claim):
            if weight is not None:
                weights[target] = max(weight, weights.get(target, 0.0))
    return weights


def _traced(
    graph: CitationGraph,
    i: int,
    terminal: bool,
    paths: tuple[int, int, int, int],
    weights: dict[int, float],
) -> TracedWork:
    """One node of the trace; ``paths`` are its supportive, onward weakening, ending
    weakening and direct path counts."""
    supportive, weakening, weakening_end, direct = paths
    node = graph.nodes[i]
    facts = graph.works.get(node)
    verdict = graph.judged.get(node)
    claim = graph.is_claim(i)
    return TracedWork(
        id=node,
        label=node[len(CLAIM_PREFIX) :] if claim else (facts.label if facts else node),
        title=facts.title if facts else "",
        year=facts.year if facts else None,
        role="claim" if claim else (facts.role if facts else "unknown"),
        in_corpus=facts is not None,
        terminal=terminal,
        judgement=verdict.judgement if verdict else None,
        category=verdict.category if verdict else "unappraised",
        high_domains=verdict.high_domains if verdict else (),
        allegiance=graph.allegiance.get(node, "unknown"),
        retracted=bool(facts and facts.retracted),
        team=facts.team if facts else (),
        weight=weights.get(i, verdict.weight if verdict else None),
        supportive_paths=supportive,
        weakening_paths=weakening_end + (weakening if terminal else 0),
        amplified_paths=supportive - direct,
    )


def _source_record(graph: CitationGraph, claim: Claim) -> WorkFacts | None:
    """The stored record of the guideline or review that makes the claim, if there is one."""
    if not claim.made_in.id:
        return None
    try:
        return graph.works.get(graph.node_for(claim.made_in.id))
    except InputError:
        return None


def _uncited_by_source(graph: CitationGraph, claim: Claim, subclaims: list[Claim]) -> set[str]:
    """Works the claim's source is known not to cite: marked cited_by_source: false in the
    claims file, or missing from the source's references when the source is a stored record."""
    uncited = {
        graph.node_for(c.target) for sc in subclaims for c in sc.cites if not c.cited_by_source
    }
    source = _source_record(graph, claim)
    if source is not None and source.references:
        cited = {graph.node_for(c.target) for c in claim.cites if c.cited_by_source}
        cited |= {graph.aliases.get(ref, ref) for ref in source.references}
        uncited |= set(graph.works) - cited
    return uncited


def trace(graph: CitationGraph, claim_id: str) -> ClaimTrace:
    """Trace one claim in a built graph."""
    claim_id = claim_id.removeprefix(CLAIM_PREFIX)
    if claim_id not in graph.claims:
        raise unknown_claim(claim_id, list(graph.claims), graph.claims_file)
    counts = count_paths(graph, graph.index[CLAIM_PREFIX + claim_id])
    weights = _direct_weights(graph, counts)
    # Only what some path runs through: a work reached solely as weakening evidence is where
    # its paths end, so what it cites is not part of this claim's trace.
    walked = (counts.supportive + counts.weakening) > 0
    works = [
        _traced(graph, i, terminal, (supportive, weakening, weakening_end, direct), weights)
        for i, terminal, supportive, weakening, weakening_end, direct in zip(
            counts.nodes.tolist(),
            graph.terminal[counts.nodes].tolist(),
            counts.supportive.tolist(),
            counts.weakening.tolist(),
            counts.weakening_end.tolist(),
            counts.direct.tolist(),
            strict=True,
        )
    ]
    evidence = [
        w for w in works if w.role != "claim" and ((w.terminal and w.supports) or w.weakens)
    ]
    severity = {c: n for n, c in enumerate(CATEGORIES)}
    studies = sorted(evidence, key=lambda w: (severity[w.category], -w.supportive_paths, w.label))
    through = [w for pos, w in enumerate(works) if pos and walked[pos] and not w.terminal]
    claim = graph.claims[claim_id]
    subclaims = [graph.claims[w.id[len(CLAIM_PREFIX) :]] for w in through if w.role == "claim"]
    subclaims.insert(0, claim)
    uncited = _uncited_by_source(graph, claim, subclaims)
    ids = [w.id for w in works]
    edges = [
        (ids[s], ids[t], EDGE_KINDS[k])
        for s, t, k in zip(
            counts.edge_source.tolist(),
            counts.edge_target.tolist(),
            counts.edge_kind.tolist(),
            strict=True,
        )
        if walked[s]
    ]
    mentioned = [
        graph.nodes[t]
        for sc in subclaims
        for t, kind, _ in graph.out_edges(graph.index[CLAIM_PREFIX + sc.id])
        if kind == "mentions"
    ]
    notes = []
    outside = sum(1 for s in studies if not s.in_corpus)
    if outside:
        notes.append(
            f"{outside} cited work{'s are' if outside > 1 else ' is'} not in the "
            "corpus: counted as unappraised"
        )
    dead_ends = [s.label for s in studies if s.supports and s.role in ("review", "commentary")]
    if dead_ends:
        notes.append(
            f"{len(dead_ends)} supporting review(s) or commentary(ies) with no known references "
            f"counted as evidence themselves: {', '.join(dead_ends[:5])}"
        )
    return ClaimTrace(
        claim=claim,
        rubric=graph.rubric.id,
        scale=graph.rubric.labels,
        studies=studies,
        through=through,
        edges=edges,
        mentioned=mentioned,
        citation_bias=sorted(s.id for s in studies if s.weakens and s.id in uncited),
        cycles=counts.cycles,
        notes=notes,
    )


def trace_claim(corpus: Corpus, claim_id: str, rubric: str) -> ClaimTrace:
    """Trace ``claim_id`` in ``corpus`` with judgements under ``rubric``."""
    return trace(build_graph(corpus, rubric), claim_id)


def trace_all(corpus: Corpus, rubric: str) -> list[ClaimTrace]:
    """Every claim in the corpus, worst first."""
    graph = build_graph(corpus, rubric)
    return sorted((trace(graph, cid) for cid in graph.claims), key=ClaimTrace.sort_key)
