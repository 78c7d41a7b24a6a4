"""Drawing a claim's trace: the claim at the top, works that pass support on in between, the
studies it rests on at the bottom, each marked by judgement with colour and symbol.

Written with matplotlib's object API (no pyplot state) and fixed metadata, so the same trace
gives the same bytes every time (svg.hashsalt fixes SVG ids; dates and versions are left out).
"""

from __future__ import annotations

import io
import textwrap
from collections import deque
from pathlib import Path

from appraise.errors import InputError
from appraise.files import atomic_write_bytes
from appraise.graph.style import Palette, check_palette, legend_styles, node_style
from appraise.graph.trace import ClaimTrace, TracedWork

FIGURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
MAX_DRAWN_NODES = 200
PER_ROW = 20
# (line style, colour) per link kind; a reference-list citation is lighter than a claim's own.
_EDGE_STYLES = {"weakens": (":", "#7a0177"), "cites": ("-", "#9e9e9e")}
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
}


def _layers(trace: ClaimTrace) -> list[list[str]]:
    """Rows from the top: the claim, what it cites (by shortest distance), and the studies at
    the bottom; within a row, nodes sit under the mean position of what cites them. Rows of
    more than PER_ROW nodes wrap onto the next line."""
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

        row.sort(key=lambda n: (centre(n), n))
        for i, node in enumerate(row):
            position[node] = i - (len(row) - 1) / 2
    # Long rows wrap, so a claim resting on a hundred studies stays legible.
    return [row[i : i + PER_ROW] for row in rows for i in range(0, len(row), PER_ROW)]


def _figure_bytes(trace: ClaimTrace, fmt: str, palette: Palette) -> bytes:
    import matplotlib as mpl
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from appraise.rubrics import load_rubric

    rubric = load_rubric(trace.rubric)
    works: dict[str, TracedWork] = {w.id: w for w in [*trace.studies, *trace.through]}
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
    xy: dict[str, tuple[float, float]] = {}
    for level, row in enumerate(rows):
        for i, node in enumerate(row):
            xy[node] = ((i + 0.5) / len(row), 1.0 - level / max(1, len(rows) - 1))

    with mpl.rc_context(
        {
            "svg.hashsalt": "appraise",
            "svg.fonttype": "path",
            "pdf.fonttype": 42,
            "font.family": "DejaVu Sans",
        }
    ):
        fig = Figure(figsize=(width, height), dpi=100)
        ax = fig.add_axes((0.02, 0.12, 0.96, 0.72))
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.3, 1.12)
        ax.axis("off")
        for source, target, kind in trace.edges:
            (x0, y0), (x1, y1) = xy[source], xy[target]
            line_style, line_colour = _EDGE_STYLES.get(kind, ("-", "#555555"))
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
        handles.append(Line2D([], [], color="#7a0177", linestyle=":", label="weakens"))
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
        fig.savefig(buffer, format=fmt, metadata=_METADATA[fmt])
    return buffer.getvalue()


def draw_trace(trace: ClaimTrace, path: Path, palette: str = "cochrane") -> Path:
    """Draw ``trace`` to ``path`` as PNG, SVG or PDF (by extension)."""
    fmt = FIGURE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"cannot draw to '{path.name}'", fix="give a file ending in .png, .svg or .pdf"
        )
    atomic_write_bytes(path, _figure_bytes(trace, fmt, check_palette(palette)))
    return path
