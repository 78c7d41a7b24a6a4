"""Write a corpus as a Parquet dataset that DuckDB, Spark or pandas can query whole.

Layout of an export folder::

    OUT/records/part-00000.parquet ...     one row per study record (full record as JSON too)
    OUT/appraisals/part-00000.parquet ...  one row per appraisal file
    OUT/judgements/part-00000.parquet ...  one row per appraisal and domain
    OUT/edges/part-00000.parquet ...       work -> cited work, claim -> cited work or claim
    OUT/_appraise_export.json              what was written, and when

Rows are streamed into parts of bounded size, so memory does not grow with the corpus. The
new export is built beside the old one and swapped in table by table, so a failed run leaves
the previous export as it was; a folder that is not an appraise export is never overwritten.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from appraise import __version__
from appraise.corpus import Corpus
from appraise.errors import AppraiseError, InputError
from appraise.files import load_model, make_temp_dir, new_file_mode
from appraise.models import Appraisal, StudyRecord
from appraise.scale.tables import (
    APPRAISAL_SCHEMA,
    EDGE_SCHEMA,
    JUDGEMENT_SCHEMA,
    RECORD_SCHEMA,
    appraisal_row,
    claim_edges,
    judgement_rows,
    record_row,
    reference_edges,
)

MARKER = "_appraise_export.json"
TABLES = ("records", "appraisals", "judgements", "edges")
# Long tables (judgements, edges) are cut into parts of this many rows.
LONG_TABLE_PART_ROWS = 500_000


@dataclass
class ExportSummary:
    out: str
    rows: dict[str, int] = field(default_factory=dict)
    parts: dict[str, int] = field(default_factory=dict)
    created: str = ""
    tool: str = f"appraise {__version__}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class PartWriter:
    """Collects rows and writes them as numbered Parquet parts of at most ``part_rows`` rows."""

    def __init__(self, folder: Path, schema: pa.Schema, part_rows: int) -> None:
        self.folder = folder
        self.schema = schema
        self.part_rows = max(1, part_rows)
        self.buffer: list[dict[str, Any]] = []
        self.rows = 0
        self.parts = 0
        folder.mkdir(parents=True, exist_ok=True)

    def add(self, row: dict[str, Any]) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= self.part_rows:
            self.flush()

    def extend(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        if not self.buffer:
            return
        write_part(self.folder / part_name(self.parts), self.buffer, self.schema)
        self.rows += len(self.buffer)
        self.parts += 1
        self.buffer = []

    def close(self) -> None:
        self.flush()
        if self.parts == 0:  # an empty table is still a table DuckDB can read
            write_part(self.folder / part_name(0), [], self.schema)
            self.parts = 1


def part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def write_part(path: Path, rows: list[dict[str, Any]], schema: pa.Schema) -> None:
    """Write one Parquet file atomically (temporary file in the same folder, then rename)."""
    table = pa.Table.from_pylist(rows, schema=schema)
    mode = new_file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, mode)  # mkstemp's 0600 would hide the export from everyone else
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def default_partitions(n_rows: int) -> int:
    """Enough partitions to keep every core of a small cluster busy, at most ~20,000 rows each."""
    return max(1, min(n_rows, max(os.cpu_count() or 1, math.ceil(n_rows / 20_000))))


def check_output_folder(out: Path) -> None:
    """Refuse to write into a non-empty folder that is not an earlier appraise export."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} is a file", fix="give a folder for the Parquet export")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise InputError(
            f"{out} is not empty and is not an appraise Parquet export",
            fix="give an empty or new folder (nothing in it is overwritten)",
        )


