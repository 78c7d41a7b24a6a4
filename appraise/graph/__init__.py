"""The citation graph: which claims rest on which studies, and how many of those are at high
risk of bias (Greenberg, BMJ 2009; GRADE). See docs/graph.md."""

from appraise.graph.build import CitationGraph, build_graph, default_rubric
from appraise.graph.trace import ClaimTrace, TracedWork, trace, trace_all, trace_claim

__all__ = [
    "CitationGraph",
    "ClaimTrace",
    "TracedWork",
    "build_graph",
    "default_rubric",
    "trace",
    "trace_all",
    "trace_claim",
]
