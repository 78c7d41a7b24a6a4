"""The hand-labelled retrieval set stays true to the documents the readers produce."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from appraise.documents import read_document
from appraise.files import read_data
from tests.conftest import shared_path

ROOT = Path(__file__).resolve().parents[2]
LABELS = sorted((ROOT / "benchmarks" / "labels" / "fulltext").glob("*.yaml"))


@cache
def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "retrieval_quality", ROOT / "benchmarks" / "retrieval_quality.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("label_path", LABELS, ids=[p.stem for p in LABELS])
def test_every_labelled_sentence_is_a_sentence_of_the_document(label_path: Path) -> None:
    label = read_data(label_path)
    fixture = shared_path(*label["fixture"].split("/"))
    if label["fixture"].startswith("fixtures/pubmed/"):
        document = _benchmark().pubmed_document(fixture)
    else:
        document = read_document(fixture)
    sentences = {(s.start, s.end) for s in document.sentences}
    assert set(label["families"]) == set(_benchmark().FAMILIES)
    for family, entries in label["families"].items():
        if entries == "none":
            continue
        for entry in entries:
            assert (entry["start"], entry["end"]) in sentences, (family, entry["begins"])
            assert document.text[entry["start"] : entry["end"]].startswith(entry["begins"])


def test_scoring_counts_quotes_for_precision_and_labels_for_recall() -> None:
    score = _benchmark().score
    tally = score(labelled=[(0, 10), (20, 30)], quoted=[(0, 10), (40, 50), (42, 45)])
    assert (tally.true_positives, tally.false_positives) == (1, 2)
    assert (tally.retrieved_labels, tally.labels) == (1, 2)
    assert tally.precision == pytest.approx(1 / 3)
    assert tally.recall == 0.5
    nothing = score(labelled=[], quoted=[])
    assert nothing.precision is None and nothing.recall is None
