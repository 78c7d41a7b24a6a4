"""Drawing a claim's trace: the claim at the top, works that pass support on in between, the
studies it rests on at the bottom, each marked by judgement with colour and symbol.

Written with matplotlib's object API (no pyplot state) and fixed metadata, so the same trace
gives the same bytes every time (svg.hashsalt fixes SVG ids; dates and versions are left out).
"""

from __future__ import annotations

import io
import math
import textwrap
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from appraise.errors import InputError
from appraise.files import atomic_write_bytes
from appraise.graph.style import (
    figure_metadata,
    figure_settings,
    figure_stamp,
    legend_styles,
    node_style,
)
from appraise.graph.trace import ClaimTrace, TracedWork
from appraise.outputs.palette import Palette, check_palette

MAX_DRAWN_NODES = 200
FIGURE_DPI = 200  # as the risk-of-bias figures
PER_ROW = 20
# (line style, colour) per link kind; a reference-list citation is lighter than a claim's own.
_EDGE_STYLES: dict[str, tuple[Literal["-", ":"], str]] = {
    "supports": ("-", "#555555"),
    "weakens": (":", "#7a0177"),
    "cites": ("-", "#9e9e9e"),
}
_EDGE_LEGEND = {
    "supports": "cited in support",
    "weakens": "cited against (weakens)",
    "cites": "in a reference list",
}
Point = tuple[float, float]
# The drawing area (figure fractions) and its data limits: nodes sit in [0, 1] x [0, 1].
_AXES = (0.02, 0.12, 0.96, 0.72)
_XLIM = (-0.02, 1.02)
_YLIM = (-0.3, 1.12)


def _side(work: TracedWork | None) -> int:
    """Where a work sits in its row: what supports the claim on the left, what is cited both
    ways in the middle, what weakens it on the right."""
    if work is None or not work.weakens:
        return 0
    return 1 if work.supports else 2


def _to_inches(point: Point, width: float, height: float) -> Point:
    """A node's position on the page, in inches (edges are routed there, where a node's size
    is fixed whatever the figure's aspect)."""
    left, bottom, span_x, span_y = _AXES
    x = (left + span_x * (point[0] - _XLIM[0]) / (_XLIM[1] - _XLIM[0])) * width
    y = (bottom + span_y * (point[1] - _YLIM[0]) / (_YLIM[1] - _YLIM[0])) * height
    return (x, y)


def _layers(trace: ClaimTrace) -> list[list[str]]:
    """Rows from the top: the claim, what it cites (by shortest distance), and the studies at
    the bottom; within a row, supporting works come first and weakening ones last (grouped,
    never interleaved), each under the mean position of what cites it. Rows of more than
    PER_ROW nodes wrap onto the next line."""
    works = {w.id: w for w in [*trace.studies, *trace.through]}
    root = f"claim:{trace.claim.id}"
    children: dict[str, list[str]] = {}
    parents: dict[str, list[str]] = {}
    for source, target, _ in trace.edges:
        children.setdefault(source, []).append(target)
        parents.setdefault(target, []).append(source)
    depth = {root: 0}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        for child in children.get(node, []):
            if child not in depth:
                depth[child] = depth[node] + 1
                queue.append(child)
    studies = {s.id for s in trace.studies}
    middle_rows = max((d for n, d in depth.items() if n not in studies), default=0)
    rows: list[list[str]] = [[] for _ in range(middle_rows + 2)]
    for node, d in sorted(depth.items(), key=lambda kv: kv[1]):
        rows[-1 if node in studies else d].append(node)
    position: dict[str, float] = {root: 0.0}
    for row in rows[1:]:

        def centre(node: str) -> float:
            placed = [position[p] for p in parents.get(node, []) if p in position]
            return sum(placed) / len(placed) if placed else 0.0

        row.sort(key=lambda n: (_side(works.get(n)), centre(n), n))
        for i, node in enumerate(row):
            position[node] = i - (len(row) - 1) / 2
    # Long rows wrap, so a claim resting on a hundred studies stays legible.
    return [row[i : i + PER_ROW] for row in rows for i in range(0, len(row), PER_ROW)]


# Room a drawn node takes, in inches: its marker, and its caption below it.
NODE_RADIUS = 0.2
CAPTION_DEPTH = 0.4
_BENDS = (0.0, 0.15, -0.15, 0.3, -0.3, 0.45, -0.45, 0.6, -0.6, 0.8, -0.8)


