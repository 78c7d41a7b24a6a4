"""Proposals: MB of text and records per second through the evidence detectors.

Records are built from the open-access full texts in ../shared/fixtures (Europe PMC
fullTextXML and PMC OA .nxml, parsed by ``appraise.sources.europepmc.parse_fulltext``, merged
by ``appraise.sources.merge``), then repeated to 10,000 records and stored as Parquet
partitions. The work per record is the batch path's: ``document_from_record`` ->
``appraise.evidence.propose`` (via the review adapter) -> ``Engine.evaluate`` -> an appraisal.

* same run, before and after: the detectors over the snapshot's inputs (../shared/data/oa-trials
  and the fixtures; see snapshot.py) in a child process on this tree and on a checkout of
  ``BASELINE`` (the commit before the one-pass cue scan), MB/s per core (CPU time), the 1x, 10x
  and 100x linearity, and each tree's differences from the output snapshot; then ``propose``
  with rob2 over the same inputs, with the quote ranker and without it (the ranker's cost);
* linearity: one trial report at 1x, 10x and 100x its text, seconds per MB at each size;
* one process: ``appraise batch propose --engine local`` on a 2,000-record slice;
* both cores: ``--engine dask`` with a LocalCluster of 2 worker processes, on all 10,000.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__" and "--child" in sys.argv:  # measure that tree's appraise, not ours
    sys.path.insert(0, sys.argv[sys.argv.index("--child") + 1])

from common import SHARED, metric, skipped

from appraise.ids import parse_identifier
from appraise.models import Section, StudyRecord
from appraise.rubrics import Engine, load_rubric

FULL = (10_000, 2_000)  # records on both cores, records on one process
QUICK = (400, 200)
SCALES = (1, 10, 100)
LINEARITY_RECORD = "10.1111/bcpt.70261"  # a randomised trial report, 38,000 characters
FOLDERS = (("fulltextxml", "*.xml"), ("jats_pmc_oa_nxml", "*.nxml"))
# The code before the one-pass cue scan (issue 20): measured beside this tree in every run.
BASELINE = "153d9b7"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def baseline_tree(folder: Path) -> Path | None:
    """The appraise package as it was at BASELINE, unpacked under ``folder`` (None without
    git or the commit)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", BASELINE, "appraise", "rubrics", "pyproject.toml"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        return None
    tar = folder / "baseline.tar"
    tar.write_bytes(archive.stdout)
    with tarfile.open(tar) as handle:
        handle.extractall(folder / "tree", filter="data")
    return folder / "tree"


