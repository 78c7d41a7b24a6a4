"""Every output format appraise writes, in one registry per kind of output.

A writer names its format, the file extensions that mean it, whether it is binary (and so
cannot go to a terminal), and its renderer: the function that turns the subject (a judgement
matrix, a citation graph) into text or bytes, named as ``module:function`` and imported only when
used, so naming formats costs nothing at startup. ``--format`` wins over the output's extension;
every command reports an unknown format, or an extension that names none, the same way.

Figures are drawn by matplotlib (appraise/outputs/figures.py, appraise/graph/draw.py); their
writers have no renderer of their own: the format is matplotlib's backend of that name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appraise.errors import InputError

if TYPE_CHECKING:
    from appraise.outputs.matrix import Matrix


@dataclass(frozen=True)
class Writer:
    format: str
    extensions: tuple[str, ...]
    binary: bool
    renderer: str | None
    """``module:function`` turning the subject into str (text) or bytes (binary)."""
    options: tuple[str, ...] = ()
    """The keyword options the renderer takes (e.g. detail, palette); others are not used."""
    label: str = ""
    refuses: tuple[str, ...] = ()
    """Options that, when set, ask for what this format cannot hold (robvis: --detail)."""

    def render(self, subject: Any, **options: Any) -> str | bytes:
        """The subject in this format, given the options this renderer takes."""
        if self.renderer is None:
            raise ValueError(f"{self.format} is drawn by matplotlib, not rendered")
        for name in self.refuses:
            if options.get(name):
                raise InputError(f"a {self.label} has no {name} shape", fix=f"drop --{name}")
        module, function = self.renderer.split(":")
        render: Callable[..., str | bytes] = getattr(importlib.import_module(module), function)
        return render(subject, **{k: v for k, v in options.items() if k in self.options})


class Writers:
    """The writers of one kind of output (tables, references, figures, graphs)."""

    def __init__(self, kind: str, writers: list[Writer], *, format_option: bool = True) -> None:
        self.kind = kind
        self._writers = {w.format: w for w in writers}
        self.format_option = format_option
        """Whether the commands writing this kind take --format (figures go by extension)."""

    def __iter__(self) -> Iterator[Writer]:
        return iter(self._writers.values())

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(self._writers)

    def _extensions(self) -> str:
        extensions = [ext for w in self for ext in w.extensions]
        return ", ".join(extensions[:-1]) + " or " + extensions[-1]

    def get(self, fmt: str) -> Writer:
        writer = self._writers.get(fmt.lower())
        if writer is None:
            raise InputError(
                f"unknown {self.kind} format '{fmt}'", fix="use one of: " + ", ".join(self.formats)
            )
        return writer

    def for_path(self, path: Path) -> Writer:
        suffix = path.suffix.lower()
        writer = next((w for w in self if suffix in w.extensions), None)
        if writer is None:
            raise InputError(
                f"cannot tell the {self.kind} format of '{path.name}' from its extension",
                fix=f"end the file name in {self._extensions()}"
                + (f", or give --format ({', '.join(self.formats)})" if self.format_option else ""),
            )
        return writer

    def choose(
        self, explicit: str | None, output: Path | None, default: str | None = None
    ) -> Writer:
        """--format wins; else the output's extension; else ``default`` (for the terminal)."""
        if explicit:
            return self.get(explicit)
        if output is None and default is not None:
            return self.get(default)
        if output is None:
            raise InputError(
                f"say which {self.kind} format to write",
                fix=f"add --format ({', '.join(self.formats)}) or --output FILE",
            )
        return self.for_path(output)


_TABLES = "appraise.outputs.tables"
_STAMPED = ("detail", "palette", "when")

TABLES = Writers(
    "table",
    [
        Writer(
            "markdown",
            (".md", ".markdown"),
            False,
            f"{_TABLES}:markdown_table",
            ("detail",),
            "Markdown table",
        ),
        Writer("latex", (".tex",), False, f"{_TABLES}:latex_table", ("detail",), "LaTeX table"),
        Writer("csv", (".csv",), False, f"{_TABLES}:csv_table", ("detail",), "CSV table"),
        Writer(
            "html",
            (".html", ".htm"),
            False,
            f"{_TABLES}:html_table",
            ("detail", "palette"),
            "HTML table",
        ),
        Writer("docx", (".docx",), True, f"{_TABLES}:docx_table", _STAMPED, "Word table"),
        Writer("xlsx", (".xlsx",), True, f"{_TABLES}:xlsx_table", _STAMPED, "Excel workbook"),
        Writer("json", (".json",), False, f"{_TABLES}:json_table", ("detail",), "JSON table"),
        # robvis reads a CSV too: named by --format only, so .csv stays appraise's own table.
        Writer(
            "robvis",
            (),
            False,
            "appraise.outputs.robvis:robvis_csv",
            label="robvis CSV",
            refuses=("detail",),
        ),
    ],
)

REFERENCES = Writers(
    "bibliographic",
    [
        Writer("ris", (".ris",), False, "appraise.outputs.bibliography:ris_text", (), "RIS"),
        Writer(
            "bibtex",
            (".bib",),
            False,
            "appraise.outputs.bibliography:bibtex_text",
            (),
            "BibTeX",
        ),
        Writer(
            "csljson",
            (".json",),
            False,
            "appraise.outputs.bibliography:csljson_text",
            (),
            "CSL-JSON",
        ),
    ],
)

FIGURES = Writers(
    "figure",
    [
        Writer("png", (".png",), True, None, label="PNG image"),
        Writer("svg", (".svg",), False, None, label="SVG image"),
        Writer("pdf", (".pdf",), True, None, label="PDF document"),
    ],
    format_option=False,
)

_GRAPH = "appraise.graph.export"
GRAPHS = Writers(
    "graph",
    [
        Writer("graphml", (".graphml",), False, f"{_GRAPH}:graphml_bytes", (), "GraphML file"),
        Writer("gexf", (".gexf",), False, f"{_GRAPH}:gexf_bytes", (), "GEXF file"),
        Writer("json", (".json",), False, f"{_GRAPH}:json_bytes", (), "node-link JSON"),
        Writer(
            "dot",
            (".dot", ".gv"),
            False,
            f"{_GRAPH}:dot_bytes",
            ("graph", "palette"),
            "Graphviz DOT",
        ),
        Writer(
            "mermaid",
            (".mmd", ".mermaid"),
            False,
            f"{_GRAPH}:mermaid_bytes",
            ("graph", "palette"),
            "Mermaid chart",
        ),
    ],
)


def render_table(
    matrix: Matrix,
    fmt: str,
    *,
    detail: bool = False,
    palette: str = "cochrane",
    when: datetime | None = None,
) -> str | bytes:
    """The table in ``fmt``: text for text formats, bytes for docx/xlsx (dated by ``when``,
    else by the newest appraisal shown, so the same data gives the same bytes)."""
    from appraise.outputs.tables import data_date

    writer = TABLES.get(fmt)
    stamp = (when or data_date(matrix)) if "when" in writer.options else None
    return writer.render(matrix, detail=detail, palette=palette, when=stamp)


def render_references(matrix: Matrix, fmt: str) -> str:
    content = REFERENCES.get(fmt).render(matrix)
    assert isinstance(content, str)
    return content