def _curve(start: Point, end: Point, bend: float, steps: int = 40) -> list[Point]:
    """Points along matplotlib's arc3 connection from ``start`` to ``end`` (a quadratic
    Bezier whose control point sits ``bend`` times the chord off its middle)."""
    (x1, y1), (x2, y2) = start, end
    cx, cy = (x1 + x2) / 2 + bend * (y2 - y1), (y1 + y2) / 2 - bend * (x2 - x1)
    points = []
    for step in range(1, steps):
        t = step / steps
        points.append(
            (
                (1 - t) ** 2 * x1 + 2 * t * (1 - t) * cx + t**2 * x2,
                (1 - t) ** 2 * y1 + 2 * t * (1 - t) * cy + t**2 * y2,
            )
        )
    return points


def _clearance(point: Point, node: Point) -> float:
    """Distance (inches) from ``point`` to a node's marker and the caption hanging below it."""
    x, y = node
    nearest_y = min(max(point[1], y - CAPTION_DEPTH), y)
    return math.hypot(point[0] - x, point[1] - nearest_y) - NODE_RADIUS


def edge_clearance(positions: dict[str, Point], source: str, target: str, bend: float) -> float:
    """How close (inches) the edge from ``source`` to ``target``, bent by ``bend``, comes to
    any other node: negative when it runs through one."""
    others = [xy for node, xy in positions.items() if node not in (source, target)]
    path = _curve(positions[source], positions[target], bend)
    return min((_clearance(p, n) for p in path for n in others), default=math.inf)


def route_edges(
    positions: dict[str, Point], edges: list[tuple[str, str, str]]
) -> dict[tuple[str, str], float]:
    """A bend for each edge (positions in inches) so it passes no other node: straight when
    it can, else the gentlest curve that clears every node; the clearest curve otherwise."""
    routes: dict[tuple[str, str], float] = {}
    for source, target, _ in edges:
        best, best_room = 0.0, -math.inf
        for bend in _BENDS:  # gentlest first; stop at the first that clears every node
            room = edge_clearance(positions, source, target, bend)
            if room > best_room:
                best, best_room = bend, room
            if room > 0:
                break
        routes[(source, target)] = best
    return routes


@dataclass(frozen=True)
class TraceLayout:
    rows: list[list[str]]  # node ids, top row first
    xy: dict[str, Point]  # in the axes' data units
    inches: dict[str, Point]  # on the page
    width: float
    height: float


def trace_layout(trace: ClaimTrace) -> TraceLayout:
    """Where each node of ``trace`` goes, and the figure's size in inches."""
    rows = _layers(trace)
    if sum(len(r) for r in rows) > MAX_DRAWN_NODES:
        raise InputError(
            f"claim '{trace.claim.id}' reaches {sum(len(r) for r in rows)} works, too many to "
            f"draw legibly (at most {MAX_DRAWN_NODES})",
            fix="export it instead: appraise graph export --claim ID --format graphml",
        )
    widest = max(len(r) for r in rows)
    width = min(max(8.0, 1.1 * widest + 2), 40.0)
    height = 2.5 + 1.3 * len(rows)
    xy: dict[str, Point] = {}
    for level, row in enumerate(rows):
        for i, node in enumerate(row):
            xy[node] = ((i + 0.5) / len(row), 1.0 - level / max(1, len(rows) - 1))
    inches = {node: _to_inches(point, width, height) for node, point in xy.items()}
    return TraceLayout(rows, xy, inches, width, height)


