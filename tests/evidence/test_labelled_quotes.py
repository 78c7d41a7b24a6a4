"""A proposal never states the opposite of its own quote.

For every sentence a reviewer labelled as the support for an answer (the dev half of the
oa-trials labels, and the hand labels of the detectors on the shared fixtures), the detector
for that question is run on that sentence alone, kept in its section (title and kind, which
tell a methods sentence from an introduction's or a declaration's). Whatever it proposes from
that sentence must not point the other way from the label: yes (Y/PY) for a label of no
(N/PN), or no for yes. Saying nothing (NI) is allowed: one sentence may need the rest of the
text to decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from appraise.documents import read_document
from appraise.evidence import DETECTORS, Document, document_from_record
from appraise.evidence.signals import Context
from appraise.models.record import StudyRecord
from appraise.rubrics import Engine, load_rubric
from appraise.sources.pubmed import parse_efetch
from tests.conftest import SHARED, SHARED_REASON

ROOT = Path(__file__).resolve().parents[2]
OA_LABELS = ROOT / "benchmarks" / "labels" / "oa_trials" / "dev"
DETECTOR_LABELS = ROOT / "benchmarks" / "labels" / "detectors" / "labels.yaml"
DIRECTION = {"Y": "yes", "PY": "yes", "N": "no", "PN": "no"}


@dataclass(frozen=True)
class LabelledQuote:
    source: str  # the text's path under ../shared
    reader: str  # "document" (a file) or "pubmed" (an efetch record)
    detector: str
    answer: str
    quote: str

    @property
    def id(self) -> str:
        return f"{Path(self.source).stem}:{self.detector}:{self.quote[:40]}"


def _detectors(rubric: str) -> dict[str, str]:
    return {
        q.id: q.detector for _, q in Engine(load_rubric(rubric)).questions_in_order() if q.detector
    }


def _oa_quotes() -> list[LabelledQuote]:
    detectors = {rubric: _detectors(rubric) for rubric in ("rob2", "psychotherapy")}
    out = []
    for path in sorted(OA_LABELS.glob("*.yaml")):
        label = yaml.safe_load(path.read_text("utf-8"))
        for rubric, questions in (label.get("answers") or {}).items():
            for qid, item in (questions or {}).items():
                detector = detectors[rubric].get(str(qid))
                if detector is None or item.get("answer") not in DIRECTION:
                    continue
                for quote in item.get("quotes") or []:
                    out.append(
                        LabelledQuote(
                            f"data/oa-trials/{label['file']}",
                            "document",
                            detector,
                            item["answer"],
                            quote,
                        )
                    )
    return out


def _detector_quotes() -> list[LabelledQuote]:
    data = yaml.safe_load(DETECTOR_LABELS.read_text("utf-8"))
    return [
        LabelledQuote(entry["path"], entry["reader"], name, label["answer"], quote)
        for entry in data["documents"]
        for name, label in entry["labels"].items()
        if label["answer"] in DIRECTION and name in DETECTORS
        for quote in label.get("quotes") or []
    ]


LABELLED = _oa_quotes() + _detector_quotes()


@cache
def _document(source: str, reader: str) -> Document:
    path = SHARED / source
    if reader == "document":
        return read_document(path)
    fields: dict[str, Any] | None = parse_efetch(path.read_bytes())
    assert fields is not None, f"{path}: no PubMed article"
    known = {k: v for k, v in fields.items() if k in StudyRecord.model_fields}
    return document_from_record(StudyRecord(id=f"pmid:{fields.get('pmid')}", **known))


def _alone(document: Document, quote: str) -> Document:
    """The labelled sentence(s) as a document of their own, under their section's title and
    kind. Quotes are matched ignoring runs of whitespace and typographic dashes and quotes."""
    words = quote.translate(str.maketrans("‐‑‒–—’“”", '-----\'""')).split()
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    match = pattern.search(document.search_text)
    assert match, f"labelled quote not in the text: {quote[:60]}"
    sentences = [s for s in document.sentences if s.start < match.end() and match.start() < s.end]
    first = sentences[0]
    body = document.text[first.start : sentences[-1].end]
    return Document.from_sections([(first.section, first.kind, body)], source="quote")


def test_every_labelled_quote_is_collected() -> None:
    # The dev half holds 27 texts with several quoted answers each; the detector labels 22.
    assert len(_oa_quotes()) > 300
    assert len(_detector_quotes()) > 20


@pytest.mark.parametrize("item", LABELLED, ids=lambda item: item.id)
def test_a_labelled_quote_never_yields_the_opposite_answer(item: LabelledQuote) -> None:
    if not (SHARED / item.source).exists():
        pytest.skip(SHARED_REASON)
    alone = _alone(_document(item.source, item.reader), item.quote)
    signal = DETECTORS[item.detector](Context(alone))
    wanted = DIRECTION[item.answer]
    got = DIRECTION.get(signal.answer)
    assert got in (wanted, None), (
        f"{item.detector} answers {signal.answer} ({signal.comment}) from a sentence labelled "
        f"{item.answer}: {item.quote}"
    )
