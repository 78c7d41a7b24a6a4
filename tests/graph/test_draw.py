"""The trace figure: PNG, SVG or PDF, the same bytes every time, colour and symbol."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.graph import trace_claim
from appraise.graph.draw import MAX_DRAWN_NODES, draw_trace
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
