"""robvis-style figures: the traffic-light plot and the summary bars.

The data behind each figure (study, domain, judgement, colour, symbol, weight) is built by pure
functions and tested as data; drawing is a thin matplotlib (Agg) layer over it, sized from the
data and written with fixed metadata so the same data gives the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appraise.errors import InputError
from appraise.files import atomic_write_bytes
from appraise.outputs.matrix import PALETTES, Level, Matrix, ink_for

OVERALL = "Overall"
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
# Beyond this a traffic-light plot is taller than any page or screen can show usefully.
MAX_TRAFFIC_LIGHT_STUDIES = 300


@dataclass(frozen=True)
class TrafficLightCell:
    study: str
    domain: str  # D1..Dn or 'Overall'
    judgement: str
    colour: str
    symbol: str
    weight: float | None


@dataclass(frozen=True)
class SummaryBar:
    domain: str  # D1..Dn or 'Overall'
    caption: str  # the domain's name, as the bar is labelled
    judgement: str
    colour: str
    symbol: str
    count: int
    weight: float
    percent: float  # of studies, or of total weight when weighted


def _check_palette(palette: str) -> None:
    if palette not in PALETTES:
        raise InputError(f"unknown palette '{palette}'", fix="use cochrane or colourblind")


def traffic_light_data(matrix: Matrix, palette: str = "cochrane") -> list[TrafficLightCell]:
    """One cell per study and domain, then Overall: studies in the matrix's order."""
    _check_palette(palette)
    cells: list[TrafficLightCell] = []
    for row in matrix.rows:
        judged = [(d.id, row.domains.get(d.id)) for d in matrix.domains]
        for domain, label in [*judged, (OVERALL, row.overall)]:
            level = matrix.scale.level(label)
            cells.append(
                TrafficLightCell(
                    row.name, domain, level.label, level.fill(palette), level.symbol, row.weight
                )
            )
    return cells


def summary_data(
    matrix: Matrix, palette: str = "cochrane", *, weighted: bool = False
) -> list[SummaryBar]:
    """Per domain (then Overall), the share of studies (or of weight) at each judgement, in
    severity order. Weighted summaries need a weight for every study."""
    _check_palette(palette)
    if weighted:
        missing = [row.name for row in matrix.rows if row.weight is None]
        if missing:
            raise InputError(
                f"a weighted summary needs a weight for every study; {len(missing)} have none "
                f"(e.g. {missing[0]})",
                fix="import a robvis CSV with a Weight column, or plot without --weighted",
            )
    columns = [(d.id, d.name) for d in matrix.domains] + [(OVERALL, "Overall risk of bias")]
    bars: list[SummaryBar] = []
    for domain, caption in columns:
        totals: dict[str, tuple[Level, int, float]] = {}
        for row in matrix.rows:
            label = row.overall if domain == OVERALL else row.domains.get(domain)
            level = matrix.scale.level(label)
            weight = (row.weight or 0.0) if weighted else 1.0
            _, count, mass = totals.get(level.label, (level, 0, 0.0))
            totals[level.label] = (level, count + 1, mass + weight)
        grand = sum(mass for _, _, mass in totals.values())
        for level, count, mass in sorted(totals.values(), key=lambda t: t[0].severity):
            bars.append(
                SummaryBar(
                    domain,
                    caption,
                    level.label,
                    level.fill(palette),
                    level.symbol,
                    count,
                    mass,
                    100.0 * mass / grand if grand else 0.0,
                )
            )
    return bars


def legend_levels(matrix: Matrix, labels: list[str]) -> list[Level]:
    return matrix.scale.in_order(labels)


# --- drawing ----------------------------------------------------------------------------
def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "appraise"
    plt.rcParams["svg.fonttype"] = "path"
    plt.rcParams["font.family"] = "DejaVu Sans"
    return plt


def _save(fig: Any, path: Path, fmt: str) -> None:
    metadata: dict[str, dict[str, Any]] = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
    }
    buffer = io.BytesIO()
    fig.savefig(
        buffer, format=fmt, dpi=200, metadata=metadata[fmt], bbox_inches="tight", pad_inches=0.15
    )
    atomic_write_bytes(path, buffer.getvalue())


