"""Batch scoring and proposing over Parquet partitions, in one process or on Dask.

One pure function per task turns a partition's rows into result rows; ``process_partition``
reads one input part, applies it and writes one output part. The local engine loops over the
parts in this process; the Dask engine maps the very same ``process_partition`` over them on a
cluster (a LocalCluster by default, or a scheduler's address), so both give the same rows.

With a remote scheduler the workers read and write the parts themselves: give folders every
worker can see (a shared file system).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from appraise.corpus import Corpus
from appraise.errors import AppraiseError, InputError
from appraise.files import make_temp_dir
from appraise.models import Appraisal, Judgement, Rubric, StudyRecord
from appraise.rubrics import Engine
from appraise.scale.parquet import part_files, part_name, swap_in, write_part

EngineName = Literal["local", "dask"]


@dataclass(frozen=True)
class _RubricTask:
    """What every batch task shares: the rubric, and the profile and options to apply it with."""

    rubric: Rubric
    profile: str | None = None
    options: tuple[tuple[str, str], ...] = ()

    @cached_property
    def domain_ids(self) -> list[str]:
        return list(dict.fromkeys(d.id for d in self.rubric.domains))


@dataclass(frozen=True)
class ScoreTask(_RubricTask):
    """Judge every appraisal's answers with a rubric: the profile and options given here, or
    else each appraisal's own."""

    input_table: str = "appraisals"

    @property
    def name(self) -> str:
        return f"scores-{self.rubric.id}"

    @cached_property
    def schema(self) -> pa.Schema:
        return pa.schema(
            [
                ("study", pa.string()),
                ("result", pa.string()),
                ("reviewer", pa.string()),
                ("rubric", pa.string()),
                ("profile", pa.string()),
                ("options_json", pa.string()),
                *[(domain, pa.string()) for domain in self.domain_ids],
                ("overall", pa.string()),
                ("overall_rule", pa.string()),
                ("complete", pa.bool_()),
                ("basis", pa.string()),  # answers, or imported domain judgements
                ("missing_json", pa.string()),
                ("error", pa.string()),
            ]
        )

    def rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        engines: dict[tuple[str | None, str], Engine] = {}
        return [self.score_row(row, engines) for row in rows if row["rubric"] == self.rubric.id]

    def score_row(
        self, row: Mapping[str, Any], engines: dict[tuple[str | None, str], Engine]
    ) -> dict[str, Any]:
        profile = self.profile or row["profile"]
        options = dict(self.options) or json.loads(row["options_json"] or "{}")
        out: dict[str, Any] = {
            "study": row["study"],
            "result": row["result"],
            "reviewer": row["reviewer"],
            "rubric": self.rubric.id,
            "profile": profile,
            "options_json": json.dumps(options, sort_keys=True),
        }
        try:
            key = (profile, out["options_json"])
            if key not in engines:
                engines[key] = Engine(self.rubric, profile=profile, options=options)
            answers = json.loads(row["answers_json"])
            if not answers and row["domains_json"]:
                return {**out, **self._from_domains(engines[key], json.loads(row["domains_json"]))}
            evaluation = engines[key].evaluate(answers)
        except AppraiseError as exc:  # one bad appraisal must not sink the batch
            return {**out, "complete": False, "error": str(exc)}
        out["basis"] = "answers"
        for domain, result in evaluation.domains.items():
            out[domain] = result.judgement
        out["overall"] = evaluation.overall
        out["overall_rule"] = evaluation.overall_rule
        out["complete"] = evaluation.complete
        out["missing_json"] = json.dumps(evaluation.missing) if evaluation.missing else None
        return out

    @staticmethod
    def _from_domains(engine: Engine, domains: dict[str, str | None]) -> dict[str, Any]:
        """Imported appraisals (a database's domain judgements, no answers): only the overall
        rule can be applied, e.g. to see a database under another profile's overall rule."""
        in_force = {d.id: domains.get(d.id) for d in engine.domains}
        overall, rule = engine.overall_from(in_force)
        missing = [d for d, label in in_force.items() if label is None]
        return {
            **in_force,
            "basis": "domains",
            "overall": overall,
            "overall_rule": rule,
            "complete": not missing,
            "missing_json": json.dumps({d: [] for d in missing}) if missing else None,
        }


