"""`appraise trace`, `claims`, `graph export` and `graph draw`: which claims rest on studies at
high risk of bias, over the corpus's citation graph (docs/graph.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appraise.app.workspace import open_corpus
from appraise.appraisals import default_rubric
from appraise.corpus import Corpus
from appraise.errors import NotFoundError

if TYPE_CHECKING:
    from appraise.graph import ClaimSummary, ClaimTrace
    from appraise.models import Rubric


def _graph_corpus(given: Path | None, *, need_claims: bool = True) -> Corpus:
    corpus = open_corpus(given, must_exist=True)
    if need_claims and not corpus.claims_path.exists():
        raise NotFoundError(
            f"no claims file at {corpus.claims_path}",
            fix="write claims.yaml (see docs/graph.md for its format)",
        )
    return corpus


@dataclass
class Traced:
    """One claim's trace, the rubric it was judged by, and the figure drawn (if asked)."""

    trace: ClaimTrace
    rubric: Rubric
    figure: Path | None = None

    def to_json(self) -> dict[str, Any]:
        return self.trace.to_json()


def trace(
    claim: str,
    *,
    corpus: Path | None = None,
    rubric: str | None = None,
    figure: Path | None = None,
    palette: str = "cochrane",
) -> Traced:
    """Trace ``claim`` to the primary studies it rests on; draw it to ``figure`` if given."""
    from appraise.graph import build_graph
    from appraise.graph import trace as trace_graph
    from appraise.graph.draw import draw_trace

    store = _graph_corpus(corpus)
    graph = build_graph(store, rubric or default_rubric(store))
    result = trace_graph(graph, claim)
    if figure is not None:
        draw_trace(result, figure, palette)
    return Traced(result, graph.rubric, figure)


@dataclass
class ClaimsListing:
    """Every claim's summary, worst first, and the claims file they come from."""

    traces: list[ClaimSummary]
    claims_path: Path

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {"claim": t.claim_json(), "rubric": t.rubric, "summary": t.summary()}
            for t in self.traces
        ]


def claims(corpus: Path | None = None, rubric: str | None = None) -> ClaimsListing:
    """Every claim with how much of its support is at high risk, worst first."""
    from appraise.graph import claim_summaries

    store = _graph_corpus(corpus)
    return ClaimsListing(claim_summaries(store, rubric or default_rubric(store)), store.claims_path)


@dataclass
class GraphExported:
    output: Path
    format: str
    nodes: int
    edges: int

    def to_json(self) -> dict[str, Any]:
        return {
            "output": str(self.output),
            "format": self.format,
            "nodes": self.nodes,
            "edges": self.edges,
        }


def export_graph(
    output: Path,
    *,
    corpus: Path | None = None,
    fmt: str | None = None,
    claim: str | None = None,
    rubric: str | None = None,
    palette: str = "cochrane",
) -> GraphExported:
    """Write the citation graph (or what ``claim`` reaches) with each work's judgement."""
    from appraise.graph import build_graph
    from appraise.graph.export import export_graph as write_graph
    from appraise.outputs.palette import check_palette
    from appraise.outputs.writers import GRAPHS

    chosen = GRAPHS.choose(fmt, output).format
    checked = check_palette(palette)
    store = _graph_corpus(corpus, need_claims=False)
    graph = build_graph(store, rubric or default_rubric(store))
    write_graph(graph, output, chosen, claim=claim, palette=checked)
    return GraphExported(output, chosen, graph.number_of_nodes, graph.number_of_edges)


@dataclass
class Drawn:
    output: Path
    claim: str

    def to_json(self) -> dict[str, Any]:
        return {"output": str(self.output), "claim": self.claim}


def draw_claim(
    claim: str,
    output: Path,
    *,
    corpus: Path | None = None,
    rubric: str | None = None,
    palette: str = "cochrane",
) -> Drawn:
    """Draw a claim's trace: the claim at the top, its studies coloured by judgement."""
    from appraise.graph import trace_claim
    from appraise.graph.draw import draw_trace

    store = _graph_corpus(corpus)
    draw_trace(trace_claim(store, claim, rubric or default_rubric(store)), output, palette)
    return Drawn(output, claim)
