"""Exporting the citation graph: GraphML, GEXF, JSON node-link, Graphviz DOT and Mermaid.

Every node carries its judgement, category, the domains at high risk and allegiance as flat
attributes (strings, numbers, booleans; never None or lists, which GraphML cannot hold).
GraphML, GEXF and node-link JSON are written by networkx; DOT and Mermaid are plain text
written here, so neither Graphviz nor a Mermaid toolchain is needed to produce them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from appraise.files import atomic_write_bytes
from appraise.graph.build import CitationGraph
from appraise.graph.paths import reachable
from appraise.graph.style import node_style
from appraise.outputs.palette import Palette

if TYPE_CHECKING:
    import networkx as nx


def networkx_graph(graph: CitationGraph, claim: str | None = None) -> nx.DiGraph:
    """The whole graph, or only what ``claim`` reaches (its trace's subgraph)."""
    if claim is None:
        return graph.to_networkx()
    root = graph.index.get("claim:" + claim.removeprefix("claim:"))
    if root is None:
        from appraise.graph.claims import unknown_claim

        raise unknown_claim(claim, list(graph.claims), graph.claims_file)
    nodes, _, _, _ = reachable(graph, root)
    return graph.to_networkx(nodes.tolist())


def graphml_bytes(g: nx.DiGraph) -> bytes:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml(g, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def gexf_bytes(g: nx.DiGraph) -> bytes:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_gexf(g, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def json_bytes(g: nx.DiGraph) -> bytes:
    import networkx as nx

    data = nx.node_link_data(g, edges="edges")
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _node_label(attrs: dict[str, object], symbol: str) -> str:
    label = str(attrs.get("label", ""))
    if attrs.get("kind") == "claim":
        return f"claim: {label}"
    judgement = str(attrs.get("judgement", ""))
    domains = f" ({attrs['high_domains']})" if attrs.get("high_domains") else ""
    retracted = " RETRACTED" if attrs.get("retracted") else ""
    if attrs.get("role") in ("review", "commentary") and judgement == "unappraised":
        return f"{symbol} {label} [{attrs['role']}]{retracted}"
    return f"{symbol} {label}\n{judgement}{domains}{retracted}"


def _styles(g: nx.DiGraph, graph: CitationGraph, palette: Palette) -> dict[str, tuple[str, str]]:
    """node -> (fill colour, label) for the text formats."""
    out: dict[str, tuple[str, str]] = {}
    for node, attrs in g.nodes(data=True):
        terminal = bool(graph.terminal[graph.index[node]])
        judgement = attrs.get("judgement")
        style = node_style(
            str(attrs.get("kind")),
            str(attrs.get("role", "")),
            None if judgement in (None, "unappraised", "incomplete") else judgement,
            terminal,
            graph.rubric,
            palette,
        )
        out[node] = (style.colour, _node_label(attrs, style.symbol))
    return out


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def dot_text(g: nx.DiGraph, graph: CitationGraph, palette: Palette = "cochrane") -> str:
    styles = _styles(g, graph, palette)
    lines = [
        "digraph citations {",
        "  rankdir=TB;",
        '  node [style=filled, fontname="Helvetica", fontsize=10];',
    ]
    for node, attrs in g.nodes(data=True):
        colour, label = styles[node]
        shape = "box" if attrs.get("kind") == "claim" else "ellipse"
        lines.append(
            f"  {_dot_quote(node)} [shape={shape}, fillcolor={_dot_quote(colour)}, "
            f"label={_dot_quote(label)}];"
        )
    for source, target, attrs in g.edges(data=True):
        extra = (
            ", style=dashed, label=weakens"
            if attrs.get("kind") == "weakens"
            else (", style=dotted, label=mentions" if attrs.get("kind") == "mentions" else "")
        )
        lines.append(
            f"  {_dot_quote(source)} -> {_dot_quote(target)} [kind={attrs['kind']}{extra}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_quote(text: str) -> str:
    return '"' + text.replace('"', "#quot;").replace("\n", "<br/>") + '"'


def mermaid_text(g: nx.DiGraph, graph: CitationGraph, palette: Palette = "cochrane") -> str:
    """A Mermaid flowchart (renders in GitHub Markdown); node ids are n0, n1 ... because
    Mermaid ids cannot hold the slashes and dots of DOIs."""
    styles = _styles(g, graph, palette)
    ids = {node: f"n{i}" for i, node in enumerate(g.nodes)}
    lines = ["flowchart TD"]
    classes: dict[str, list[str]] = {}
    for node, attrs in g.nodes(data=True):
        colour, label = styles[node]
        opening, closing = ("[", "]") if attrs.get("kind") == "claim" else ("([", "])")
        lines.append(f"  {ids[node]}{opening}{_mermaid_quote(label)}{closing}")
        classes.setdefault(colour, []).append(ids[node])
    for source, target, attrs in g.edges(data=True):
        arrow = {"weakens": "-. weakens .->", "mentions": "-. mentions .->"}.get(
            str(attrs["kind"]), "-->"
        )
        lines.append(f"  {ids[source]} {arrow} {ids[target]}")
    for n, (colour, members) in enumerate(sorted(classes.items())):
        lines.append(f"  classDef c{n} fill:{colour},stroke:#333333")
        lines.append(f"  class {','.join(members)} c{n}")
    return "\n".join(lines) + "\n"


def dot_bytes(g: nx.DiGraph, *, graph: CitationGraph, palette: Palette = "cochrane") -> bytes:
    return dot_text(g, graph, palette).encode("utf-8")


def mermaid_bytes(g: nx.DiGraph, *, graph: CitationGraph, palette: Palette = "cochrane") -> bytes:
    return mermaid_text(g, graph, palette).encode("utf-8")


def export_graph(
    graph: CitationGraph,
    path: Path,
    fmt: str | None = None,
    claim: str | None = None,
    palette: Palette = "cochrane",
) -> Path:
    """Write the graph (or one claim's part of it) to ``path`` in ``fmt`` (else by extension;
    the formats are appraise.outputs.writers.GRAPHS)."""
    from appraise.outputs.writers import GRAPHS

    writer = GRAPHS.choose(fmt, path)
    content = writer.render(networkx_graph(graph, claim), graph=graph, palette=palette)
    atomic_write_bytes(path, content if isinstance(content, bytes) else content.encode())
    return path
