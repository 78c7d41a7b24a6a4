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
from appraise.graph.trace import ClaimTrace, TracedWork, trace, trace_all, trace_claim

__all__ = [
    "CitationGraph",
    "ClaimTrace",
    "TracedWork",
    "build_graph",
    "dot_text",
    "draw_trace",
    "export_graph",
    "gexf_bytes",
    "graphml_bytes",
    "json_bytes",
    "mermaid_text",
    "networkx_graph",
    "trace",
    "trace_all",
    "trace_claim",
]
