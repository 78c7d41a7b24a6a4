"""The citation graph: which claims rest on which studies, and how many of those are at high
risk of bias (Greenberg, BMJ 2009; GRADE). See docs/graph.md."""

from appraise.graph.build import CitationGraph, build_graph
from appraise.graph.draw import draw_trace
from appraise.graph.export import (
    dot_text,
    export_graph,
    gexf_bytes,
    graphml_bytes,
    json_bytes,
    mermaid_text,
    networkx_graph,
)
from appraise.graph.trace import (
    ClaimSummary,
    ClaimTrace,
    TracedWork,
    claim_summaries,
    summarize_all,
    trace,
    trace_all,
    trace_claim,
)

__all__ = [
    "CitationGraph",
    "ClaimSummary",
    "ClaimTrace",
    "TracedWork",
    "build_graph",
    "claim_summaries",
    "dot_text",
    "draw_trace",
    "export_graph",
    "gexf_bytes",
    "graphml_bytes",
    "json_bytes",
    "mermaid_text",
    "networkx_graph",
    "summarize_all",
    "trace",
    "trace_all",
    "trace_claim",
]
