"""`appraise table`, `plot`, `report`, `export` and `import robvis|metapsy`: outputs for
manuscripts, and judgements made elsewhere brought in."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from appraise.cli.common import CorpusOption, JsonOption, console, emit_json, note, open_corpus
from appraise.corpus import Corpus
from appraise.files import atomic_write_bytes, atomic_write_text
from appraise.outputs.cells import terminal_text

import_app = typer.Typer(help="Bring judgements made elsewhere into a corpus.")

RubricOption = Annotated[
    str | None,
    typer.Option(
        "--rubric",
        "-r",
        help="Rubric id. Default: corpus.yaml's default_rubric, else the most used.",
    ),
]
ProfileOption = Annotated[
    str | None, typer.Option("--profile", help="Rubric profile (e.g. cochrane, metapsy).")
]
StudiesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--studies",
        help="Only these studies (ids or 'Author Year'), in this order: repeat the option "
        "(each value is one label, commas and all) or give a file with one label per line.",
    ),
]
OrderOption = Annotated[
    str | None,
    typer.Option("--order", help="input (default), year, author or judgement (best first)."),
]
PaletteOption = Annotated[str, typer.Option("--palette", help="cochrane (default) or colourblind.")]
AllowInvalidOption = Annotated[
    bool,
    typer.Option(
        "--allow-invalid",
        help="Publish even when `appraise check` finds errors (default: refuse, naming them).",
    ),
]


def _valid_corpus(corpus: Path | None, command: str, allow_invalid: bool) -> Corpus:
    from appraise.app.check import refuse_invalid

    store = open_corpus(corpus)
    if not allow_invalid:
        refuse_invalid(store, command)
    return store


def register(app: typer.Typer) -> None:
    app.command("table")(table)
    app.command("plot")(plot)
    app.command("report")(report)
    app.command("export")(export)
    app.add_typer(import_app, name="import")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _studies(values: list[str] | None) -> list[str] | None:
    from appraise.outputs.matrix import study_selection

    return study_selection(values) if values else None


def table(
    corpus: CorpusOption,
    rubric: RubricOption = None,
    studies: StudiesOption = None,
    order: OrderOption = None,
    detail: Annotated[
        bool,
        typer.Option("--detail", help="Per study: Domain | Judgement | Support for judgement."),
    ] = False,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="markdown, latex, csv, html, docx, xlsx, json or robvis. Default: from --output's "
            "extension, else markdown.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write. Default: print to stdout.")
    ] = None,
    palette: PaletteOption = "cochrane",
    profile: ProfileOption = None,
    allow_invalid: AllowInvalidOption = False,
) -> None:
    """Risk-of-bias table: studies x domains with overall, or the support for each judgement."""
    from appraise.errors import InputError
    from appraise.outputs.matrix import build_matrix
    from appraise.outputs.tables import BINARY_FORMATS, render_table, table_format

    chosen = table_format(output, fmt)
    if output is None and chosen in BINARY_FORMATS:
        raise InputError(
            f"a {chosen} table cannot go to the terminal",
            fix=f"write it to a file with --output table.{chosen}",
        )
    matrix = build_matrix(
        _valid_corpus(corpus, "table", allow_invalid),
        rubric,
        studies=_studies(studies),
        order=order,
        profile=profile,
    )
    content = render_table(matrix, chosen, detail=detail, palette=palette)
    if output is None:
        sys.stdout.write(terminal_text(content) if isinstance(content, str) else "")
        return
    if isinstance(content, bytes):
        atomic_write_bytes(output, content)
    else:
        atomic_write_text(output, content)
    note(f"wrote {output} ({chosen}, {len(matrix.rows)} studies)")


def plot(
    output: Annotated[Path, typer.Option("--output", "-o", help="FIGURE.png, .svg or .pdf")],
    corpus: CorpusOption,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="traffic-light (studies x domains), summary (bars per domain) or forest "
            "(each result's estimate and CI beside its judgements).",
        ),
    ] = "traffic-light",
    rubric: RubricOption = None,
    weighted: Annotated[
        bool, typer.Option("--weighted", help="Summary bars as shares of the studies' weights.")
    ] = False,
    palette: PaletteOption = "cochrane",
    studies: StudiesOption = None,
    order: OrderOption = None,
    profile: ProfileOption = None,
    rows_per_page: Annotated[
        int | None,
        typer.Option(
            "--rows-per-page",
            help="Traffic light: studies per page (default: as many as fit an A4 page).",
        ),
    ] = None,
    width: Annotated[
        float | None, typer.Option("--width", help="Page width in inches (default: fitted).")
    ] = None,
    height: Annotated[
        float | None,
        typer.Option("--height", help="Traffic light: page height in inches (default: A4)."),
    ] = None,
    label_size: Annotated[
        float | None, typer.Option("--label-size", help="Study labels, in points (default 8).")
    ] = None,
    allow_invalid: AllowInvalidOption = False,
) -> None:
    """robvis-style traffic-light or summary plot of the corpus's judgements. A traffic light
    longer than a page goes into a multi-page PDF, or one PNG/SVG per page (NAME-p01.png...)."""
    from appraise.errors import InputError
    from appraise.outputs.figures import (
        FigureSize,
        draw_summary,
        draw_traffic_light,
        figure_format,
    )
    from appraise.outputs.matrix import build_matrix

    if kind not in ("traffic-light", "summary", "forest"):
        raise InputError(f"unknown plot kind '{kind}'", fix="use traffic-light, summary or forest")
    if weighted and kind != "summary":
        raise InputError("--weighted applies to summary plots", fix="add --kind summary")
    sized = (rows_per_page, width, height, label_size)
    if kind != "traffic-light" and any(option is not None for option in sized):
        raise InputError(
            "--rows-per-page, --width, --height and --label-size apply to traffic-light plots",
            fix="add --kind traffic-light, or leave the size options out",
        )
    figure_format(output)
    matrix = build_matrix(
        _valid_corpus(corpus, "plot", allow_invalid),
        rubric,
        studies=_studies(studies),
        order=order,
        profile=profile,
    )
    if kind == "summary":
        draw_summary(matrix, output, palette, weighted=weighted)
        written = [output]
    elif kind == "forest":
        from appraise.outputs.forest import draw_forest

        forest = draw_forest(matrix, output, palette)
        written = [output]
        if forest.left_out:
            note(f"{_count(len(forest.left_out), 'study', 'studies')} without an estimate left out")
    else:
        size = FigureSize(rows_per_page, width, height, label_size)
        written = draw_traffic_light(matrix, output, palette, size)
    pages = f", {len(written)} files: {written[0].name}..." if len(written) > 1 else ""
    note(f"wrote {output} ({kind}, {len(matrix.rows)} studies{pages})")


def report(
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Folder for the report (replaced if it holds an earlier report)."
        ),
    ],
    corpus_dir: Annotated[
        Path | None,
        typer.Argument(
            metavar="[CORPUS]",
            help="Corpus folder. Default: $APPRAISE_CORPUS or .",
            show_default=False,
        ),
    ] = None,
    rubric: RubricOption = None,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
    allow_invalid: AllowInvalidOption = False,
) -> None:
    """Write tables, figures, claim traces, methods and references, with an index.html."""
    from appraise.outputs.report import build_report

    store = _valid_corpus(corpus_dir, "report", allow_invalid)
    result = build_report(store, out, rubric=rubric, profile=profile)
    if as_json:
        emit_json(
            {
                "out": str(result.out),
                "rubric": result.rubric,
                "profile": result.profile,
                "studies": result.studies,
                "files": result.files,
                "notes": result.notes,
            }
        )
        return
    for text in result.notes:
        note(text)
    typer.echo(
        f"report: {len(result.files)} files for {result.studies} studies "
        f"({result.rubric}, {result.profile} profile); open {result.out / 'index.html'}"
    )


def export(
    corpus: CorpusOption,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="ris, bibtex or csljson. Default: from --output's extension."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (.ris, .bib, .json). Default: stdout."),
    ] = None,
    rubric: RubricOption = None,
    studies: StudiesOption = None,
    order: OrderOption = None,
) -> None:
    """The appraised studies as references, with the overall judgement in a note field."""
    from appraise.errors import InputError
    from appraise.outputs.bibliography import bib_format, render_bibliography
    from appraise.outputs.matrix import build_matrix

    if fmt is None and output is None:
        raise InputError("say which format to export", fix="add --format ris|bibtex|csljson")
    chosen = bib_format(fmt, output.suffix if output else "")
    matrix = build_matrix(open_corpus(corpus), rubric, studies=_studies(studies), order=order)
    text = render_bibliography(matrix, chosen)
    if output is None:
        sys.stdout.write(terminal_text(text))
        return
    atomic_write_text(output, text)
    note(f"wrote {output} ({chosen}, {len(matrix.rows)} references)")


@import_app.command("metapsy")
def import_metapsy(
    file: Annotated[Path, typer.Argument(help="A Metapsy database CSV (one row per comparison).")],
    corpus: CorpusOption,
    rubric: Annotated[
        str | None,
        typer.Option(
            "--rubric",
            "-r",
            help="rob2 or metapsy-rob (RoB 2 domain columns), rob1 (RoB 1 items). "
            "Default: rob2 or rob1 by the database's columns.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import a Metapsy database: records from its references, the database's judgements per
    comparison, and (metapsy-rob) the items the Metapsy tool computes from its fields."""
    from appraise.imports.metapsy import import_metapsy as run_import
    from appraise.imports.metapsy import read_database

    result = run_import(open_corpus(corpus), read_database(file), rubric=rubric)
    if as_json:
        emit_json(
            {
                "layout": result.layout,
                "rubric": result.rubric,
                "studies": result.studies,
                "comparisons": result.comparisons,
                "records_written": result.records_written,
                "records_kept": result.records_kept,
                "appraisals_written": result.appraisals_written,
                "appraisals_unchanged": result.appraisals_unchanged,
                "disagreements": [vars(d) for d in result.disagreements],
                "computed_domains": result.computed_domains,
            }
        )
        return
    console.print(
        f"imported {_count(result.comparisons, 'comparison')} of "
        f"{_count(result.studies, 'study', 'studies')} ({result.layout}) as {result.rubric} "
        f"appraisals into {corpus}: {result.appraisals_written} written, "
        f"{result.appraisals_unchanged} unchanged, "
        f"{_count(result.records_written, 'record')} written",
        markup=False,
    )
    if result.records_kept:
        note(
            f"kept {_count(len(result.records_kept), 'existing record')} not made from this "
            f"database (e.g. {result.records_kept[0]})"
        )
    if result.computed_domains:
        judged = ", ".join(f"{d} {n}" for d, n in sorted(result.computed_domains.items()))
        note(f"domains judged from database fields alone (metapsy-computed): {judged}")
    if result.disagreements:
        note(
            f"{_count(len(result.disagreements), 'comparison')} where the database's overall "
            f"differs from the {result.rubric} rule (kept as the database states it), e.g. "
            f"{result.disagreements[0].study}: rule {result.disagreements[0].by_rule}, "
            f"database {result.disagreements[0].database}"
        )
    else:
        note(f"the database's overall agrees with the {result.rubric} rule for every comparison")


