"""The detectors' outputs on a few real texts match benchmarks/snapshots/proposals.json.

The snapshot pins outputs across speed changes; when detectors change on purpose it is
regenerated with ``python3 benchmarks/snapshot.py --update`` (the benchmark compares all texts).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT

# Long and short reports, a PMC full text with a COI statement, and a fixture record.
SAMPLE = (
    "oa-trials/PMC1201146.xml",
    "oa-trials/10.1371_journal.pmed.1001518.xml",
    "oa-trials/PMC2662857.xml",
)


def _snapshot_module() -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module("snapshot")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def test_detectors_match_the_snapshot_on_sample_texts(shared: Path) -> None:
    snapshot = _snapshot_module()
    expected = snapshot.load()
    fixture = next(k for k in sorted(expected) if k.startswith("fixtures/"))
    keys = {*SAMPLE, fixture}
    actual = snapshot.current(keys, shared)
    assert set(actual) == keys
    assert snapshot.differences({k: expected[k] for k in keys}, actual) == []


def test_a_changed_output_is_reported(shared: Path) -> None:
    snapshot = _snapshot_module()
    expected = snapshot.load()
    key = SAMPLE[0]
    actual = snapshot.current({key}, shared)
    actual[key]["detectors"]["randomisation"][0] = "changed"
    lines = snapshot.differences({key: expected[key]}, actual)
    assert len(lines) == 1 and lines[0].startswith(f"{key}: randomisation:")


@pytest.mark.parametrize("missing", ["actual", "expected"])
def test_a_missing_document_is_reported(shared: Path, missing: str) -> None:
    snapshot = _snapshot_module()
    entry = snapshot.load()[SAMPLE[0]]
    both = {"expected": {SAMPLE[0]: entry}, "actual": {SAMPLE[0]: entry}}
    both[missing] = {}
    assert len(snapshot.differences(both["expected"], both["actual"])) == 1
