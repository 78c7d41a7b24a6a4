"""`appraise export-parquet` and `appraise batch score|propose`: a corpus past one machine, over
Parquet partitions, here or on a Dask cluster (appraise.scale; needs the `scale` extra)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from appraise.app.workspace import open_corpus
from appraise.errors import InputError
from appraise.scale import require_scale_extra

if TYPE_CHECKING:
    from appraise.models import Rubric
    from appraise.scale.batch import ProposeTask, ScoreTask
    from appraise.scale.parquet import ExportSummary

ENGINES = ("local", "dask")


def export_parquet(
    out: Path, *, corpus: Path | None = None, partitions: int | None = None
) -> ExportSummary:
    """Records, appraisals, judgements and citation edges as a Parquet dataset in ``out``."""
    require_scale_extra("pyarrow")
    from appraise.scale.parquet import export_corpus

    return export_corpus(open_corpus(corpus), out, partitions=partitions)


@dataclass
class Where:
    """Where a batch reads: an existing export (``parquet``), or ``corpus`` exported to ``out``
    first; and what runs it."""

    corpus: Path | None = None
    parquet: Path | None = None
    out: Path | None = None
    engine: str = "local"
    scheduler: str | None = None
    workers: int | None = None
    partitions: int | None = None
    progress: Callable[[str, int, int], None] | None = None
    """Called as each partition finishes: (part, done, total)."""


@dataclass
class BatchOutcome:
    rubric: str
    summary: dict[str, Any]
    """appraise.scale.batch.BatchSummary as JSON, with ``written`` and ``already_appraised``
    when proposals were saved in the corpus."""

    @property
    def ok(self) -> bool:
        return not self.summary["errors"]


def _rubric(
    rubric: str, profile: str | None, effect: str | None
) -> tuple[Rubric, tuple[tuple[str, str], ...]]:
    from appraise.rubrics import Engine, load_rubric

    rub = load_rubric(rubric)
    options = {"effect": effect} if effect else {}
    Engine(rub, profile=profile, options=options)  # a wrong profile or option fails here, once
    return rub, tuple(options.items())


def _run(task: ScoreTask | ProposeTask, where: Where) -> dict[str, Any]:
    if where.engine not in ENGINES:
        raise InputError(
            f"unknown engine '{where.engine}'", fix="use --engine local or --engine dask"
        )
    if where.scheduler and where.engine != "dask":
        raise InputError("--scheduler needs --engine dask", fix="add --engine dask")
    dask = where.engine == "dask"
    require_scale_extra(*(("pyarrow", "dask", "distributed") if dask else ("pyarrow",)))
    from appraise.scale.batch import run_batch

    if where.parquet is not None and where.out is not None:
        raise InputError(
            "give --parquet or --output, not both",
            fix="--parquet reads an existing export; --output exports --corpus first",
        )
    if where.parquet is not None:
        if not where.parquet.is_dir():
            raise InputError(
                f"no Parquet export at {where.parquet}",
                fix="run `appraise export-parquet --corpus DIR --output DIR` first",
            )
        export = where.parquet
    elif where.out is not None:
        export_parquet(where.out, corpus=where.corpus, partitions=where.partitions)
        export = where.out
    else:
        raise InputError(
            "say where the Parquet data is",
            fix="--parquet EXPORT (from export-parquet), or --output DIR to export "
            "--corpus there first",
        )
    engine: Literal["local", "dask"] = "dask" if dask else "local"
    summary = run_batch(
        task,  # type: ignore[arg-type]  # frozen dataclasses: read-only members of the protocol
        export,
        engine=engine,
        scheduler=where.scheduler,
        workers=where.workers,
        progress=where.progress,
    )
    return summary.to_json()


def batch_score(
    rubric: str, where: Where, *, profile: str | None = None, effect: str | None = None
) -> BatchOutcome:
    """Judge every appraisal's answers by the rubric's rules; writes EXPORT/scores-RUBRIC/."""
    from appraise.scale.batch import ScoreTask

    rub, options = _rubric(rubric, profile, effect)
    return BatchOutcome(rub.id, _run(ScoreTask(rub, profile=profile, options=options), where))


def batch_propose(
    rubric: str,
    where: Where,
    *,
    profile: str | None = None,
    effect: str | None = None,
    write: bool = False,
) -> BatchOutcome:
    """Propose answers for every study's text (its attached full text joined with the record,
    as `propose ID` reads it); writes EXPORT/proposals-RUBRIC/, and with ``write`` saves them
    in the corpus for studies with no appraisal for this rubric yet."""
    from appraise.scale.batch import ProposeTask, write_proposed_appraisals

    rub, options = _rubric(rubric, profile, effect)
    summary = _run(ProposeTask(rub, profile=profile, options=options), where)
    if write:
        written = write_proposed_appraisals(open_corpus(where.corpus), Path(summary["out"]))
        summary["written"] = len(written.written)
        summary["already_appraised"] = written.already_appraised
    return BatchOutcome(rub.id, summary)
