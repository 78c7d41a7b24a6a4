"""Report: `appraise report` (the use case) on a generated 10,000-study corpus: time, memory.

The corpus (records and a reviewer's RoB 2 appraisal per study, written with appraise's own
library; see synthetic.py) is generated first. The report runs in a child process so its peak
resident memory (VmHWM) is the report's alone.
"""

from __future__ import annotations

import json
import os
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
        for label, tree in (("now", ROOT), ("baseline", baseline_tree(Path(tmp)))):
            if tree is None:
                continue
            done = subprocess.run(
                [sys.executable, __file__, str(corpus.root), str(Path(tmp) / f"report-{label}")],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "PYTHONPATH": str(tree)},
            )
            if done.returncode != 0:
                raise RuntimeError(f"the report failed ({label}): {done.stderr.strip()[-500:]}")
            runs[label] = json.loads(done.stdout)
    child, base = runs["now"], runs.get("baseline")
    old = f"baseline {BASELINE}: " if base else "no baseline (needs git): "
    return {
        "metrics": [
            metric(
                "build_report",
                child["seconds"],
                "s",
                f"{n:,} studies, {child['files']} files; "
                + old
                + (f"{base['seconds']:.1f} s" if base else "-"),
            ),
            metric("build_report", n / child["seconds"], "studies/s", ""),
            metric(
                "peak memory",
                child["peak_rss_mb"],
                "MB",
                "child process, VmHWM; " + old + (f"{base['peak_rss_mb']:.0f} MB" if base else "-"),
            ),
        ],
        "details": {
            "studies": n,
            "corpus": corpus_size(corpus.root),
            "corpus_generation_seconds": round(generated, 1),
            **child,
            "baseline": base,
        },
    }


def child(corpus_root: str, out: str) -> None:
    """In a fresh process: build the report as `appraise report` does (the use case, which also
    refuses a corpus `check` rejects; the baseline tree predates it and builds directly), and
    print time and peak memory as JSON."""
    started = time.perf_counter()
    try:
        from appraise.app.outputs import report

        result = report(Path(out), corpus=Path(corpus_root))
    except ImportError:
        from appraise.corpus import Corpus
        from appraise.outputs.report import build_report

        result = build_report(Corpus(corpus_root), Path(out))
    seconds = time.perf_counter() - started
    peak = peak_memory_mb()
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(peak, 1),
                "files": len(result.files),
                "notes": result.notes,
            }
        )
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    child(*sys.argv[1:3])
