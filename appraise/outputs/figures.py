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
from appraise.graph.style import drawn_with_figure_settings, figure_metadata, figure_stamp
from appraise.models import OVERALL
from appraise.outputs.matrix import DomainColumn, Level, Matrix
from appraise.outputs.palette import check_palette, ink_for


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


def judged_domains(matrix: Matrix) -> list[DomainColumn]:
    """The domains at least one study has a judgement for: a corpus judged on some of a
    tool's domains (a RoB 1 review often leaves some out) is drawn with those only."""
    judged = [d for d in matrix.domains if any(row.domains.get(d.id) for row in matrix.rows)]
    return judged or list(matrix.domains)


def traffic_light_data(matrix: Matrix, palette: str = "cochrane") -> list[TrafficLightCell]:
    """One cell per study and judged domain, then Overall: studies in the matrix's order."""
    check_palette(palette)
    cells: list[TrafficLightCell] = []
    columns = judged_domains(matrix)
    for row in matrix.rows:
        judged = [(d.id, row.domains.get(d.id)) for d in columns]
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
    check_palette(palette)
    if weighted:
        missing = [row.name for row in matrix.rows if row.weight is None]
        if missing:
            raise InputError(
                f"a weighted summary needs a weight for every study; {len(missing)} have none "
                f"(e.g. {missing[0]})",
                fix="import a robvis CSV with a Weight column, or plot without --weighted",
            )
    columns = [(d.id, d.name) for d in judged_domains(matrix)] + [(OVERALL, "Overall risk of bias")]
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

    return plt


def _save(fig: Any, path: Path, fmt: str, stamp: str, *, tight: bool = True) -> None:
    """Write ``fig`` with the tool and rubric in its metadata and no dates, so the same data
    gives the same bytes. ``tight=False`` keeps the figure's own size (pages sized for print)."""
    buffer = io.BytesIO()
    fit: dict[str, Any] = {"bbox_inches": "tight", "pad_inches": 0.15} if tight else {}
    fig.savefig(buffer, format=fmt, dpi=200, metadata=figure_metadata(fmt, stamp), **fit)
    atomic_write_bytes(path, buffer.getvalue())


def _save_pages(figures: list[Any], path: Path, stamp: str) -> None:
    """Several figures as the pages of one PDF."""
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    with PdfPages(buffer, metadata=figure_metadata("pdf", stamp)) as pdf:
        for fig in figures:
            pdf.savefig(fig)
    atomic_write_bytes(path, buffer.getvalue())


def matrix_stamp(matrix: Matrix) -> str:
    return figure_stamp(matrix.rubric, matrix.profile)


def figure_format(path: Path) -> str:
    """The figure format the file name asks for (appraise.outputs.writers.FIGURES)."""
    from appraise.outputs.writers import FIGURES

    return FIGURES.for_path(path).format


# Print sizes in inches: A4 portrait, and the smallest row that stays legible in print.
A4_WIDTH, A4_HEIGHT = 8.27, 11.69
MIN_ROW_HEIGHT = 0.15
DEFAULT_ROW_HEIGHT = 0.25
DEFAULT_LABEL_SIZE = 8.0
_CAPTION_SIZE = 7.5
# Average advance of a DejaVu Sans character, as a share of the font size (for text widths).
_CHAR_WIDTH = 0.6


@dataclass(frozen=True)
class FigureSize:
    """What the user asked for: rows per page, the page in inches, the label size in points.
    None leaves the choice to the layout (pages that fit A4)."""

    rows_per_page: int | None = None
    width: float | None = None
    height: float | None = None
    label_size: float | None = None


@dataclass(frozen=True)
class TrafficLightLayout:
    """Where a traffic-light plot's rows go: pages of rows, and every size in inches."""

    pages: list[range]  # row indices of the matrix on each page
    width: float
    heights: list[float]  # one per page
    row_height: float
    column_width: float
    left: float  # the study labels' margin
    top: float  # title and column headers
    bottom: float  # domain captions and the legend
    label_size: float

    @property
    def rows_per_page(self) -> int:
        return len(self.pages[0])


def _text_width(chars: int, points: float) -> float:
    return chars * points * _CHAR_WIDTH / 72