def before_and_after(quick: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The detectors on this tree and on BASELINE, each in a fresh child process."""
    trees: dict[str, Path | None] = {"now": ROOT}
    with tempfile.TemporaryDirectory(prefix="appraise-bench-baseline-") as tmp:
        trees["baseline"] = baseline_tree(Path(tmp))
        figures = {}
        for label, tree in trees.items():
            if tree is None:
                continue
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(tree), *(["--quick"] if quick else [])],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"{label}: {done.stderr.strip()[-500:]}")
            figures[label] = json.loads(done.stdout)
    now = figures["now"]
    base = figures.get("baseline")
    note = f"baseline {BASELINE}: " if base else "no baseline (needs git): "

    def beside(value: float, old: float | None, fmt: str) -> str:
        return note + (fmt.format(old) if old is not None else "-")

    rows = [
        metric(
            "detectors, snapshot inputs",
            now["mb_per_cpu_second"],
            "MB/s per core",
            beside(now["mb_per_cpu_second"], base and base["mb_per_cpu_second"], "{:.2f} MB/s")
            + f"; {now['megabytes']:.2f} MB, {now['documents']} documents, CPU time",
        ),
        metric(
            "outputs differing from the snapshot",
            now["differences"],
            "documents/parts",
            beside(0, base and base["differences"], "{:.0f}") + " (0 = identical)",
        ),
    ]
    for scale in SCALES:
        key = str(scale)
        rows.append(
            metric(
                f"detectors at {scale}x text",
                now["mb_per_cpu_second_at"][key],
                "MB/s per core",
                beside(0, base and base["mb_per_cpu_second_at"][key], "{:.2f} MB/s"),
            )
        )
    rows.append(
        metric(
            "detectors 100x vs 1x time per MB",
            now["mb_per_cpu_second_at"]["1"] / now["mb_per_cpu_second_at"]["100"],
            "ratio",
            "1.0 = linear in text length",
        )
    )
    for key, name in (("with_ranker", "quote ranker"), ("without_ranker", "no ranker")):
        if now["propose"][key] is not None:
            old = base["propose"][key] if base and "propose" in base else None
            rows.append(
                metric(
                    f"propose rob2 ({name}), snapshot inputs",
                    now["propose"][key],
                    "MB/s per core",
                    beside(0, old, "{:.2f} MB/s")
                    + (" (it has no ranker)" if base and old is None else "")
                    + ", CPU time",
                )
            )
    with_ranker, without = now["propose"]["with_ranker"], now["propose"]["without_ranker"]
    if with_ranker is not None:
        rows.append(
            metric(
                "quote ranker's share of propose time",
                100 * (1 - with_ranker / without),
                "%",
                "1 - (MB/s with) / (MB/s without), same run",
            )
        )
    if base:
        rows.append(
            metric(
                "detectors speed-up",
                now["mb_per_cpu_second"] / base["mb_per_cpu_second"],
                "x",
                f"this tree vs {BASELINE}, same run",
            )
        )
    return rows, figures


def child(tree: Path, quick: bool) -> dict[str, Any]:
    """In a fresh process on ``tree``'s appraise: the detectors' speed and snapshot check."""
    import snapshot

    import appraise

    assert Path(appraise.__file__).resolve().is_relative_to(tree.resolve()), appraise.__file__

    from appraise.evidence import Document

    inputs = list(snapshot.documents())
    megabytes = sum(len(d.text.encode()) for _, d, _ in inputs) / 1e6
    rounds = 1 if quick else 3
    started = time.process_time()
    outputs = {}
    for _ in range(rounds):
        for key, document, record in inputs:
            fresh = Document(document.text, document.sections, document.source, document.problems)
            outputs[key] = snapshot.outputs(fresh, record)
    seconds = time.process_time() - started
    differences = len(snapshot.differences(snapshot.load(), outputs))
    trial = next(d for k, d, _ in inputs if k.startswith("fixtures/") and LINEARITY_RECORD in k)
    at: dict[str, float] = {}
    for scale in SCALES:
        parts = [
            (s.title, s.kind, "\n\n".join([trial.text[s.start : s.end]] * scale))
            for s in trial.sections
        ]
        big = Document.from_sections(parts, trial.source)
        repeats = max(1, (20 if quick else 60) // scale)
        started = time.process_time()
        for _ in range(repeats):
            snapshot.outputs(Document.from_sections(parts, trial.source), None)
        at[str(scale)] = repeats * len(big.text.encode()) / 1e6 / (time.process_time() - started)
    return {
        "megabytes": megabytes,
        "documents": len(inputs),
        "mb_per_cpu_second": rounds * megabytes / seconds,
        "differences": differences,
        "mb_per_cpu_second_at": at,
        "propose": propose_rates(inputs, megabytes, rounds),
    }


def propose_rates(
    inputs: list[tuple[str, Any, StudyRecord | None]], megabytes: float, rounds: int
) -> dict[str, float | None]:
    """MB/s per core (CPU time) through ``propose`` with rob2, with the quote ranker and with
    one that knows no question in its place (the rules' specificity order), so that the
    ranker's cost shows; a tree from before the ranker has only the second."""
    from unittest.mock import patch

    from appraise.evidence import Document, proposals

    rubric = load_rubric("rob2")

    def rate() -> float:
        started = time.process_time()
        for _ in range(rounds):
            for _, document, record in inputs:
                fresh = Document(
                    document.text, document.sections, document.source, document.problems
                )
                proposals.propose(fresh, rubric, record=record)
        return rounds * megabytes / (time.process_time() - started)

    try:
        from appraise.evidence.ranker import Ranker, default_ranker
    except ImportError:
        return {"with_ranker": None, "without_ranker": rate()}
    with_ranker = rate()
    rules = Ranker({}, default_ranker().policy)
    with patch.object(proposals, "default_ranker", lambda: rules):
        without = rate()
    return {"with_ranker": with_ranker, "without_ranker": without}


def run(quick: bool = False) -> dict[str, Any]:
    try:
        from appraise.evidence import document_from_record
        from appraise.scale.batch import ProposeTask, run_batch
        from appraise.scale.parquet import PartWriter
        from appraise.scale.tables import RECORD_SCHEMA, record_row
    except ImportError as exc:
        return skipped(f"needs {exc.name}")
    base = full_text_records(Path(SHARED) / "fixtures" / "europepmc")
    if not base:
        return skipped(f"needs the full texts in {SHARED}/fixtures/europepmc")
    n_both, n_one = QUICK if quick else FULL
    task = ProposeTask(load_rubric("rob2"))
    engine = Engine(task.rubric)
    size = {r.id: len(document_from_record(r).text.encode()) for r in base}
    metrics, compared = before_and_after(quick)
    details: dict[str, Any] = {
        "base_records": len(base),
        "base_megabytes": sum(size.values()) / 1e6,
        "before_and_after": compared,
    }

    trial = next(r for r in base if r.id == LINEARITY_RECORD)
    per_mb: dict[int, float] = {}
    for scale in SCALES:
        scaled = scaled_record(trial, scale)
        megabytes = len(document_from_record(scaled).text.encode()) / 1e6
        repeats = max(1, 100 // scale)
        started = time.perf_counter()
        for _ in range(repeats):
            task.propose_row(scaled.model_dump_json(), engine)
        per_mb[scale] = (time.perf_counter() - started) / (repeats * megabytes)
        metrics.append(
            metric(
                f"{scale}x text ({megabytes:.2f} MB/record)",
                per_mb[scale],
                "s/MB",
                f"{repeats} records",
            )
        )
    details["seconds_per_mb"] = per_mb
    metrics.append(
        metric(
            "100x vs 1x time per MB",
            per_mb[100] / per_mb[1],
            "ratio",
            "1.0 = linear in text length",
        )
    )

    with tempfile.TemporaryDirectory(prefix="appraise-bench-proposals-") as tmp:
        for label, n, engine_name, workers in (
            ("1 process", n_one, "local", None),
            ("2 processes (dask)", n_both, "dask", 2),
        ):
            export = Path(tmp) / f"export-{n}"
            records = PartWriter(export / "records", RECORD_SCHEMA, part_rows=max(1, n // 40))
            megabytes = 0.0
            for i in range(n):
                record = base[i % len(base)]
                records.add(record_row(record))
                megabytes += size[record.id] / 1e6
            records.close()
            summary = run_batch(task, export, engine=engine_name, workers=workers)  # type: ignore[arg-type]
            if summary.errors:
                raise RuntimeError(f"{summary.errors} records failed in the proposals batch")
            rate = n / summary.seconds
            details[label] = {
                "records": n,
                "megabytes": round(megabytes, 1),
                "seconds": summary.seconds,
                "engine": summary.engine,
            }
            metrics.append(metric(f"{label}: records", rate, "records/s", f"{n:,} records"))
            metrics.append(
                metric(
                    f"{label}: text", megabytes / summary.seconds, "MB/s", f"{megabytes:,.0f} MB"
                )
            )
    one = details["1 process"]
    both = details["2 processes (dask)"]
    speedup = (both["records"] / both["seconds"]) / (one["records"] / one["seconds"])
    metrics.append(metric("2 processes vs 1", speedup, "x", "records/s ratio"))
    return {"metrics": metrics, "details": details}


def full_text_records(folder: Path) -> list[StudyRecord]:
    """One record per open-access full text, built the way `appraise fetch` builds them."""
    from appraise.sources.europepmc import parse_fulltext
    from appraise.sources.merge import merge

    records = []
    for sub, pattern in FOLDERS:
        for path in sorted((folder / sub).glob(pattern)):
            fields = parse_fulltext(path.read_bytes())
            study = parse_identifier(str(fields.get("doi") or fields.get("pmcid")))
            records.append(merge({"europepmc": fields}, {}, study))
    return records


def scaled_record(record: StudyRecord, times: int) -> StudyRecord:
    """The same report with every section's text ``times`` over (as a long report would be)."""
    return record.model_copy(
        update={
            "abstract": "\n\n".join([record.abstract or ""] * times),
            "sections": [
                Section(title=s.title, kind=s.kind, text="\n\n".join([s.text] * times))
                for s in record.sections
            ],
        }
    )


if __name__ == "__main__" and "--child" in sys.argv:
    print(json.dumps(child(Path(sys.argv[sys.argv.index("--child") + 1]), "--quick" in sys.argv)))
