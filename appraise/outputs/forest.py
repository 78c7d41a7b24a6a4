"""A forest plot paired with the risk-of-bias judgements (robvis' rob_append_to_forest, asked
for in robvis issue 102 and meta issue 88): per result its estimate and 95% CI, a square sized
by its weight, the numbers, then a circle per domain and Overall with the rubric's colour and
symbol.

The estimates come from the corpus (each appraisal's ``result``: measure, estimate, ci_low,
ci_high; ``weight``). No pooled estimate is drawn: that needs a meta-analytic model the corpus
does not hold. As for the other figures, the data is built by a pure function
(:func:`forest_data`) and drawing is a thin layer over it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appraise.errors import InputError
from appraise.graph.style import drawn_with_figure_settings
from appraise.outputs.figures import (
    OVERALL,
    TrafficLightCell,
    _pyplot,
    _save,
    figure_format,
    judged_domains,
    matrix_stamp,
    traffic_light_data,
)
from appraise.outputs.matrix import Matrix
from appraise.outputs.palette import ink_for

# Measures read on a ratio scale: drawn on a log axis with the line of no effect at 1.
RATIO_MEASURES = ("OR", "RR", "HR", "IRR", "odds ratio", "risk ratio", "hazard ratio")


@dataclass(frozen=True)
class ForestRow:
    study: str  # the matrix's name for the study
    result: str  # the result's label ('PTSD severity, post')
    estimate: float
    ci_low: float | None
    ci_high: float | None
    weight: float | None
    weight_percent: float | None  # of the drawn rows' total weight
    cells: list[TrafficLightCell]  # the judged domains, then Overall


@dataclass(frozen=True)
class Forest:
    measure: str
    ratio: bool
    rows: list[ForestRow]
    left_out: list[str]  # studies in the matrix with no estimate


def has_estimates(matrix: Matrix) -> bool:
    return any(row.appraisal.result.estimate is not None for row in matrix.rows)


def forest_data(matrix: Matrix, palette: str = "cochrane") -> Forest:
    """The rows of the paired forest plot, in the matrix's order: results with an estimate,
    all on one measure."""
    cells = traffic_light_data(matrix, palette)
    per_row = len(judged_domains(matrix)) + 1
    chosen = [
        (row, cells[i * per_row : (i + 1) * per_row])
        for i, row in enumerate(matrix.rows)
        if row.appraisal.result.estimate is not None
    ]
    if not chosen:
        raise InputError(
            "no appraisal in this corpus gives an effect estimate",
            fix="add result.estimate (and ci_low, ci_high, measure) to the appraisals, "
            "or plot --kind traffic-light",
        )
    measures = sorted({row.appraisal.result.measure or "" for row, _ in chosen})
    if len(measures) > 1:
        listed = ", ".join(m or "(none given)" for m in measures)
        raise InputError(
            f"the estimates are on different measures ({listed}); one forest plot needs one",
            fix="choose the studies of one measure with --studies",
        )
    total = sum(row.weight or 0.0 for row, _ in chosen)
    rows = [
        ForestRow(
            row.name,
            row.appraisal.result.label,
            float(row.appraisal.result.estimate or 0.0),
            row.appraisal.result.ci_low,
            row.appraisal.result.ci_high,
            row.weight,
            100.0 * row.weight / total if row.weight is not None and total > 0 else None,
            row_cells,
        )
        for row, row_cells in chosen
    ]
    measure = measures[0]
    ratio = measure.casefold() in {m.casefold() for m in RATIO_MEASURES}
    if ratio and any(r.estimate <= 0 or (r.ci_low is not None and r.ci_low <= 0) for r in rows):
        raise InputError(
            f"a {measure} must be above 0 to be drawn on a ratio scale",
            fix="give the ratio itself, not its logarithm, or name the measure 'log OR'",
        )
    left_out = [row.name for row in matrix.rows if row.appraisal.result.estimate is None]
    return Forest(measure, ratio, rows, left_out)


def _number(value: float) -> str:
    return f"{value:.2f}"


@drawn_with_figure_settings
def draw_forest(matrix: Matrix, path: Path, palette: str = "cochrane") -> Forest:
    """Draw the paired forest plot to ``path`` (PNG, SVG or PDF); returns what was drawn."""
    fmt = figure_format(path)
    forest = forest_data(matrix, palette)
    plt = _pyplot()
    from matplotlib.lines import Line2D

    domains = judged_domains(matrix)
    columns = [d.id for d in domains] + [OVERALL]
    n_rows = len(forest.rows)
    labels = [f"{r.study} ({r.result})" if r.result != "study" else r.study for r in forest.rows]
    row_h, label_w = 0.28, 0.2 + max(len(label) for label in labels) * 8 * 0.6 / 72
    plot_w, numbers_w, circle_w = 2.6, 1.9, 0.32
    width = label_w + plot_w + numbers_w + circle_w * len(columns) + 0.3
    top, bottom = 0.7, 0.75 + 0.14 * (len(domains) + 1)
    height = top + bottom + row_h * n_rows
    fig = plt.figure(figsize=(width, height))

    def axes_at(left: float, span: float) -> Any:
        return fig.add_axes((left / width, bottom / height, span / width, row_h * n_rows / height))

    ax = axes_at(label_w, plot_w)
    table = axes_at(label_w + plot_w, numbers_w + circle_w * len(columns))
    ys = list(range(n_rows))
    for a in (ax, table):
        a.set_ylim(n_rows - 0.5, -0.5)
    largest = max((r.weight_percent or 0.0) for r in forest.rows) or 1.0
    for y, r in zip(ys, forest.rows, strict=True):
        if r.ci_low is not None and r.ci_high is not None:
            ax.plot([r.ci_low, r.ci_high], [y, y], color="#333333", linewidth=1.0)
        area = 20 + 140 * (r.weight_percent or largest / 4) / largest
        ax.scatter([r.estimate], [y], s=area, marker="s", color="#333333", zorder=3)
    ax.axvline(1.0 if forest.ratio else 0.0, color="#777777", linewidth=0.8, zorder=1)
    if forest.ratio:
        ax.set_xscale("log")
    ax.set_yticks(ys, labels, fontsize=8)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelsize=7)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(f"{forest.measure or 'Estimate'} (95% CI)", fontsize=8)
    # The table: numbers in inches from its left edge, circles one per column.
    span = numbers_w + circle_w * len(columns)
    table.set_xlim(0, span)
    table.axis("off")
    headers = [(0.95, "Estimate [95% CI]"), (numbers_w - 0.25, "Weight")]
    headers += [(numbers_w + circle_w * (i + 0.5), c) for i, c in enumerate(columns)]
    for x, text in headers:
        table.text(x, -0.9, text, ha="center", va="bottom", fontsize=7, fontweight="bold")
    diameter = 0.8 * min(row_h, circle_w) * 72
    for y, r in zip(ys, forest.rows, strict=True):
        interval = (
            f" [{_number(r.ci_low)}, {_number(r.ci_high)}]"
            if r.ci_low is not None and r.ci_high is not None
            else ""
        )
        table.text(0.95, y, _number(r.estimate) + interval, ha="center", va="center", fontsize=7)
        weight = f"{r.weight_percent:.1f}%" if r.weight_percent is not None else "-"
        table.text(numbers_w - 0.25, y, weight, ha="center", va="center", fontsize=7)
        for i, cell in enumerate(r.cells):
            x = numbers_w + circle_w * (i + 0.5)
            table.scatter(
                [x], [y], s=diameter**2, c=[cell.colour], edgecolors="#333333", linewidths=0.6
            )
            if cell.symbol:
                table.text(
                    x,
                    y,
                    cell.symbol,
                    ha="center",
                    va="center_baseline",
                    fontsize=min(10.0, 0.6 * diameter),
                    fontweight="bold",
                    color=ink_for(cell.colour),
                )
    title = f"{matrix.rubric.name.split(' (')[0]} judgements beside each result's estimate"
    fig.text(0.15 / width, 1 - 0.12 / height, title, ha="left", va="top", fontsize=10)
    captions = [f"{d.id}: {d.name}" for d in domains]
    note = "Squares sized by weight; no pooled estimate (the corpus holds none)."
    if forest.left_out:
        note += f" {len(forest.left_out)} studies without an estimate are not shown."
    fig.text(
        0.2 / width,
        (bottom - 0.45) / height,
        "\n".join([note, *captions]),
        ha="left",
        va="top",
        fontsize=7,
        linespacing=1.35,
    )
    levels = matrix.scale.in_order([c.judgement for r in forest.rows for c in r.cells])
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=9,
            markerfacecolor=lvl.fill(palette),
            markeredgecolor="#333333",
            label=f"{lvl.symbol}  {lvl.label}".strip(),
        )
        for lvl in levels
    ]
    fig.legend(
        handles=handles,
        loc="upper right",
        bbox_to_anchor=(1 - 0.1 / width, (bottom - 0.4) / height),
        frameon=False,
        fontsize=7,
    )
    try:
        _save(fig, path, fmt, matrix_stamp(matrix))
    finally:
        plt.close(fig)
    return forest
