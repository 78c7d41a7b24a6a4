"""Scale: a generated 10,000-study corpus to Parquet, scored in one process and on Dask, and
queried with DuckDB.

* ``export_corpus``: records, appraisals, judgements and citation edges to Parquet;
* ``run_batch(ScoreTask)``: every appraisal's answers judged again, ``--engine local`` vs
  ``--engine dask`` (LocalCluster, 2 worker processes), with identical results checked;
* DuckDB: overall judgements counted, and the most cited works found, over the whole export.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from common import metric, skipped
from synthetic import shared_corpus

FULL = 10_000
QUICK = 1_000


def run(quick: bool = False) -> dict[str, Any]:
    try:
        import duckdb
        import pyarrow.parquet as pq

        from appraise.rubrics import load_rubric
        from appraise.scale.batch import ScoreTask, run_batch
        from appraise.scale.parquet import export_corpus
    except ImportError as exc:
        return skipped(f"needs {exc.name} (install appraise[scale])")
    n = QUICK if quick else FULL
    corpus = shared_corpus(n)
    metrics: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="appraise-bench-scale-") as tmp:
        out = Path(tmp) / "export"
        started = time.perf_counter()
        summary = export_corpus(corpus, out)
        seconds = time.perf_counter() - started
        metrics.append(
            metric(
                "export-parquet",
                n / seconds,
                "studies/s",
                f"{summary.rows['edges']:,} edges, {seconds:.1f} s",
            )
        )
        task = ScoreTask(load_rubric("rob2"))
        rows: dict[str, list[dict[str, Any]]] = {}
        for engine, workers in (("local", None), ("dask", 2)):
            batch = run_batch(task, out, engine=engine, workers=workers)  # type: ignore[arg-type]
            rows[engine] = sorted(
                pq.read_table(out / task.name).to_pylist(), key=lambda r: r["study"]
            )
            metrics.append(
                metric(
                    f"batch score, {engine}",
                    batch.rows_out / batch.seconds,
                    "appraisals/s",
                    batch.engine,
                )
            )
        if rows["local"] != rows["dask"]:
            raise RuntimeError("Dask and the local engine judged differently")
        db = duckdb.connect()
        started = time.perf_counter()
        db.execute(
            f"SELECT overall, count(*) FROM '{out}/appraisals/*.parquet' GROUP BY 1"
        ).fetchall()
        top = db.execute(
            f"SELECT target, count(*) AS n FROM '{out}/edges/*.parquet' "
            "GROUP BY target ORDER BY n DESC LIMIT 10"
        ).fetchall()
        query_ms = (time.perf_counter() - started) * 1000
        metrics.append(
            metric(
                "DuckDB: overall counts + top cited",
                query_ms,
                "ms",
                f"over {summary.rows['edges']:,} edges",
            )
        )
    if not top:
        return skipped("the export has no edges")
    return {
        "metrics": metrics,
        "details": {"studies": n, "rows": summary.rows, "identical_local_and_dask": True},
    }