# Who the batch's proposed appraisals belong to: not a person, so a reviewer's own file (under
# their name) is never the one written.
PROPOSER = "appraise-proposals"


@dataclass(frozen=True)
class ProposeTask(_RubricTask):
    """Run the rubric's evidence detectors over each record's text: proposed answers with
    quotes, and the domain judgements the rules derive from them. Nothing is confirmed."""

    reviewer: str = PROPOSER
    input_table: str = "records"

    @property
    def name(self) -> str:
        return f"proposals-{self.rubric.id}"

    @cached_property
    def schema(self) -> pa.Schema:
        return pa.schema(
            [
                ("study", pa.string()),
                ("rubric", pa.string()),
                ("profile", pa.string()),
                *[(domain, pa.string()) for domain in self.domain_ids],
                ("overall", pa.string()),
                ("complete", pa.bool_()),
                ("answered", pa.int32()),  # questions given an answer other than NI / NA
                ("characters", pa.int64()),  # length of the text the detectors read
                ("appraisal_json", pa.string()),
                ("error", pa.string()),
            ]
        )

    def rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        engine = Engine(self.rubric, profile=self.profile, options=dict(self.options))
        return [self.propose_row(row["record_json"], engine, row.get("document")) for row in rows]

    def propose_row(
        self, record_json: str, engine: Engine, text_path: str | None = None
    ) -> dict[str, Any]:
        """Proposals for one record, reading its attached full text as `propose ID` does
        (appraise.app.study.study_document); an export made before documents were listed
        has no ``document`` column, and the record alone is read."""
        from appraise.app.study import study_document
        from appraise.review.proposals import evidence_proposals

        record = StudyRecord.model_validate_json(record_json)
        out: dict[str, Any] = {
            "study": record.id,
            "rubric": self.rubric.id,
            "profile": engine.profile,
        }
        try:
            path = Path(text_path) if text_path else None
            document = study_document(record, path)
            answers = evidence_proposals(document, record, engine)
            evaluation = engine.evaluate(
                {q: a.answer for q, a in answers.items() if a.answer is not None}
            )
        except AppraiseError as exc:
            return {**out, "complete": False, "error": str(exc)}
        appraisal = Appraisal(
            study=record.id,
            rubric=self.rubric.id,
            rubric_version=self.rubric.version,
            rubric_file_version=self.rubric.file_version,
            profile=engine.profile,
            options=dict(engine.options),
            reviewer=self.reviewer,
            answers=answers,
            domains={
                d: Judgement(proposed=r.judgement, rule=r.rule)
                for d, r in evaluation.domains.items()
            },
            overall=Judgement(proposed=evaluation.overall, rule=evaluation.overall_rule),
        )
        return {
            **out,
            **{d: r.judgement for d, r in evaluation.domains.items()},
            "overall": evaluation.overall,
            "complete": evaluation.complete,
            "answered": sum(a.answer not in (None, "NI", "NA") for a in answers.values()),
            "characters": len(document.text),
            "appraisal_json": appraisal.model_dump_json(exclude_none=True),
        }


class BatchTask(Protocol):
    """What a batch task provides (ScoreTask, ProposeTask): a name, the table it reads, the
    schema it writes, and a pure function from input rows to output rows. It must pickle, so
    Dask can ship it to the workers."""

    @property
    def name(self) -> str: ...

    input_table: str

    @property
    def schema(self) -> pa.Schema: ...

    def rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]: ...


@dataclass
class BatchSummary:
    task: str
    engine: str
    partitions: int
    rows_in: int = 0
    rows_out: int = 0
    errors: int = 0
    seconds: float = 0.0
    overall: dict[str, int] = field(default_factory=dict)
    out: str = ""

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass(frozen=True)
class PartResult:
    rows_in: int
    rows_out: int
    errors: int
    overall: dict[str, int]


