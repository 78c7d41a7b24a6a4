"""How a node looks in exports and figures: colour and symbol from the rubric's scale
(Cochrane palette or its colour-blind variant), never colour alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from appraise.errors import InputError
from appraise.models import Rubric

Palette = Literal["cochrane", "colourblind"]
PALETTES: tuple[str, ...] = ("cochrane", "colourblind")
UNAPPRAISED_COLOUR = "#cccccc"  # Cochrane's "not applicable" grey
UNAPPRAISED_SYMBOL = "∅"
SECONDARY_COLOUR = "#eeeeee"
CLAIM_COLOUR = "#ffffff"
_SECONDARY_SYMBOLS = {"review": "R", "commentary": "C"}
# The words robvis accepts beyond a tool's own scale, drawn as robvis draws them:
# label -> (symbol, Cochrane colour, colour-blind colour; robvis' colour-blind white).
BEYOND_SCALE: dict[str, tuple[str, str, str]] = {
    "No information": ("?", "#4EA1F7", "#ffffff"),
    "Not applicable": ("/", "#cccccc", "#cccccc"),
}


@dataclass(frozen=True)
class NodeStyle:
    colour: str
    symbol: str
    text_colour: str
    legend: str


def check_palette(palette: str) -> Palette:
    if palette not in PALETTES:
        raise InputError(f"unknown palette '{palette}'", fix=f"use one of: {', '.join(PALETTES)}")
    return palette  # type: ignore[return-value]


def _text_on(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour`` (relative luminance)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#000000" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "#ffffff"


def judgement_style(judgement: str | None, rubric: Rubric, palette: Palette) -> NodeStyle:
    if judgement is None:
        return NodeStyle(UNAPPRAISED_COLOUR, UNAPPRAISED_SYMBOL, "#000000", "Not appraised")
    try:
        level = rubric.level(judgement)
    except KeyError:
        if judgement in BEYOND_SCALE:
            symbol, cochrane, colourblind = BEYOND_SCALE[judgement]
            fill = cochrane if palette == "cochrane" else colourblind
            return NodeStyle(fill, symbol, _text_on(fill), judgement)
        return NodeStyle(UNAPPRAISED_COLOUR, "?", "#000000", judgement)
    colour = level.colour if palette == "cochrane" else level.colourblind
    return NodeStyle(colour, level.symbol, _text_on(colour), judgement)


def node_style(
    kind: str, role: str, judgement: str | None, terminal: bool, rubric: Rubric, palette: Palette
) -> NodeStyle:
    """Claims white, works that pass support on (reviews, commentaries) grey with R/C, and
    the studies support ends at by their judgement."""
    if kind == "claim":
        return NodeStyle(CLAIM_COLOUR, "", "#000000", "Claim")
    if not terminal and role in _SECONDARY_SYMBOLS:
        return NodeStyle(
            SECONDARY_COLOUR,
            _SECONDARY_SYMBOLS[role],
            "#000000",
            f"{role.capitalize()} (no primary data)",
        )
    return judgement_style(judgement, rubric, palette)


def legend_styles(rubric: Rubric, palette: Palette) -> list[NodeStyle]:
    return [judgement_style(label, rubric, palette) for label in rubric.labels] + [
        judgement_style(None, rubric, palette)
    ]


def figure_stamp(rubric: Rubric, profile: str | None) -> str:
    """The line every figure carries in its metadata, so a figure found alone still says what
    drew it: e.g. 'appraise 0.1.0; RoB 2 version 2019-08-22; profile cochrane'."""
    from appraise import __version__

    tool = rubric.name.split(" (")[0]
    stamp = f"appraise {__version__}; {tool} version {rubric.version}"
    return stamp + (f"; profile {profile}" if profile else "; profile as each appraisal states")


def figure_metadata(fmt: str, stamp: str) -> dict[str, str | None]:
    """Metadata for matplotlib's savefig: the stamp as PNG text, SVG and PDF description;
    no dates or library versions, so the same data gives the same bytes."""
    from appraise import __version__

    creator = f"appraise {__version__}"
    if fmt == "png":
        return {"Software": creator, "Description": stamp}
    if fmt == "svg":
        return {"Date": None, "Creator": creator, "Description": stamp}
    return {
        "CreationDate": None,
        "ModDate": None,
        "Producer": None,
        "Creator": creator,
        "Subject": stamp,
    }