@import_app.command("robvis")
def import_robvis(
    file: Annotated[Path, typer.Argument(help="robvis CSV: Study,D1..Dn,Overall[,Weight]")],
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="rob2, robins-i, rob1, ...")],
    corpus: CorpusOption,
    profile: ProfileOption = None,
    reviewer: Annotated[
        str, typer.Option("--reviewer", help="Reviewer name stored with the judgements.")
    ] = "robvis-import",
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Judgements spelt exactly as robvis spells them (default: robvis' reading, "
            "by first letter in any case).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import a robvis CSV as appraisals; Overall is computed by the rubric's rule if absent."""
    from appraise.files import read_text
    from appraise.outputs.robvis import import_robvis as run_import
    from appraise.outputs.robvis import parse_robvis
    from appraise.rubrics import load_rubric

    rub = load_rubric(rubric)
    parsed = parse_robvis(read_text(file), rub, source=str(file), strict=strict)
    result = run_import(
        open_corpus(corpus),
        parsed,
        rub,
        profile=profile,
        reviewer=reviewer,
        source=file.name,
    )
    if as_json:
        emit_json(
            {
                "imported": result.imported,
                "created_records": result.created_records,
                "computed_overall": result.computed_overall,
                "undecided_overall": result.undecided_overall,
                "disagreements": [vars(d) for d in result.disagreements],
            }
        )
        return
    console.print(
        f"imported {_count(len(result.imported), f'{rub.id} appraisal')} by {reviewer} "
        f"into {corpus} "
        f"({_count(len(result.created_records), 'new study record')})",
        markup=False,
    )
    if result.computed_overall:
        note(
            f"Overall computed by the {rub.id} rule for "
            f"{_count(len(result.computed_overall), 'study', 'studies')} "
            "(the file has no Overall for them)"
        )
    if result.undecided_overall:
        note(
            f"the rule cannot decide Overall for "
            f"{_count(len(result.undecided_overall), 'study', 'studies')} "
            f"(e.g. {result.undecided_overall[0]}): left unjudged"
        )
    for item in result.disagreements:
        note(
            f"line {item.line} ({item.study}): Overall '{item.given}' disagrees with the "
            f"rule's '{item.by_rule}'; kept as given"
        )