def traffic_light_layout(
    matrix: Matrix, size: FigureSize | None = None, *, levels: int = 4
) -> TrafficLightLayout:
    """Rows per page and the page's size in inches. Without a size, every page fits A4 with
    rows of DEFAULT_ROW_HEIGHT; a page height or rows per page the user gives is kept, and
    refused when rows would fall below MIN_ROW_HEIGHT (illegible in print)."""
    size = size or FigureSize()
    n_rows = len(matrix.rows)
    if n_rows == 0:
        raise InputError("there are no studies to plot", fix="check --studies and --rubric")
    label = size.label_size or DEFAULT_LABEL_SIZE
    if not 4 <= label <= 24:
        raise InputError(f"label size {label:g} pt is out of range", fix="give 4 to 24 points")
    if size.rows_per_page is not None and size.rows_per_page < 1:
        raise InputError("rows per page must be at least 1", fix="give --rows-per-page 1 or more")
    columns = judged_domains(matrix)
    longest = max(len(row.name) for row in matrix.rows)
    captions = [f"{d.id}: {d.name}" for d in columns]
    caption_lines = len(captions) + 1
    row_height = max(DEFAULT_ROW_HEIGHT, 1.6 * label / 72)  # a line and a little air
    column_width = 0.36
    left = 0.2 + _text_width(longest, label)
    top = 0.8
    line = 1.35 * _CAPTION_SIZE / 72
    bottom = 0.3 + max(line * caption_lines, 1.45 * line * (levels + 1))
    needed_width = max(
        left + column_width * (len(columns) + 1) + 0.3,
        0.4 + _text_width(max((len(c) for c in captions), default=8), _CAPTION_SIZE) + 2.0,
    )
    width = size.width or needed_width
    if width < needed_width - 1e-9:
        raise InputError(
            f"a width of {width:g} in cannot hold the study labels and {len(columns) + 1} "
            f"columns (needs {needed_width:.2f} in)",
            fix="give a larger --width or a smaller --label-size",
        )
    frame = top + bottom
    if size.height is not None:
        if size.rows_per_page is not None:
            per_page = size.rows_per_page
            row_height = (size.height - frame) / per_page
        else:
            per_page = int((size.height - frame) // row_height)
        if per_page < 1 or row_height < MIN_ROW_HEIGHT - 1e-9:
            raise InputError(
                f"a page {size.height:g} in high leaves rows under {MIN_ROW_HEIGHT} in, "
                "illegible in print",
                fix="give a taller --height or fewer --rows-per-page",
            )
    elif size.rows_per_page is not None:
        per_page = size.rows_per_page
    else:
        per_page = max(1, int((A4_HEIGHT - frame) // row_height))
    pages = [range(i, min(i + per_page, n_rows)) for i in range(0, n_rows, per_page)]
    heights = [
        size.height if size.height is not None else frame + row_height * len(page) for page in pages
    ]
    return TrafficLightLayout(
        pages, width, heights, row_height, column_width, left, top, bottom, label
    )


def page_paths(path: Path, pages: int) -> list[Path]:
    """Where each page goes: ``path`` itself for one page or a (multi-page) PDF, else
    ``name-p01.png``, ``name-p02.png``..."""
    if pages == 1 or path.suffix.lower() == ".pdf":
        return [path]
    digits = len(str(pages))
    return [
        path.with_name(f"{path.stem}-p{i:0{digits}d}{path.suffix}") for i in range(1, pages + 1)
    ]


@drawn_with_figure_settings
def draw_traffic_light(
    matrix: Matrix, path: Path, palette: str = "cochrane", size: FigureSize | None = None
) -> list[Path]:
    """A robvis-style traffic-light plot (studies x domains and Overall), in pages that stay
    legible in print: one file, a multi-page PDF, or one PNG/SVG per page. Returns the files."""
    if not matrix.rows:
        raise InputError("there are no studies to plot", fix="check --studies and --rubric")
    fmt = figure_format(path)
    cells = traffic_light_data(matrix, palette)
    levels = legend_levels(matrix, [c.judgement for c in cells])
    layout = traffic_light_layout(matrix, size, levels=len(levels))
    plt = _pyplot()
    n_cols = len(judged_domains(matrix)) + 1
    figures = [
        _traffic_light_page(
            plt,
            matrix,
            cells[page.start * n_cols : page.stop * n_cols],
            levels,
            layout,
            index,
            palette,
        )
        for index, page in enumerate(layout.pages)
    ]
    targets = page_paths(path, len(figures))
    try:
        if fmt == "pdf" and len(figures) > 1:
            _save_pages(figures, path, matrix_stamp(matrix))
        else:
            for fig, target in zip(figures, targets, strict=True):
                _save(fig, target, fmt, matrix_stamp(matrix), tight=False)
    finally:
        for fig in figures:
            plt.close(fig)
    return targets


def _traffic_light_page(
    plt: Any,
    matrix: Matrix,
    cells: list[TrafficLightCell],
    levels: list[Level],
    layout: TrafficLightLayout,
    index: int,
    palette: str,
) -> Any:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    columns = [d.id for d in judged_domains(matrix)] + [OVERALL]
    page = layout.pages[index]
    studies = [matrix.rows[i].name for i in page]
    n_rows, n_cols = len(studies), len(columns)
    width, height = layout.width, layout.heights[index]
    fig = plt.figure(figsize=(width, height))
    grid_height = layout.row_height * n_rows
    # Axes placed in inches (as fractions of the page), so a page is exactly the size asked.
    ax = fig.add_axes(
        (
            layout.left / width,
            (height - layout.top - grid_height) / height,
            layout.column_width * n_cols / width,
            grid_height / height,
        )
    )
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.add_patch(Rectangle((n_cols - 1.5, -0.5), 1, n_rows, color="#e3e3e3", zorder=0))
    for line in range(n_rows + 1):
        ax.axhline(line - 0.5, color="#b0b0b0", linewidth=0.6, zorder=1)
    for line in range(n_cols + 1):
        ax.axvline(line - 0.5, color="#b0b0b0", linewidth=0.6, zorder=1)
    diameter = 0.78 * min(layout.row_height, layout.column_width) * 72  # points
    xs = [columns.index(c.domain) for c in cells]
    ys = [i // n_cols for i in range(len(cells))]
    ax.scatter(
        xs,
        ys,
        s=diameter**2,
        c=[c.colour for c in cells],
        edgecolors="#333333",
        linewidths=0.6,
        zorder=2,
    )
    symbol_size = min(11.0, 0.62 * diameter)
    for x, y, cell in zip(xs, ys, cells, strict=True):
        if cell.symbol:
            ax.text(
                x,
                y,
                cell.symbol,
                ha="center",
                va="center_baseline",
                fontsize=symbol_size,
                fontweight="bold",
                color=ink_for(cell.colour),
                zorder=3,
            )
    ax.set_xticks(range(n_cols), columns, fontsize=layout.label_size)
    ax.xaxis.tick_top()
    ax.set_xlabel("Risk of bias domains", fontsize=layout.label_size + 1)
    ax.xaxis.set_label_position("top")
    ax.set_yticks(range(n_rows), studies, fontsize=layout.label_size)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_color("#b0b0b0")
    title = matrix.rubric.name.split(" (")[0]
    if len(layout.pages) > 1:
        title += (
            f": studies {page.start + 1}-{page.stop} of {len(matrix.rows)} "
            f"(page {index + 1} of {len(layout.pages)})"
        )
    fig.text(0.15 / width, 1 - 0.12 / height, title, ha="left", va="top", fontsize=10)
    captions = [f"{d.id}: {d.name}" for d in judged_domains(matrix)]
    fig.text(
        0.2 / width,
        (layout.bottom - 0.15) / height,
        "Domains:\n" + "\n".join(captions),
        ha="left",
        va="top",
        fontsize=_CAPTION_SIZE,
        linespacing=1.35,
    )
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=10,
            markerfacecolor=lvl.fill(palette),
            markeredgecolor="#333333",
            label=f"{lvl.symbol}  {lvl.label}".strip(),
        )
        for lvl in levels
    ]
    fig.legend(
        handles=handles,
        title="Judgement",
        loc="upper right",
        bbox_to_anchor=(1 - 0.15 / width, (layout.bottom - 0.1) / height),
        frameon=False,
        fontsize=_CAPTION_SIZE,
        title_fontsize=_CAPTION_SIZE,
        borderaxespad=0.0,
    )
    return fig


@drawn_with_figure_settings
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
    _save(fig, path, fmt, matrix_stamp(matrix))
    plt.close(fig)
