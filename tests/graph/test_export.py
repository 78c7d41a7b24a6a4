"""Exports carry every judgement as an attribute and read back in the tools that use them."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from appraise.corpus import Corpus
from appraise.errors import InputError, NotFoundError
from appraise.graph import build_graph
from appraise.graph.export import export_graph
from appraise.outputs.writers import GRAPHS


def test_graphml_reads_back_with_judgements(guideline_corpus: Corpus, tmp_path: Path) -> None:
    path = export_graph(build_graph(guideline_corpus, "rob2"), tmp_path / "g.graphml")
    g = nx.read_graphml(path)
    assert g.nodes["10.1000/t1"]["judgement"] == "High"
    assert g.nodes["10.1000/t1"]["high_domains"] == "D4, D5"
    assert g.nodes["10.1000/t1"]["retracted"] is False
    assert g.nodes["10.9999/not-in-corpus"]["judgement"] == "unappraised"
    assert g.nodes["claim:gsh-effective"]["kind"] == "claim"
    assert g.edges["claim:gsh-effective", "10.1000/t4"] == {"kind": "supports", "weight": 2.0}
    assert g.number_of_edges() == 9


def test_gexf_and_node_link_json_read_back(guideline_corpus: Corpus, tmp_path: Path) -> None:
    graph = build_graph(guideline_corpus, "rob2")
    gexf = nx.read_gexf(export_graph(graph, tmp_path / "g.gexf"))
    assert gexf.nodes["10.1000/t3"]["category"] == "low"
    data = json.loads(export_graph(graph, tmp_path / "g.json").read_text())
    g = nx.node_link_graph(data, edges="edges")
    assert g.nodes["10.1000/t4"]["judgement"] == "Some concerns"
    assert g.graph["rubric"] == "rob2"


def test_one_claims_part_of_the_graph(guideline_corpus: Corpus, tmp_path: Path) -> None:
    graph = build_graph(guideline_corpus, "rob2")
    g = nx.read_graphml(export_graph(graph, tmp_path / "c.graphml", claim="gsh-effective"))
    assert "claim:iapt-works" not in g
    assert "10.1000/t1" in g
    with pytest.raises(NotFoundError, match="did you mean"):
        export_graph(graph, tmp_path / "c.graphml", claim="gsh-efective")


def test_dot_and_mermaid_text(guideline_corpus: Corpus, tmp_path: Path) -> None:
    graph = build_graph(guideline_corpus, "rob2")
    dot = export_graph(graph, tmp_path / "g.dot").read_text()
    assert dot.startswith("digraph citations {")
    high = 'fillcolor="#BF0000", label="x Clark & Layard 2015\\nHigh (D4, D5)"'
    assert f'"10.1000/t1" [shape=ellipse, {high}];' in dot
    assert (
        '"claim:gsh-effective" -> "10.1000/t5" [kind=weakens, style=dashed, label=weakens];' in dot
    )
    mermaid = export_graph(graph, tmp_path / "g.mmd", "mermaid").read_text()
    assert mermaid.startswith("flowchart TD\n")
    assert '(["x Clark 2015<br/>High (D4)"])' in mermaid
    assert "-. weakens .->" in mermaid
    assert "fill:#BF0000" in mermaid
    colourblind = export_graph(graph, tmp_path / "b.mmd", palette="colourblind").read_text()
    assert "fill:#d95f0e" in colourblind


def test_format_from_extension_or_a_clear_error() -> None:
    assert GRAPHS.choose(None, Path("x.gv")).format == "dot"
    assert GRAPHS.choose("gexf", Path("x.out")).format == "gexf"
    with pytest.raises(InputError, match="cannot tell the graph format of 'x.txt'"):
        GRAPHS.choose(None, Path("x.txt"))
    with pytest.raises(InputError, match="unknown graph format 'png'"):
        GRAPHS.choose("png", Path("x.png"))
