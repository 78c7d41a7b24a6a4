"""Tracing a claim to the studies it rests on, and how much of that support is at high risk.

The figures follow Greenberg (BMJ 2009) for the citation network (supportive paths,
amplification, citation bias) and GRADE for risk of bias (the share of the evidence's weight
carried by high-risk studies, and whether low-risk studies remain or say otherwise), with
Tolin et al. (2015)'s test of independent replication.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable
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
from appraise.graph.reach import reach_all_claims
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
class ClaimSummary:
    """One claim's evidence: the studies its support reaches and what is at high risk (what
    `appraise claims` lists; a :class:`ClaimTrace` adds the paths themselves)."""

    claim: Claim
    rubric: str
    scale: list[str]
    studies: list[TracedWork]
    secondary_works: list[TracedWork]  # works with no primary data the support runs through
    citation_bias: list[str]
    cycles: int

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
        return [w for w in [*self.studies, *self.secondary_works] if w.retracted]

    @property
    def amplified_paths(self) -> int:
        return sum(s.amplified_paths for s in self.studies)

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

    def claim_json(self) -> dict[str, Any]:
        return {
            "id": self.claim.id,
            "text": self.claim.text,
            "made_in": made_in_text(self.claim),
            "source_id": self.claim.made_in.id,
        }


@dataclass
class ClaimTrace(ClaimSummary):
    """A claim's summary with the works and links its paths run through."""

    through: list[TracedWork]
    edges: list[tuple[str, str, str]]
    mentioned: list[str]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim_json(),
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


def _uncited_by_source(
    graph: CitationGraph, claim: Claim, marked: Collection[str]
) -> Callable[[str], bool]:
    """Whether the claim's source is known not to cite a work: ``marked`` cited_by_source:
    false by the claim or a claim it reaches, or missing from the source's references when the
    source is a stored record."""
    source = _source_record(graph, claim)
    if source is None or not source.references:
        return marked.__contains__
    cited = {graph.node_for(c.target) for c in claim.cites if c.cited_by_source}
    cited |= {graph.aliases.get(ref, ref) for ref in source.references}
    return lambda node: node in marked or (node in graph.works and node not in cited)


def _marked(claim: Claim) -> Iterable[str]:
    return (c.target for c in claim.cites if not c.cited_by_source)


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
    studies = _sorted_studies(evidence)
    through = [w for pos, w in enumerate(works) if pos and walked[pos] and not w.terminal]
    claim = graph.claims[claim_id]
    subclaims = [graph.claims[w.id[len(CLAIM_PREFIX) :]] for w in through if w.role == "claim"]
    subclaims.insert(0, claim)
    uncited = _uncited_by_source(
        graph, claim, {graph.node_for(target) for sc in subclaims for target in _marked(sc)}
    )
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
        secondary_works=[w for w in through if w.role != "claim"],
        citation_bias=sorted(s.id for s in studies if s.weakens and uncited(s.id)),
        cycles=counts.cycles,
        through=through,
        edges=edges,
        mentioned=mentioned,
        notes=notes,
    )


def _sorted_studies(evidence: list[TracedWork]) -> list[TracedWork]:
    """Worst first, then most paths; ties keep the order works were reached in."""
    severity = {c: n for n, c in enumerate(CATEGORIES)}
    return sorted(evidence, key=lambda w: (severity[w.category], -w.supportive_paths, w.label))


def summarize_all(graph: CitationGraph) -> list[ClaimSummary]:
    """Every claim's summary from one pass over the claims (:mod:`appraise.graph.reach`): the
    same figures as ``trace(graph, claim).summary()``, without tracing each claim again
    through every claim it reaches."""
    claims = list(graph.claims.values())  # claim i is node i
    marks = {
        i: frozenset(graph.index[graph.node_for(target)] for target in _marked(claim))
        for i, claim in enumerate(claims)
    }
    summaries = []
    for claim, reach in zip(claims, reach_all_claims(graph, marks), strict=True):
        evidence: list[TracedWork] = []
        secondary: list[TracedWork] = []
        # breadth-first order, as a trace lists what it reaches
        for node in sorted(reach.distance, key=lambda w: (reach.distance[w], w)):
            supportive, weakening, weakening_end, direct = reach.counts[node]
            terminal = bool(graph.terminal[node])
            is_evidence = weakening_end + (weakening if terminal else 0) > 0 or (
                terminal and supportive > 0
            )
            passes_on = not terminal and supportive + weakening > 0
            if not (is_evidence or passes_on):
                continue
            paths = (supportive, weakening, weakening_end, direct)
            work = _traced(graph, node, terminal, paths, reach.weights)
            if is_evidence:
                evidence.append(work)
            if passes_on:
                secondary.append(work)
        studies = _sorted_studies(evidence)
        uncited = _uncited_by_source(graph, claim, {graph.nodes[i] for i in reach.marked})
        summaries.append(
            ClaimSummary(
                claim=claim,
                rubric=graph.rubric.id,
                scale=graph.rubric.labels,
                studies=studies,
                secondary_works=secondary,
                citation_bias=sorted(s.id for s in studies if s.weakens and uncited(s.id)),
                cycles=reach.cycles,
            )
        )
    return summaries


def trace_claim(corpus: Corpus, claim_id: str, rubric: str) -> ClaimTrace:
    """Trace ``claim_id`` in ``corpus`` with judgements under ``rubric``."""
    return trace(build_graph(corpus, rubric), claim_id)


def trace_all(corpus: Corpus, rubric: str) -> list[ClaimTrace]:
    """Every claim in the corpus, worst first."""
    graph = build_graph(corpus, rubric)
    return sorted((trace(graph, cid) for cid in graph.claims), key=ClaimTrace.sort_key)


def claim_summaries(corpus: Corpus, rubric: str) -> list[ClaimSummary]:
    """Every claim's summary, worst first, in one pass over the claims."""
    return sorted(summarize_all(build_graph(corpus, rubric)), key=ClaimSummary.sort_key)