def _figure_bytes(trace: ClaimTrace, fmt: str, palette: Palette, profile: str | None) -> bytes:
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from appraise.rubrics import load_rubric

    rubric = load_rubric(trace.rubric)
    works: dict[str, TracedWork] = {w.id: w for w in [*trace.studies, *trace.through]}
    layout = trace_layout(trace)
    width, height, xy = layout.width, layout.height, layout.xy
    widest = max(len(r) for r in layout.rows)
    bends = route_edges(layout.inches, trace.edges)

    with figure_settings({"pdf.fonttype": 42}):
        fig = Figure(figsize=(width, height), dpi=100)
        ax = fig.add_axes(_AXES)
        ax.set_xlim(*_XLIM)
        ax.set_ylim(*_YLIM)
        ax.axis("off")
        for source, target, kind in trace.edges:
            (x0, y0), (x1, y1) = xy[source], xy[target]
            line_style, line_colour = _EDGE_STYLES.get(kind, _EDGE_STYLES["supports"])
            ax.annotate(
                "",
                xy=(x1, y1),
                xytext=(x0, y0),
                zorder=1,
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": line_colour,
                    "linestyle": line_style,
                    "shrinkA": 12,
                    "shrinkB": 12,
                    "lw": 1.0,
                    "connectionstyle": f"arc3,rad={bends[(source, target)]}",
                },
            )
        small = 7 if widest > 12 else 8
        for node, (x, y) in xy.items():
            if node.startswith("claim:"):
                claim_text = (
                    trace.claim.text if node == f"claim:{trace.claim.id}" else works[node].label
                )
                ax.text(
                    x,
                    y,
                    textwrap.fill(claim_text, 70),
                    ha="center",
                    va="center",
                    fontsize=9,
                    zorder=3,
                    bbox={"boxstyle": "round,pad=0.4", "fc": "#ffffff", "ec": "#333333"},
                )
                continue
            work = works[node]
            style = node_style("work", work.role, work.judgement, work.terminal, rubric, palette)
            marker = "o" if work.terminal else "s"
            ax.scatter(
                [x],
                [y],
                s=420,
                c=[style.colour],
                marker=marker,
                edgecolors="#333333",
                linewidths=1.5 if work.weakens and not work.supports else 0.8,
                zorder=2,
            )
            ax.text(
                x,
                y,
                style.symbol,
                ha="center",
                va="center",
                fontsize=11,
                fontweight="bold",
                color=style.text_colour,
                zorder=3,
            )
            caption = textwrap.fill(work.label, 16)
            if work.retracted:
                caption += "\nRETRACTED"
            if work.high_domains:
                caption += "\n" + ", ".join(work.high_domains)
            ax.text(x, y - 0.045, caption, ha="center", va="top", fontsize=small, zorder=3)
        handles = [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=12,
                markerfacecolor=s.colour,
                markeredgecolor="#333333",
                label=f"{s.symbol}  {s.legend}",
            )
            for s in legend_styles(rubric, palette)
        ]
        handles.append(
            Line2D(
                [],
                [],
                marker="s",
                linestyle="",
                markersize=12,
                markerfacecolor="#eeeeee",
                markeredgecolor="#333333",
                label="R/C  review or commentary (passes support on)",
            )
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=12,
                markerfacecolor="#ffffff",
                markeredgecolor="#333333",
                markeredgewidth=1.5,
                label="bold outline: cited only against the claim",
            )
        )
        kinds = {kind for _, _, kind in trace.edges}
        for kind, words in _EDGE_LEGEND.items():
            if kind != "cites" or kind in kinds:  # reference-list links only when drawn
                line_style, line_colour = _EDGE_STYLES[kind]
                handles.append(Line2D([], [], color=line_colour, linestyle=line_style, label=words))
        fig.legend(
            handles=handles,
            loc="lower center",
            ncol=min(4, len(handles)),
            fontsize=8,
            frameon=False,
        )
        summary = trace.summary()
        share = summary["high_risk_share_of_studies"]
        high = summary["by_category"]["high"]
        fig.suptitle(
            f"{trace.claim.id}: {high} of {summary['supporting_studies']} supporting studies at "
            f"high risk"
            + (f" ({share:.0%})" if share is not None else "")
            + f"; {rubric.name.split('(')[0].strip()}",
            fontsize=10,
            y=0.97,
        )
        buffer = io.BytesIO()
        stamp = figure_stamp(rubric, profile)
        fig.savefig(buffer, format=fmt, dpi=FIGURE_DPI, metadata=figure_metadata(fmt, stamp))
    return buffer.getvalue()


def draw_trace(
    trace: ClaimTrace, path: Path, palette: str = "cochrane", profile: str | None = None
) -> Path:
    """Draw ``trace`` to ``path`` as PNG, SVG or PDF (by extension); ``profile`` (the rubric
    profile the appraisals used) goes into the figure's metadata."""
    from appraise.outputs.writers import FIGURES

    fmt = FIGURES.for_path(path).format
    atomic_write_bytes(path, _figure_bytes(trace, fmt, check_palette(palette), profile))
    return path
