"""`appraise table`, `plot`, `report`, `export` and `import robvis|metapsy`: outputs for
manuscripts, and judgements made elsewhere brought in."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from appraise.cli.common import (
    CorpusOption,
    JsonOption,
    OldOutOption,
    OrderOption,
    PaletteOption,
    ProfileOption,
    RequiredRubricOption,
    RubricOption,
    StudiesOption,
    command,
    console,
    emit_json,
    group,
    note,
    one_of,
    output_folder,
)
from appraise.outputs.cells import terminal_text

import_app = group(
    "Bring judgements made elsewhere into a corpus.",
    "appraise import robvis judgements.csv -r rob2 -c my-review",
)
AllowInvalidOption = Annotated[
    bool,
    typer.Option(
        "--allow-invalid",
        help="Publish even when `appraise check` finds errors (default: refuse, naming them).",
    ),
]


def register(app: typer.Typer) -> None:
    command(app, "table", "appraise table -c corpus/iapt -o table.docx")(table)
    command(app, "plot", "appraise plot -c corpus/iapt -o traffic-light.png")(plot)
    command(app, "report", "appraise report -c corpus/iapt -o report/")(report)
    command(app, "export", "appraise export -c corpus/iapt -o studies.ris")(export)
    app.add_typer(import_app, name="import")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


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
            metavar="FORMAT",
            help="markdown, latex, csv, html, docx, xlsx, json or robvis. Default: from --output's "
            "extension, else markdown.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="File to write. Default: print to stdout."
        ),
    ] = None,
    palette: PaletteOption = "cochrane",
    profile: ProfileOption = None,
    allow_invalid: AllowInvalidOption = False,
) -> None:
    """Risk-of-bias table: studies x domains with overall, or the support for each judgement."""
    from appraise.app.outputs import table as make_table

    result = make_table(
        corpus=corpus,
        rubric=rubric,
        studies=studies,
        order=order,
        detail=detail,
        fmt=fmt,
        output=output,
        palette=palette,
        profile=profile,
        allow_invalid=allow_invalid,
    )
    if output is None:
        sys.stdout.write(terminal_text(result.content) if isinstance(result.content, str) else "")
        return
    note(f"wrote {output} ({result.format}, {_count(result.rows, 'study', 'studies')})")


def plot(
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="FIGURE.png, .svg or .pdf")
    ],
    corpus: CorpusOption,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="KIND",
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
            metavar="N",
            help="Traffic light: studies per page (default: as many as fit an A4 page).",
        ),
    ] = None,
    width: Annotated[
        float | None,
        typer.Option("--width", metavar="INCHES", help="Page width in inches (default: fitted)."),
    ] = None,
    height: Annotated[
        float | None,
        typer.Option(
            "--height", metavar="INCHES", help="Traffic light: page height in inches (default: A4)."
        ),
    ] = None,
    label_size: Annotated[
        float | None,
        typer.Option("--label-size", metavar="POINTS", help="Study labels, in points (default 8)."),
    ] = None,
    as_json: JsonOption = False,
    allow_invalid: AllowInvalidOption = False,
) -> None:
    """robvis-style traffic-light or summary plot of the corpus's judgements. A traffic light
    longer than a page goes into a multi-page PDF, or one PNG/SVG per page (NAME-p01.png...)."""
    from appraise.app.outputs import plot as make_plot

    result = make_plot(
        output,
        corpus=corpus,
        kind=kind,
        rubric=rubric,
        weighted=weighted,
        palette=palette,
        studies=studies,
        order=order,
        profile=profile,
        rows_per_page=rows_per_page,
        width=width,
        height=height,
        label_size=label_size,
        allow_invalid=allow_invalid,
    )
    if as_json:
        emit_json(result.to_json())
        return
    if result.left_out:
        note(f"{_count(len(result.left_out), 'study', 'studies')} without an estimate left out")
    written = result.written
    pages = f", {len(written)} files: {written[0].name}..." if len(written) > 1 else ""
    note(f"wrote {output} ({result.kind}, {_count(result.studies, 'study', 'studies')}{pages})")


def report(
    corpus: CorpusOption,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Folder for the report (replaced if it holds an earlier report).",
            show_default=False,
        ),
    ] = None,
    rubric: RubricOption = None,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
    old_out: OldOutOption = None,
    old_corpus: Annotated[
        Path | None,
        typer.Argument(metavar="CORPUS", hidden=True, help="Old spelling of --corpus."),
    ] = None,
    allow_invalid: AllowInvalidOption = False,
) -> None:
    """Write tables, figures, claim traces, methods and references, with an index.html."""
    from appraise.app.outputs import report as make_report

    out = output_folder(output, old_out)
    chosen = one_of(corpus, old_corpus, "--corpus or the CORPUS argument")
    result = make_report(
        out, corpus=chosen, rubric=rubric, profile=profile, allow_invalid=allow_invalid
    )
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
    rubric = f"{result.rubric}, {result.profile} profile" if result.profile else result.rubric
    typer.echo(
        f"report: {len(result.files)} files for {_count(result.studies, 'study', 'studies')} "
        f"({rubric}); open {result.out / 'index.html'}"
    )


def export(
    corpus: CorpusOption,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="ris, bibtex or csljson. Default: from --output's extension.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="File to write (.ris, .bib, .json). Default: stdout.",
        ),
    ] = None,
    rubric: RubricOption = None,
    studies: StudiesOption = None,
    order: OrderOption = None,
) -> None:
    """The appraised studies as references, with the overall judgement in a note field."""
    from appraise.app.outputs import export_references

    result = export_references(
        corpus=corpus, fmt=fmt, output=output, rubric=rubric, studies=studies, order=order
    )
    if output is None:
        sys.stdout.write(terminal_text(str(result.content)))
        return
    note(f"wrote {output} ({result.format}, {_count(result.rows, 'reference')})")


@command(import_app, "metapsy", "appraise import metapsy ptsd-database.csv -c my-review")
def import_metapsy(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A Metapsy database CSV (one row per comparison)."),
    ],
    corpus: CorpusOption,
    rubric: Annotated[
        str | None,
        typer.Option(
            "--rubric",
            "-r",
            metavar="RUBRIC",
            help="rob2 or metapsy-rob (RoB 2 domain columns), rob1 (RoB 1 items). "
            "Default: rob2 or rob1 by the database's columns.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import a Metapsy database: records from its references, the database's judgements per
    comparison, and (metapsy-rob) the items the Metapsy tool computes from its fields."""
    from appraise.app.imports import import_metapsy as run_import

    root, result = run_import(file, corpus=corpus, rubric=rubric)
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
        f"appraisals into {root}: {result.appraisals_written} written, "
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


@command(import_app, "robvis", "appraise import robvis judgements.csv -r rob2 -c my-review")
def import_robvis(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="robvis CSV: Study,D1..Dn,Overall[,Weight]")
    ],
    rubric: RequiredRubricOption,
    corpus: CorpusOption,
    profile: ProfileOption = None,
    reviewer: Annotated[
        str,
        typer.Option(
            "--reviewer", metavar="NAME", help="Reviewer name stored with the judgements."
        ),
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
    from appraise.app.imports import import_robvis as run_import

    root, rub, result = run_import(
        file, rubric, corpus=corpus, profile=profile, reviewer=reviewer, strict=strict
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
        f"into {root} "
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
