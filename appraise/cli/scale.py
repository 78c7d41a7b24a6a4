"""`appraise export-parquet` and `appraise batch score|propose`: a corpus past one machine.

Thin: checks the optional `scale` extra is installed, calls appraise.scale, prints a summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from appraise.cli.common import CorpusOption, JsonOption, console, emit_json, note, open_corpus
from appraise.errors import InputError
from appraise.scale import require_scale_extra

batch_app = typer.Typer(
    help="Score or propose for a whole corpus over Parquet partitions, here or on a Dask cluster."
)

PartitionsOption = Annotated[
    int | None,
    typer.Option("--partitions", min=1, help="Parquet parts for the records (default: by size)."),
]
RubricOption = Annotated[str, typer.Option("--rubric", help="Rubric id (rob2, ...) or file.")]
ParquetOption = Annotated[
    Path | None,
    typer.Option("--parquet", help="Read this existing export instead of exporting --corpus."),
]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Export --corpus to this folder first, then run.")
]
ProfileOption = Annotated[
    str | None, typer.Option("--profile", help="Rubric profile, e.g. cochrane or metapsy.")
]
EffectOption = Annotated[
    str | None, typer.Option("--effect", help="RoB 2 effect: assignment or adhering.")
]
EngineOption = Annotated[str, typer.Option("--engine", help="local (this process) or dask.")]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask scheduler address, e.g. tcp://host:8786 "
        "(default: a LocalCluster on this machine).",
    ),
]
WorkersOption = Annotated[
    int | None, typer.Option("--workers", min=1, help="LocalCluster workers (default: cores).")
]


def register(app: typer.Typer) -> None:
    app.command("export-parquet")(export_parquet)
    app.add_typer(batch_app, name="batch")


def export_parquet(
    out: Annotated[Path, typer.Option("--out", help="Folder for the Parquet dataset.")],
    corpus: CorpusOption,
    partitions: PartitionsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export records, appraisals, judgements and citation edges to Parquet (for DuckDB, Spark)."""
    require_scale_extra("pyarrow")
    from appraise.scale.parquet import export_corpus

    summary = export_corpus(open_corpus(corpus), out, partitions=partitions)
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


@batch_app.command("score")
def score(
    rubric: RubricOption,
    corpus: CorpusOption,
    parquet: ParquetOption = None,
    out: OutOption = None,
    profile: ProfileOption = None,
    effect: EffectOption = None,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    partitions: PartitionsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Judge every appraisal's answers by the rubric's rules; writes EXPORT/scores-RUBRIC/.

    Appraisals imported without answers (a database's domain judgements) get the overall rule
    only. Nothing in the corpus changes. Exit 1 if any appraisal could not be judged.
    """
    from appraise.scale.batch import ScoreTask

    rub, options = _rubric(rubric, profile, effect)
    task = ScoreTask(rub, profile=profile, options=options)
    summary = _run(task, corpus, parquet, out, engine, scheduler, workers, partitions)
    _report(summary, "appraisals", as_json)
    if summary["errors"]:
        raise typer.Exit(1)


@batch_app.command("propose")
def propose(
    rubric: RubricOption,
    corpus: CorpusOption,
    parquet: ParquetOption = None,
    out: OutOption = None,
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
) -> None:
    """Propose answers (with quotes) for every record's text; writes EXPORT/proposals-RUBRIC/.

    Proposals are unconfirmed: a reviewer confirms or changes them with `appraise assess`.
    """
    from appraise.scale.batch import ProposeTask, write_proposed_appraisals

    rub, options = _rubric(rubric, profile, effect)
    task = ProposeTask(rub, profile=profile, options=options)
    summary = _run(task, corpus, parquet, out, engine, scheduler, workers, partitions)
    if write:
        written = write_proposed_appraisals(open_corpus(corpus), Path(summary["out"]))
        summary["written"] = len(written.written)
        summary["already_appraised"] = written.already_appraised
        if not as_json:
            note(
                f"saved {len(written.written)} proposed appraisals in {corpus}; left alone "
                f"{written.already_appraised} already appraised for {rub.id}"
            )
    _report(summary, "records", as_json)
    if summary["errors"]:
        raise typer.Exit(1)


def _rubric(
    rubric: str, profile: str | None, effect: str | None
) -> tuple[Any, tuple[tuple[str, str], ...]]:
    from appraise.rubrics import Engine, load_rubric

    rub = load_rubric(rubric)
    options = {"effect": effect} if effect else {}
    Engine(rub, profile=profile, options=options)  # a wrong profile or option fails here, once
    return rub, tuple(options.items())


def _run(
    task: Any,
    corpus: Path | None,
    parquet: Path | None,
    out: Path | None,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    partitions: int | None,
) -> dict[str, Any]:
    if engine not in ("local", "dask"):
        raise InputError(f"unknown engine '{engine}'", fix="use --engine local or --engine dask")
    if scheduler and engine != "dask":
        raise InputError("--scheduler needs --engine dask", fix="add --engine dask")
    require_scale_extra(*(("pyarrow", "dask", "distributed") if engine == "dask" else ("pyarrow",)))
    from appraise.scale.batch import run_batch
    from appraise.scale.parquet import export_corpus

    if parquet is not None and out is not None:
        raise InputError(
            "give --parquet or --out, not both",
            fix="--parquet reads an existing export; --out exports --corpus first",
        )
    if parquet is not None:
        if not parquet.is_dir():
            raise InputError(
                f"no Parquet export at {parquet}",
                fix="run `appraise export-parquet --corpus DIR --out DIR` first",
            )
        export = parquet
    elif out is not None:
        export_corpus(open_corpus(corpus), out, partitions=partitions)
        export = out
    else:
        raise InputError(
            "say where the Parquet data is",
            fix="--parquet EXPORT (from export-parquet), or --out DIR to export "
            "--corpus there first",
        )
    summary = run_batch(task, export, engine=engine, scheduler=scheduler, workers=workers)  # type: ignore[arg-type]
    return summary.to_json()


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
