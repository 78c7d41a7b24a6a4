"""Rubric evaluation: RoB 2 appraisals per second, through the Engine and through the CLI.

100,000 seeded random answer sets (every signalling question answered) are judged by
``appraise.rubrics.Engine`` in this process, then by ``appraise rubric evaluate rob2 --answers
FILE --json`` as a subprocess (start-up, JSON in and out included).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from common import appraise_command, metric
from synthetic import random_answer_sets

from appraise.rubrics import Engine, load_rubric

FULL = 100_000
QUICK = 10_000


def run(quick: bool = False) -> dict[str, Any]:
    n = QUICK if quick else FULL
    answer_sets = random_answer_sets(n, seed=2026)
    rubric = load_rubric("rob2")

    started = time.perf_counter()
    engine = Engine(rubric)
    overall = [engine.evaluate(answers).overall for answers in answer_sets]
    engine_seconds = time.perf_counter() - started

    with tempfile.TemporaryDirectory(prefix="appraise-bench-") as tmp:
        path = Path(tmp) / "answers.json"
        path.write_text(json.dumps(answer_sets))
        started = time.perf_counter()
        done = subprocess.run(
            [*appraise_command(), "rubric", "evaluate", "rob2", "--answers", str(path), "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        cli_seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"appraise rubric evaluate failed: {done.stderr.strip()}")
    cli_overall = [r["overall"] for r in json.loads(done.stdout)]
    if cli_overall != overall:
        raise RuntimeError("the CLI and the Engine judged the same answers differently")

    started = time.perf_counter()
    subprocess.run([*appraise_command(), "--version"], capture_output=True, check=True)
    startup = time.perf_counter() - started

    return {
        "metrics": [
            metric("engine", n / engine_seconds, "appraisals/s", f"{n:,} answer sets"),
            metric("CLI --json", n / cli_seconds, "appraisals/s", "subprocess, whole run"),
            metric("CLI start-up", startup * 1000, "ms", "appraise --version"),
        ],
        "details": {
            "answer_sets": n,
            "engine_seconds": round(engine_seconds, 3),
            "cli_seconds": round(cli_seconds, 3),
            "overall_counts": {k: overall.count(k) for k in sorted(set(map(str, overall)))},
        },
    }
