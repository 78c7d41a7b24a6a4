"""Past one machine: a corpus as Parquet partitions, scored on one process or on Dask.

The Parquet export (:mod:`appraise.scale.parquet`) lets DuckDB, Spark or pandas query a whole
corpus: records, appraisals, domain judgements and citation edges. The batch runner
(:mod:`appraise.scale.batch`) maps one pure per-partition function over those partitions,
either in this process or on a Dask cluster, so both modes give the same results.

Dask, pyarrow and DuckDB are the optional ``scale`` extra; :func:`require_scale_extra` says
so in one line when they are missing.
"""

from __future__ import annotations

import importlib.util

from appraise.errors import InputError

SCALE_MODULES = ("pyarrow", "dask", "distributed")


def require_scale_extra(*modules: str) -> None:
    """Raise InputError naming what is missing unless the scale extra's modules import."""
    missing = [m for m in modules or SCALE_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(
            f"this needs {', '.join(missing)}, which is not installed",
            fix="install appraise[scale]: pip install 'appraise[scale]'",
        )