def figure_format(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FIGURE_FORMATS:
        raise InputError(
            f"cannot tell the figure format from '{path.name}'",
            fix="end the file name in .png, .svg or .pdf",
        )
    return fmt


def draw_traffic_light(matrix: Matrix, path: Path, palette: str = "cochrane") -> None:
    """A robvis-style traffic-light plot: studies x domains and Overall."""
    if not matrix.rows:
        raise InputError("there are no studies to plot", fix="check --studies and --rubric")
    if len(matrix.rows) > MAX_TRAFFIC_LIGHT_STUDIES:
        raise InputError(
            f"a traffic-light plot of {len(matrix.rows)} studies would be unreadable "
            f"(at most {MAX_TRAFFIC_LIGHT_STUDIES})",
            fix="choose studies with --studies, or plot --kind summary",
        )
    fmt = figure_format(path)
    plt = _pyplot()
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    cells = traffic_light_data(matrix, palette)
    columns = [d.id for d in matrix.domains] + [OVERALL]
    studies = [row.name for row in matrix.rows]
    n_rows, n_cols = len(studies), len(columns)
    longest = max(len(name) for name in studies)
    captions = [f"{d.id}: {d.name}" for d in matrix.domains]
    levels = legend_levels(matrix, [c.judgement for c in cells])
    row_h = 0.42
    width = max(6.5, 0.09 * longest + 0.75 * n_cols + 2.6)
    caption_h = 0.2 * (len(captions) + 1)
    height = 1.0 + row_h * n_rows + max(caption_h, 0.22 * (len(levels) + 1)) + 0.3
    fig, ax = plt.subplots(figsize=(width, height))
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.add_patch(Rectangle((n_cols - 1.5, -0.5), 1, n_rows, color="#e3e3e3", zorder=0))
    for index in range(n_rows + 1):
        ax.axhline(index - 0.5, color="#b0b0b0", linewidth=0.6, zorder=1)
    for index in range(n_cols + 1):
        ax.axvline(index - 0.5, color="#b0b0b0", linewidth=0.6, zorder=1)
    xs = [columns.index(c.domain) for c in cells]
    ys = [index // n_cols for index in range(len(cells))]
    ax.scatter(
        xs, ys, s=300, c=[c.colour for c in cells], edgecolors="#333333", linewidths=0.6, zorder=2
    )
    for x, y, cell in zip(xs, ys, cells, strict=True):
        if cell.symbol:
            ax.text(
                x,
                y,
                cell.symbol,
                ha="center",
                va="center_baseline",
                fontsize=11,
                fontweight="bold",
                color=ink_for(cell.colour),
                zorder=3,
            )
    ax.set_xticks(range(n_cols), columns)
    ax.xaxis.tick_top()
    ax.set_xlabel("Risk of bias domains")
    ax.xaxis.set_label_position("top")
    ax.set_yticks(range(n_rows), studies)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_color("#b0b0b0")
    ax.set_title(matrix.rubric.name.split(" (")[0], loc="left", fontsize=10, pad=28)
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=12,
            markerfacecolor=lvl.fill(palette),
            markeredgecolor="#333333",
            label=f"{lvl.symbol}  {lvl.label}".strip(),
        )
        for lvl in levels
    ]
    fig.text(
        0.02,
        0.0,
        "Domains:\n" + "\n".join(captions),
        ha="left",
        va="top",
        fontsize=8,
        transform=ax.transAxes,
    )
    ax.legend(
        handles=handles,
        title="Judgement",
        loc="upper right",
        bbox_to_anchor=(1.0, 0.0),
        frameon=False,
        fontsize=8,
        title_fontsize=8,
        borderaxespad=0.3,
    )
    fig.tight_layout()
    _save(fig, path, fmt)
    plt.close(fig)


def draw_summary(
    matrix: Matrix, path: Path, palette: str = "cochrane", *, weighted: bool = False
) -> None:
    """robvis-style summary bars: % of studies (or of weight) per judgement, per domain."""
    if not matrix.rows:
        raise InputError("there are no studies to plot", fix="check --studies and --rubric")
    fmt = figure_format(path)
    plt = _pyplot()
    from matplotlib.patches import Patch

    bars = summary_data(matrix, palette, weighted=weighted)
    domains = list(dict.fromkeys(bar.domain for bar in bars))
    captions = {bar.domain: bar.caption for bar in bars}
    labels = [captions[d] if d == OVERALL else f"{d}: {captions[d]}" for d in domains]
    longest = max(len(label) for label in labels)
    fig, ax = plt.subplots(figsize=(max(7.0, 0.07 * longest + 5.5), 0.42 * len(domains) + 1.5))
    left = dict.fromkeys(domains, 0.0)
    for bar in bars:
        y = domains.index(bar.domain)
        ax.barh(
            y,
            bar.percent,
            left=left[bar.domain],
            color=bar.colour,
            edgecolor="#333333",
            linewidth=0.6,
            height=0.7,
        )
        if bar.percent >= 6 and bar.symbol:
            ax.text(
                left[bar.domain] + bar.percent / 2,
                y,
                bar.symbol,
                ha="center",
                va="center_baseline",
                fontsize=9,
                fontweight="bold",
                color=ink_for(bar.colour),
            )
        left[bar.domain] += bar.percent
    ax.set_yticks(range(len(domains)), labels)
    for tick, domain in zip(ax.get_yticklabels(), domains, strict=True):
        if domain == OVERALL:
            tick.set_fontweight("bold")
    ax.set_ylim(len(domains) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    share = "of total weight" if weighted else f"of {len(matrix.rows)} studies"
    ax.set_xlabel(f"Share {share}")
    seen = legend_levels(matrix, [bar.judgement for bar in bars])
    handles = [
        Patch(
            facecolor=lvl.fill(palette),
            edgecolor="#333333",
            label=f"{lvl.symbol}  {lvl.label}".strip(),
        )
        for lvl in seen
    ]
    # Below the axis label: an offset in inches turned into a fraction of the axes' height.
    below = 0.5 / (0.42 * len(domains))
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -below),
        ncol=len(handles),
        frameon=True,
        fontsize=8,
    )
    ax.set_title(matrix.rubric.name.split(" (")[0], loc="left", fontsize=10)
    fig.tight_layout()
    _save(fig, path, fmt)
    plt.close(fig)
