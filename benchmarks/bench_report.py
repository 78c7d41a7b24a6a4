"""Report: `appraise report` (the use case) on a generated 10,000-study corpus: time, memory.

The corpus (records and a reviewer's RoB 2 appraisal per study, written with appraise's own
library; see synthetic.py) is generated first. The report runs in a child process so its peak
resident memory (VmHWM) is the report's alone; the YAML-parsing worker processes it starts are
measured apart (their CPU time and the largest one's peak). This tree runs twice, with its
default workers (one per CPU) and in one process (APPRAISE_WORKERS=1: the per-core figure),
and the two report folders must hold the same bytes (manifest.json, which carries the clock,
aside).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_proposals import BASELINE, baseline_tree
from common import metric, peak_memory_mb, skipped
from synthetic import corpus_size, shared_corpus

ROOT = Path(__file__).resolve().parent.parent

FULL = 10_000
QUICK = 1_000


def run(quick: bool = False) -> dict[str, Any]:
    try:
        from appraise.outputs.report import build_report  # noqa: F401 - present?
    except ImportError:
        return skipped("needs appraise.outputs.report.build_report")
    n = QUICK if quick else FULL
    started = time.perf_counter()
    corpus = shared_corpus(n)
    generated = time.perf_counter() - started
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="appraise-bench-report-") as tmp:
        base_tree = baseline_tree(Path(tmp))
        trees = [("now", ROOT, {}), ("one process", ROOT, {"APPRAISE_WORKERS": "1"})]
        if base_tree is not None:
            trees.append(("baseline", base_tree, {}))
        for label, tree, env in trees:
            out = Path(tmp) / f"report-{label.replace(' ', '-')}"
            done = subprocess.run(
                [sys.executable, __file__, str(corpus.root), str(out)],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "PYTHONPATH": str(tree), **env},
            )
            if done.returncode != 0:
                raise RuntimeError(f"the report failed ({label}): {done.stderr.strip()[-500:]}")
            runs[label] = json.loads(done.stdout)
            runs[label]["digests"] = _digests(out)
    child, alone, base = runs["now"], runs["one process"], runs.get("baseline")
    same = child.pop("digests") == alone.pop("digests")
    if base:
        base.pop("digests")
    old = f"baseline {BASELINE}: " if base else "no baseline (needs git): "
    return {
        "metrics": [
            metric(
                "build_report",
                child["seconds"],
                "s",
                f"{n:,} studies, {child['files']} files, {child['workers']} parsing workers; "
                + old
                + (f"{base['seconds']:.1f} s" if base else "-"),
            ),
            metric("build_report", n / child["seconds"], "studies/s", ""),
            metric(
                "peak memory",
                child["peak_rss_mb"],
                "MB",
                f"child process, VmHWM (largest worker {child['workers_peak_rss_mb']:.0f} MB); "
                + old
                + (f"{base['peak_rss_mb']:.0f} MB" if base else "-"),
            ),
            metric(
                "build_report, one process",
                alone["seconds"],
                "s",
                f"APPRAISE_WORKERS=1, CPU {alone['cpu_seconds']:.1f} s; peak "
                f"{alone['peak_rss_mb']:.0f} MB; same files as with workers: {same}",
            ),
            metric(
                "CPU time with workers",
                child["cpu_seconds"] + child["workers_cpu_seconds"],
                "s",
                f"this process {child['cpu_seconds']:.1f} s + workers "
                f"{child['workers_cpu_seconds']:.1f} s",
            ),
        ],
        "details": {
            "studies": n,
            "corpus": corpus_size(corpus.root),
            "corpus_generation_seconds": round(generated, 1),
            **child,
            "one_process": alone,
            "same_files_with_and_without_workers": same,
            "baseline": base,
        },
    }


def _digests(folder: Path) -> dict[str, str]:
    """sha256 of every file the report wrote, but manifest.json (it carries the clock)."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "manifest.json"
    }


def child(corpus_root: str, out: str) -> None:
    """In a fresh process: build the report as `appraise report` does (the use case, which also
    refuses a corpus `check` rejects; the baseline tree predates it and builds directly), and
    print time and peak memory as JSON."""
    started = time.perf_counter()
    cpu = time.process_time()
    try:
        from appraise.app.outputs import report

        result = report(Path(out), corpus=Path(corpus_root))
    except ImportError:
        from appraise.corpus import Corpus
        from appraise.outputs.report import build_report

        result = build_report(Corpus(corpus_root), Path(out))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    peak = peak_memory_mb()
    # The parsing workers, if any ran (all have ended): ru_maxrss is the largest one's peak.
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        from appraise.corpus import parse_workers

        count = parse_workers()
    except ImportError:
        count = 1
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "workers": count,
                "workers_cpu_seconds": round(workers.ru_utime + workers.ru_stime, 2),
                "workers_peak_rss_mb": round(workers.ru_maxrss / 1024, 1),
                "peak_rss_mb": round(peak, 1),
                "files": len(result.files),
                "notes": result.notes,
            }
        )
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    child(*sys.argv[1:3])
