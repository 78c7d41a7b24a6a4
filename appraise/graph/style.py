"""How a node looks in exports and figures: colour and symbol from the rubric's scale
(Cochrane palette or its colour-blind variant; appraise.outputs.palette), never colour alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from appraise.models import Rubric
from appraise.outputs.palette import BEYOND_SCALE, Palette, ink_hex

P = ParamSpec("P")
R = TypeVar("R")

UNAPPRAISED_COLOUR = "#cccccc"  # Cochrane's "not applicable" grey
UNAPPRAISED_SYMBOL = "∅"
SECONDARY_COLOUR = "#eeeeee"
CLAIM_COLOUR = "#ffffff"
_SECONDARY_SYMBOLS = {"review": "R", "commentary": "C"}


@dataclass(frozen=True)
class NodeStyle:
    colour: str
    symbol: str
    text_colour: str
    legend: str


def judgement_style(judgement: str | None, rubric: Rubric, palette: Palette) -> NodeStyle:
    if judgement is None:
        return NodeStyle(UNAPPRAISED_COLOUR, UNAPPRAISED_SYMBOL, "#000000", "Not appraised")
    try:
        level = rubric.level(judgement)
    except KeyError:
        if judgement in BEYOND_SCALE:
            symbol, cochrane, colourblind = BEYOND_SCALE[judgement]
            fill = cochrane if palette == "cochrane" else colourblind
            return NodeStyle(fill, symbol, ink_hex(fill), judgement)
        return NodeStyle(UNAPPRAISED_COLOUR, "?", "#000000", judgement)
    colour = level.colour if palette == "cochrane" else level.colourblind
    return NodeStyle(colour, level.symbol, ink_hex(colour), judgement)


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


# matplotlib settings every figure is drawn with (risk-of-bias figures and claim figures alike):
# fixed SVG ids and outlined text, so the same data gives the same bytes, and one font.
FIGURE_RC: dict[str, Any] = {
    "svg.hashsalt": "appraise",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
}


def figure_settings(extra: dict[str, Any] | None = None) -> Any:
    """A context in which figures are drawn with FIGURE_RC (and ``extra``), leaving
    matplotlib's global settings as they were."""
    import matplotlib as mpl

    settings: dict[str, Any] = {**FIGURE_RC, **(extra or {})}
    return mpl.rc_context(settings)  # type: ignore[arg-type]


def drawn_with_figure_settings(draw: Callable[P, R]) -> Callable[P, R]:
    """``draw`` run inside :func:`figure_settings`."""

    @wraps(draw)
    def styled(*args: P.args, **kwargs: P.kwargs) -> R:
        with figure_settings():
            return draw(*args, **kwargs)

    return styled
