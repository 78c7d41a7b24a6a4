"""`appraise table`, `plot`, `report` and `export`: the corpus's judgements for a manuscript.

Each function opens the corpus, builds the judgement matrix with the default rubric
(appraise.appraisals.default_rubric, via appraise.outputs.matrix.build_matrix), renders through
the output writers' registry (appraise.outputs.writers) and writes the file asked for. A table or
reference list with no file asked for is returned for the CLI to print.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appraise.app.workspace import open_corpus
from appraise.errors import InputError
from appraise.files import atomic_write_bytes, atomic_write_text

if TYPE_CHECKING:
    from appraise.corpus import Corpus
    from appraise.outputs.matrix import Matrix
    from appraise.outputs.report import ReportResult

PLOT_KINDS = ("traffic-light", "summary", "forest")


@contextmanager
def _publishable(corpus: Path | None, command: str, allow_invalid: bool) -> Iterator[Corpus]:
    """The corpus, refused (exit 2, file:line as `check` says it) when `check` finds errors,
    unless the user publishes it anyway with --allow-invalid. Read as one snapshot: what the
    check read is what the command publishes, each file listed and parsed once."""
    from appraise.app.check import refuse_invalid

    store = open_corpus(corpus)
    with store.snapshot():
        if not allow_invalid:
            refuse_invalid(store, command)
        yield store


def _matrix(
    store: Corpus,
    rubric: str | None,
    studies: list[str] | None,
    order: str | None,
    profile: str | None = None,
) -> Matrix:
    from appraise.outputs.matrix import build_matrix, study_selection

    selection = study_selection(studies) if studies else None
    return build_matrix(store, rubric, studies=selection, order=order, profile=profile)


def _write(output: Path, content: str | bytes) -> None:
    if isinstance(content, bytes):
        atomic_write_bytes(output, content)
    else:
        atomic_write_text(output, content)


@dataclass
class Rendered:
    """A table or reference list: its content, and the file it was written to (None: the CLI
    prints it)."""

    content: str | bytes
    format: str
    output: Path | None
    rows: int
    rubric: str

    def to_json(self) -> dict[str, Any]:
        return {
            "output": str(self.output) if self.output else None,
            "format": self.format,
            "rows": self.rows,
            "rubric": self.rubric,
        }


def table(
    *,
    corpus: Path | None = None,
    rubric: str | None = None,
    studies: list[str] | None = None,
    order: str | None = None,
    detail: bool = False,
    fmt: str | None = None,
    output: Path | None = None,
    palette: str = "cochrane",
    profile: str | None = None,
    allow_invalid: bool = False,
) -> Rendered:
    """The risk-of-bias table (studies x domains, or the support for each judgement)."""
    from appraise.outputs.writers import TABLES, render_table

    writer = TABLES.choose(fmt, output, default="markdown")
    if output is None and writer.binary:
        raise InputError(
            f"a {writer.format} table cannot go to the terminal",
            fix=f"write it to a file with --output table{writer.extensions[0]}",
        )
    with _publishable(corpus, "table", allow_invalid) as store:
        matrix = _matrix(store, rubric, studies, order, profile)
    content = render_table(matrix, writer.format, detail=detail, palette=palette)
    if output is not None:
        _write(output, content)
    return Rendered(content, writer.format, output, len(matrix.rows), matrix.rubric.id)


def export_references(
    *,
    corpus: Path | None = None,
    fmt: str | None = None,
    output: Path | None = None,
    rubric: str | None = None,
    studies: list[str] | None = None,
    order: str | None = None,
) -> Rendered:
    """The appraised studies as references, each with its overall judgement in a note."""
    from appraise.outputs.writers import REFERENCES, render_references

    if fmt is None and output is None:
        raise InputError("say which format to export", fix="add --format ris|bibtex|csljson")
    writer = REFERENCES.choose(fmt, output)
    matrix = _matrix(open_corpus(corpus), rubric, studies, order)
    content = render_references(matrix, writer.format)
    if output is not None:
        _write(output, content)
    return Rendered(content, writer.format, output, len(matrix.rows), matrix.rubric.id)


@dataclass
class Plotted:
    output: Path
    kind: str
    studies: int
    written: list[Path]
    left_out: list[str] = field(default_factory=list)
    """Studies a forest plot left out (no estimate)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "output": str(self.output),
            "kind": self.kind,
            "studies": self.studies,
            "files": [str(p) for p in self.written],
            "left_out": self.left_out,
        }


def plot(
    output: Path,
    *,
    corpus: Path | None = None,
    kind: str = "traffic-light",
    rubric: str | None = None,
    weighted: bool = False,
    palette: str = "cochrane",
    studies: list[str] | None = None,
    order: str | None = None,
    profile: str | None = None,
    rows_per_page: int | None = None,
    width: float | None = None,
    height: float | None = None,
    label_size: float | None = None,
    allow_invalid: bool = False,
) -> Plotted:
    """A robvis-style traffic-light, summary or forest plot. A traffic light longer than a page
    goes into a multi-page PDF, or one PNG/SVG per page."""
    from appraise.outputs.figures import FigureSize, draw_summary, draw_traffic_light
    from appraise.outputs.writers import FIGURES

    if kind not in PLOT_KINDS:
        raise InputError(f"unknown plot kind '{kind}'", fix="use traffic-light, summary or forest")
    if weighted and kind != "summary":
        raise InputError("--weighted applies to summary plots", fix="add --kind summary")
    sized = (rows_per_page, width, height, label_size)
    if kind != "traffic-light" and any(option is not None for option in sized):
        raise InputError(
            "--rows-per-page, --width, --height and --label-size apply to traffic-light plots",
            fix="add --kind traffic-light, or leave the size options out",
        )
    FIGURES.choose(None, output)
    with _publishable(corpus, "plot", allow_invalid) as store:
        matrix = _matrix(store, rubric, studies, order, profile)
    if kind == "summary":
        draw_summary(matrix, output, palette, weighted=weighted)
        return Plotted(output, kind, len(matrix.rows), [output])
    if kind == "forest":
        from appraise.outputs.forest import draw_forest

        forest = draw_forest(matrix, output, palette)
        return Plotted(output, kind, len(matrix.rows), [output], list(forest.left_out))
    size = FigureSize(rows_per_page, width, height, label_size)
    written = draw_traffic_light(matrix, output, palette, size)
    return Plotted(output, kind, len(matrix.rows), written)


def report(
    out: Path,
    *,
    corpus: Path | None = None,
    rubric: str | None = None,
    profile: str | None = None,
    allow_invalid: bool = False,
) -> ReportResult:
    """Tables, figures, claim traces, methods and references in ``out``, with an index.html."""
    from appraise.outputs.report import build_report

    with _publishable(corpus, "report", allow_invalid) as store:
        return build_report(store, out, rubric=rubric, profile=profile)
