"""The graph build cache under CORPUS/.appraise/graph/: plain JSON, safe to delete.

Entries are keyed by each input file's size and modification time (nanoseconds), so an edited
record is re-read on the next build and every other record's facts come from the cache.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from appraise.corpus import Corpus
from appraise.files import loads_json

# Bumped whenever the cached facts change shape or meaning, so old caches are ignored.
CACHE_VERSION = 1


def cache_dir(corpus: Corpus) -> Path:
    return corpus.state_path("graph")


def stat_key(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def fingerprint(paths: Iterable[Path], *extra: str) -> str:
    """One hash over several files' names, sizes and modification times."""
    digest = hashlib.sha256("\0".join(extra).encode())
    for path in paths:
        size, mtime = stat_key(path)
        digest.update(f"\0{path.parent.name}/{path.name}:{size}:{mtime}".encode())
    return digest.hexdigest()


def read_cache(path: Path) -> dict[str, Any] | None:
    """The cached data, or None if it is missing, unreadable or from another version."""
    try:
        data = loads_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return None
    return data


def write_cache(corpus: Corpus, path: Path, data: dict[str, Any]) -> None:
    """Keep the cache if the corpus folder is writable; a read-only corpus just rebuilds."""
    corpus.write_state(path, json.dumps({"version": CACHE_VERSION, **data}))