def process_partition(in_path: str, out_path: str, task: BatchTask) -> PartResult:
    """Read one input part, apply the task's pure row function, write one output part."""
    rows = pq.read_table(in_path).to_pylist()
    results = task.rows(rows)
    write_part(Path(out_path), results, task.schema)
    overall = Counter(str(r.get("overall")) for r in results if not r.get("error"))
    errors = sum(1 for r in results if r.get("error"))
    return PartResult(len(rows), len(results), errors, dict(overall))


def run_batch(
    task: BatchTask,
    export: Path,
    *,
    engine: EngineName = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    processes: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> BatchSummary:
    """Apply ``task`` to every part of ``export/<task.input_table>``; write ``export/<task.name>``.

    The output folder is built beside the old one and swapped in when every part is written.
    ``progress(part, done, total)`` is called as each part finishes.
    """
    inputs = part_files(export / task.input_table)
    staging = make_temp_dir(f".{task.name}-", export).resolve()
    outputs = [str(staging / part_name(i)) for i in range(len(inputs))]
    in_paths = [str(p.resolve()) for p in inputs]
    started = time.perf_counter()
    try:
        if engine == "local":
            results = []
            for done, (i, o) in enumerate(zip(in_paths, outputs, strict=True), 1):
                results.append(process_partition(i, o, task))
                if progress is not None:
                    progress(Path(i).name, done, len(in_paths))
            where = "local (this process)"
        elif engine == "dask":
            results, where = _run_on_dask(
                in_paths, outputs, task, scheduler, workers, processes, progress
            )
        else:
            raise InputError(f"unknown engine '{engine}'", fix="use local or dask")
        swap_in(staging, export / task.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    overall: Counter[str] = Counter()
    for r in results:
        overall.update(r.overall)
    return BatchSummary(
        task=task.name,
        engine=where,
        partitions=len(inputs),
        rows_in=sum(r.rows_in for r in results),
        rows_out=sum(r.rows_out for r in results),
        errors=sum(r.errors for r in results),
        seconds=round(time.perf_counter() - started, 3),
        overall=dict(sorted(overall.items())),
        out=str(export / task.name),
    )


def _run_on_dask(
    in_paths: list[str],
    out_paths: list[str],
    task: BatchTask,
    scheduler: str | None,
    workers: int | None,
    processes: bool,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[list[PartResult], str]:
    from distributed import Client, LocalCluster, as_completed

    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise AppraiseError(
                f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                fix="check the address (e.g. tcp://host:8786) and that the scheduler is running",
            ) from None
        cluster = None
        where = f"dask scheduler {scheduler}"
    else:
        n_workers = workers or os.cpu_count() or 1
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
        where = f"dask LocalCluster ({n_workers} worker{'s' if n_workers > 1 else ''})"
    try:
        futures = client.map(process_partition, in_paths, out_paths, task=task, pure=False)
        if progress is not None:
            for done, _ in enumerate(as_completed(futures), 1):
                progress(f"{done} of {len(futures)} parts", done, len(futures))
        results: list[PartResult] = client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results, where


@dataclass
class WriteSummary:
    written: list[str] = field(default_factory=list)
    already_appraised: int = 0
    failed: int = 0


def write_proposed_appraisals(corpus: Corpus, folder: Path) -> WriteSummary:
    """Save the batch's proposed appraisals for studies with no appraisal for that rubric yet.

    A study someone has appraised (any reviewer, any result) is left alone, so a reviewer's
    file is never replaced; rows the batch could not propose for are counted, not written.
    """
    summary = WriteSummary()
    appraised = corpus.appraised()
    for part in part_files(folder):
        for row in pq.read_table(
            part, columns=["study", "rubric", "appraisal_json", "error"]
        ).to_pylist():
            if row["error"] or row["appraisal_json"] is None:
                summary.failed += 1
                continue
            if (corpus.study_stem(row["study"]), row["rubric"]) in appraised:
                summary.already_appraised += 1
                continue
            appraisal = Appraisal.model_validate_json(row["appraisal_json"])
            corpus.write_appraisal(appraisal)
            summary.written.append(appraisal.study)
    return summary
