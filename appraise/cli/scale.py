"""`appraise export-parquet` and `appraise batch score`: a corpus past one machine.

Thin: checks the optional `scale` extra is installed, calls appraise.scale, prints a summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from appraise.cli.common import CorpusOption, JsonOption, console, emit_json, open_corpus
from appraise.errors import InputError
from appraise.scale import require_scale_extra

batch_app = typer.Typer(
    help="Score (or propose) a whole corpus over Parquet partitions, here or on a Dask cluster."
)

PartitionsOption = Annotated[
    int | None,
    typer.Option("--partitions", min=1, help="Parquet parts for the records (default: by size)."),
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
    )


@batch_app.command("score")
def score(
    rubric: Annotated[str, typer.Option("--rubric", help="Rubric id (rob2, ...) or file.")],
    corpus: CorpusOption,
    parquet: Annotated[
        Path | None,
        typer.Option("--parquet", help="Use this existing export instead of exporting --corpus."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Export --corpus here first, then score it.")
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="Judge every appraisal under this profile.")
    ] = None,
    effect: Annotated[
        str | None, typer.Option("--effect", help="RoB 2 effect: assignment or adhering.")
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="local (this process) or dask.")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address (default: a LocalCluster)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="LocalCluster workers (default: cores).")
    ] = None,
    partitions: PartitionsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Judge every appraisal's answers with the rubric's rules; writes EXPORT/scores-RUBRIC/.

    Reads the appraisals from a Parquet export (--parquet), or exports --corpus to --out first.
    Nothing in the corpus is changed. Exit 1 if any appraisal could not be judged.
    """
    export = _prepare(corpus, parquet, out, engine, partitions)
    from appraise.rubrics import Engine, load_rubric
    from appraise.scale.batch import ScoreTask, run_batch

    rub = load_rubric(rubric)
    options = {"effect": effect} if effect else {}
    Engine(rub, profile=profile, options=options)  # a wrong profile or option fails here, once
    task = ScoreTask(rub, profile=profile, options=tuple(options.items()))
    summary = run_batch(task, export, engine=engine, scheduler=scheduler, workers=workers)  # type: ignore[arg-type]
    _report(summary.to_json(), as_json)
    if summary.errors:
        raise typer.Exit(1)


def _prepare(
    corpus: Path, parquet: Path | None, out: Path | None, engine: str, partitions: int | None
) -> Path:
    if engine not in ("local", "dask"):
        raise InputError(f"unknown engine '{engine}'", fix="use --engine local or --engine dask")
    require_scale_extra(*(("pyarrow", "dask", "distributed") if engine == "dask" else ("pyarrow",)))
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
        return parquet
    if out is None:
        raise InputError(
            "say where the Parquet data is",
            fix="--parquet EXPORT (from export-parquet), or --out DIR to export "
            "--corpus there first",
        )
    from appraise.scale.parquet import export_corpus

    export_corpus(open_corpus(corpus), out, partitions=partitions)
    return out


def _report(summary: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(summary)
        return
    console.print(
        f"{summary['task']}: {summary['rows_out']:,} appraisals in {summary['partitions']} "
        f"partitions on {summary['engine']}, {summary['seconds']:.2f} s; "
        f"{summary['errors']} could not be judged",
        markup=False,
    )
    table = Table("overall", "appraisals")
    for label, count in summary["overall"].items():
        table.add_row(label, f"{count:,}")
    console.print(table)
    console.print(f"results: {summary['out']}", markup=False)
