"""The trace figure: PNG, SVG or PDF, the same bytes every time, colour and symbol."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.graph import trace_all, trace_claim
from appraise.graph.draw import (
    MAX_DRAWN_NODES,
    draw_trace,
    edge_clearance,
    route_edges,
    trace_layout,
)
from appraise.graph.trace import ClaimTrace
from tests.graph.corpora import claim, write_claims

MAGIC = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_figures_are_byte_for_byte_reproducible(
    guideline_corpus: Corpus, tmp_path: Path, suffix: str
) -> None:
    result = trace_claim(guideline_corpus, "iapt-works", "rob2")
    first = draw_trace(result, tmp_path / f"a{suffix}").read_bytes()
    second = draw_trace(result, tmp_path / f"b{suffix}").read_bytes()
    assert first.startswith(MAGIC[suffix])
    assert first == second


def test_palettes_use_the_rubric_colours(guideline_corpus: Corpus, tmp_path: Path) -> None:
    result = trace_claim(guideline_corpus, "gsh-effective", "rob2")
    cochrane = draw_trace(result, tmp_path / "c.svg").read_text().lower()
    colourblind = draw_trace(result, tmp_path / "b.svg", "colourblind").read_text().lower()
    assert "#bf0000" in cochrane and "#02c100" in cochrane
    assert "#d95f0e" in colourblind and "#bf0000" not in colourblind


def test_bad_extension_or_palette(guideline_corpus: Corpus, tmp_path: Path) -> None:
    result = trace_claim(guideline_corpus, "gsh-effective", "rob2")
    with pytest.raises(InputError, match=r"\.png, \.svg or \.pdf"):
        draw_trace(result, tmp_path / "x.jpg")
    with pytest.raises(InputError, match="unknown palette 'viridis'"):
        draw_trace(result, tmp_path / "x.png", "viridis")
    assert not (tmp_path / "x.png").exists()


def test_too_many_works_to_draw_points_to_export(corpus: Corpus, tmp_path: Path) -> None:
    write_claims(corpus, [claim("big", *(f"10.5555/{i}" for i in range(MAX_DRAWN_NODES + 1)))])
    with pytest.raises(InputError, match="export it instead"):
        draw_trace(trace_claim(corpus, "big", "rob2"), tmp_path / "x.png")


IAPT = Path(__file__).resolve().parents[2] / "corpus" / "iapt"


def _shipped_traces() -> list[ClaimTrace]:
    return trace_all(Corpus(IAPT), "psychotherapy")


def test_200_dpi_like_the_risk_of_bias_figures(guideline_corpus: Corpus, tmp_path: Path) -> None:
    result = trace_claim(guideline_corpus, "gsh-effective", "rob2")
    layout = trace_layout(result)
    width, height = Image.open(draw_trace(result, tmp_path / "t.png")).size
    assert (width, height) == (round(layout.width * 200), round(layout.height * 200))


def test_supporting_and_weakening_studies_are_grouped_not_interleaved() -> None:
    for result in _shipped_traces():
        works = {w.id: w for w in result.studies}
        for row in trace_layout(result).rows:
            sides = [
                0 if not works[n].weakens else 1 if works[n].supports else 2
                for n in row
                if n in works
            ]
            assert sides == sorted(sides), result.claim.id


def test_edges_run_clear_of_every_other_node(guideline_corpus: Corpus) -> None:
    traces = [*_shipped_traces(), trace_claim(guideline_corpus, "iapt-works", "rob2")]
    for result in traces:
        layout = trace_layout(result)
        bends = route_edges(layout.inches, result.edges)
        for source, target, _ in result.edges:
            room = edge_clearance(layout.inches, source, target, bends[(source, target)])
            assert room > 0, (result.claim.id, source, target)
    # The shipped practice-based-evidence trace has an edge a straight line would run through
    # a commentary with: it is bent round it.
    practice = next(t for t in _shipped_traces() if t.claim.id == "iapt-practice-based-evidence")
    layout = trace_layout(practice)
    straight = [
        (s, t) for s, t, _ in practice.edges if edge_clearance(layout.inches, s, t, 0.0) <= 0
    ]
    assert straight and all(route_edges(layout.inches, practice.edges)[e] != 0 for e in straight)


def test_the_legend_names_every_kind_of_link(guideline_corpus: Corpus, tmp_path: Path) -> None:
    result = trace_claim(guideline_corpus, "gsh-effective", "rob2")
    with pdfplumber.open(draw_trace(result, tmp_path / "t.pdf")) as pdf:
        text = pdf.pages[0].extract_text()
    for words in ("cited in support", "cited against (weakens)", "Low", "High", "Not appraised"):
        assert words in text