def export_corpus(
    corpus: Corpus, out: Path, *, partitions: int | None = None, workers: int | None = None
) -> ExportSummary:
    """Write the corpus's records, appraisals, judgements and citation edges to ``out``.

    Reading and validating the YAML files is most of the work; a large corpus is read by
    ``workers`` processes (default: one per core), written here in the corpus's file order.
    """
    check_output_folder(out)
    record_paths = corpus.record_paths()
    appraisal_paths = corpus.appraisal_paths()
    n_parts = partitions or default_partitions(len(record_paths))
    if n_parts < 1:
        raise InputError(f"--partitions must be at least 1, not {n_parts}", fix="e.g. 8")
    out.mkdir(parents=True, exist_ok=True)
    staging = make_temp_dir(".export-", out)
    try:
        records = PartWriter(
            staging / "records", RECORD_SCHEMA, math.ceil(len(record_paths) / n_parts)
        )
        edges = PartWriter(staging / "edges", EDGE_SCHEMA, LONG_TABLE_PART_ROWS)
        appraisals = PartWriter(
            staging / "appraisals", APPRAISAL_SCHEMA, math.ceil(len(appraisal_paths) / n_parts)
        )
        judgements = PartWriter(staging / "judgements", JUDGEMENT_SCHEMA, LONG_TABLE_PART_ROWS)
        with _reader(workers, len(record_paths) + len(appraisal_paths)) as read:
            record_chunks = _chunks(record_paths)
            roots = [corpus.root] * len(record_chunks)
            for rows, edge_rows in read(_read_records, record_chunks, roots):
                records.extend(rows)
                edges.extend(edge_rows)
            root = [corpus.root] * math.ceil(len(appraisal_paths) / READ_CHUNK)
            for rows, judgement_rows_ in read(_read_appraisals, _chunks(appraisal_paths), root):
                appraisals.extend(rows)
                judgements.extend(judgement_rows_)
        claims = corpus.read_claims()
        if claims is not None:
            edges.extend(claim_edges(claims))
        writers = {
            "records": records,
            "appraisals": appraisals,
            "judgements": judgements,
            "edges": edges,
        }
        for writer in writers.values():
            writer.close()
        summary = ExportSummary(
            out=str(out),
            rows={name: w.rows for name, w in writers.items()},
            parts={name: w.parts for name, w in writers.items()},
            created=datetime.now(UTC).replace(microsecond=0).isoformat(),
        )
        for name in TABLES:
            swap_in(staging / name, out / name)
        (staging / MARKER).write_text(json.dumps(summary.to_json(), indent=2) + "\n")
        os.replace(staging / MARKER, out / MARKER)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summary


# Files per task handed to a reader process: large enough to hide the hand-off cost.
READ_CHUNK = 250
Rows = list[dict[str, Any]]


def _chunks(paths: list[Path]) -> list[list[Path]]:
    return [paths[i : i + READ_CHUNK] for i in range(0, len(paths), READ_CHUNK)]


@dataclass(frozen=True)
class _ReadFailure:
    """A file that did not load, carried back from a reader process as plain data."""

    message: str
    fix: str | None
    exit_code: int


def _read_records(paths: list[Path], root: Path) -> tuple[Rows, Rows] | _ReadFailure:
    corpus = Corpus(root)
    with_documents = corpus.has_documents()
    rows: Rows = []
    edges: Rows = []
    try:
        for path in paths:
            record = load_model(path, StudyRecord)
            document = corpus.attached_document(record.id) if with_documents else None
            rows.append(record_row(record, document))
            edges.extend(reference_edges(record))
    except AppraiseError as exc:
        return _ReadFailure(exc.message, exc.fix, exc.exit_code)
    return rows, edges


def _read_appraisals(paths: list[Path], root: Path) -> tuple[Rows, Rows] | _ReadFailure:
    rows: Rows = []
    judgements: Rows = []
    try:
        for path in paths:
            appraisal = load_model(path, Appraisal)
            rows.append(appraisal_row(appraisal, str(path.relative_to(root))))
            judgements.extend(judgement_rows(appraisal))
    except AppraiseError as exc:
        return _ReadFailure(exc.message, exc.fix, exc.exit_code)
    return rows, judgements


@contextmanager
def _reader(
    workers: int | None, n_files: int
) -> Iterator[Callable[..., Iterator[tuple[Rows, Rows]]]]:
    """map() over chunks, in order: in this process for a small corpus, else a process pool."""
    n_workers = workers or os.cpu_count() or 1
    pool = (
        ProcessPoolExecutor(n_workers, mp_context=multiprocessing.get_context("spawn"))
        if n_workers > 1 and n_files > 2 * READ_CHUNK
        else None
    )

    def read(function: Callable[..., Any], *chunks: list[Any]) -> Iterator[tuple[Rows, Rows]]:
        for result in (pool.map if pool else map)(function, *chunks):
            if isinstance(result, _ReadFailure):
                error = InputError if result.exit_code == 2 else AppraiseError
                raise error(result.message, fix=result.fix)
            yield result

    try:
        yield read
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def swap_in(new: Path, target: Path) -> None:
    """Replace folder ``target`` by ``new``; the old one is removed only once the new is in."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def part_files(folder: Path) -> list[Path]:
    """The part files of one table of an export, in order."""
    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        raise InputError(
            f"no Parquet parts in {folder}",
            fix="run `appraise export-parquet --corpus DIR --out DIR` first",
        )
    return parts
