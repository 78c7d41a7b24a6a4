"""The colours every table, figure and graph export uses: the rubric's scale (Cochrane palette
or its colour-blind variant, from the rubric file), robvis' colours for the words beyond a
scale, and the one rule for legible text on a fill. Symbols always go with colours."""

from __future__ import annotations

from functools import cache
from typing import Literal

from appraise.errors import InputError

Palette = Literal["cochrane", "colourblind"]
PALETTES: tuple[str, ...] = ("cochrane", "colourblind")

# The words robvis accepts beyond a tool's own scale, drawn as robvis draws them:
# label -> (symbol, Cochrane colour, colour-blind colour; robvis' colour-blind white).
BEYOND_SCALE: dict[str, tuple[str, str, str]] = {
    "No information": ("?", "#4EA1F7", "#ffffff"),
    "Not applicable": ("/", "#cccccc", "#cccccc"),
}


def check_palette(palette: str) -> Palette:
    if palette not in PALETTES:
        raise InputError(f"unknown palette '{palette}'", fix=f"use one of: {', '.join(PALETTES)}")
    return palette  # type: ignore[return-value]


@cache
def ink_for(colour: str) -> Literal["black", "white"]:
    """Black text, or white on dark fills (e.g. Critical), so symbols and words stay legible."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "white" if 0.299 * red + 0.587 * green + 0.114 * blue < 110 else "black"


def ink_hex(colour: str) -> str:
    """:func:`ink_for` as a hex colour (for DOT, Mermaid and the claim figures)."""
    return "#ffffff" if ink_for(colour) == "white" else "#000000"
