"""`appraise export-parquet` and `appraise batch score|propose`: a corpus past one machine.

Thin: checks the optional `scale` extra is installed, calls appraise.scale, prints a summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from appraise.cli.common import (
    CorpusOption,
    EffectOption,
    JsonOption,
    OldOutOption,
    ProfileOption,
    RequiredRubricOption,
    command,
    console,
    emit_json,
    group,
    note,
    one_of,
    output_folder,
    progress_bar,
)

batch_app = group(
    "Score or propose for a whole corpus over Parquet partitions, here or on a Dask cluster.",
    "appraise batch propose -r rob2 -c my-review -o export/ --engine dask --write",
)

PartitionsOption = Annotated[
    int | None,
    typer.Option(
        "--partitions", min=1, metavar="N", help="Parquet parts for the records (default: by size)."
    ),
]
ParquetOption = Annotated[
    Path | None,
    typer.Option(
        "--parquet", metavar="DIR", help="Read this existing export instead of exporting --corpus."
    ),
]
ExportOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", metavar="DIR", help="Export --corpus to this folder first, then run."
    ),
]
EngineOption = Annotated[
    str, typer.Option("--engine", metavar="ENGINE", help="local (this process) or dask.")
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address, e.g. tcp://host:8786 "
        "(default: a LocalCluster on this machine).",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", min=1, metavar="N", help="LocalCluster workers (default: cores)."),
]


def register(app: typer.Typer) -> None:
    command(app, "export-parquet", "appraise export-parquet -c corpus/iapt -o export/")(
        export_parquet
    )
    app.add_typer(batch_app, name="batch")


def export_parquet(
    corpus: CorpusOption,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="DIR", help="Folder for the Parquet dataset."),
    ] = None,
    partitions: PartitionsOption = None,
    as_json: JsonOption = False,
    old_out: OldOutOption = None,
) -> None:
    """Export records, appraisals, judgements and citation edges to Parquet (for DuckDB, Spark)."""
    from appraise.app.batch import export_parquet as export

    out = output_folder(output, old_out)
    summary = export(out, corpus=corpus, partitions=partitions)
    if as_json:
        emit_json(summary.to_json())
        return
    table = Table("table", "rows", "parts", title=f"Parquet export in {out}")
    for name, rows in summary.rows.items():
        table.add_row(name, f"{rows:,}", str(summary.parts[name]))
    console.print(table)
    console.print(
        f'query it, e.g.: duckdb -c "SELECT overall, count(*) FROM '
        f"'{out}/appraisals/*.parquet' GROUP BY overall\"",
        markup=False,
        soft_wrap=True,
    )


@command(batch_app, "score", "appraise batch score -r rob2 --parquet export/")
def score(
    rubric: RequiredRubricOption,
    corpus: CorpusOption,
    parquet: ParquetOption = None,
    output: ExportOption = None,
    profile: ProfileOption = None,
    effect: EffectOption = None,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    partitions: PartitionsOption = None,
    as_json: JsonOption = False,
    old_out: OldOutOption = None,
) -> None:
    """Judge every appraisal's answers by the rubric's rules; writes EXPORT/scores-RUBRIC/.

    Appraisals imported without answers (a database's domain judgements) get the overall rule
    only. Nothing in the corpus changes. Exit 1 if any appraisal could not be judged.
    """
    from appraise.app.batch import Where, batch_score

    out = one_of(output, old_out, "--output or --out")
    with progress_bar("scoring", show=not as_json) as progress:
        where = Where(corpus, parquet, out, engine, scheduler, workers, partitions, progress)
        outcome = batch_score(rubric, where, profile=profile, effect=effect)
    _report(outcome.summary, "appraisals", as_json)
    if not outcome.ok:
        raise typer.Exit(1)


@command(batch_app, "propose", "appraise batch propose -r rob2 -c my-review -o export/ --write")
def propose(
    rubric: RequiredRubricOption,
    corpus: CorpusOption,
    parquet: ParquetOption = None,
    output: ExportOption = None,
    profile: ProfileOption = None,
    effect: EffectOption = None,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    partitions: PartitionsOption = None,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="Also save the proposed appraisals in --corpus, for "
            "studies with no appraisal for this rubric yet (never replaces a file).",
        ),
    ] = False,
    as_json: JsonOption = False,
    old_out: OldOutOption = None,
) -> None:
    """Propose answers (with quotes) for every record's text; writes EXPORT/proposals-RUBRIC/.

    Proposals are unconfirmed: a reviewer confirms or changes them with `appraise assess`.
    """
    from appraise.app.batch import Where, batch_propose

    out = one_of(output, old_out, "--output or --out")
    with progress_bar("proposing", show=not as_json) as progress:
        where = Where(corpus, parquet, out, engine, scheduler, workers, partitions, progress)
        outcome = batch_propose(rubric, where, profile=profile, effect=effect, write=write)
    summary = outcome.summary
    if write and not as_json:
        note(
            f"saved {summary['written']} proposed appraisals in {corpus}; left alone "
            f"{summary['already_appraised']} already appraised for {outcome.rubric}"
        )
    _report(summary, "records", as_json)
    if not outcome.ok:
        raise typer.Exit(1)


def _report(summary: dict[str, Any], what: str, as_json: bool) -> None:
    if as_json:
        emit_json(summary)
        return
    console.print(
        f"{summary['task']}: {summary['rows_out']:,} {what} in {summary['partitions']} "
        f"partitions on {summary['engine']}, {summary['seconds']:.2f} s; "
        f"{summary['errors']} failed",
        markup=False,
        soft_wrap=True,
    )
    table = Table("overall (proposed by the rules)", what)
    for label, count in summary["overall"].items():
        table.add_row("(incomplete)" if label == "None" else label, f"{count:,}")
    console.print(table)
    console.print(f"results: {summary['out']}", markup=False, soft_wrap=True)
