"""Automatic proposals for a study's questions, as unconfirmed answers for a reviewer.

The detectors live in appraise.evidence; this module only adapts their output to answers.
A session takes any ``Proposer``, so tests (and other detectors) can be plugged in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from appraise.models import Answer, StudyRecord
from appraise.models.rubric import NOT_APPLICABLE
from appraise.rubrics import Engine

if TYPE_CHECKING:  # importing appraise.evidence loads its detectors: not at startup
    from appraise.evidence.document import Document

Proposer: TypeAlias = "Callable[[Document, StudyRecord, Engine], dict[str, Answer]]"


def study_document(record: StudyRecord, text: Path | None = None) -> Document:
    """The text detectors read: a local full text if given, else what the record holds."""
    if text is not None:
        from appraise.documents import read_document

        return read_document(text)
    from appraise.evidence import document_from_record

    return document_from_record(record)


def evidence_proposals(
    document: Document, record: StudyRecord, engine: Engine
) -> dict[str, Answer]:
    """Run the rubric's detectors over the study's text (appraise.evidence.propose)."""
    from appraise.evidence import propose

    proposal_set = propose(document, engine.rubric, record=record, options=engine.options)
    return {
        p.question: Answer(
            answer=p.answer,
            source="proposed",
            confirmed=False,
            confidence=p.confidence,
            detector=p.detector,
            quotes=list(p.quotes),
            comment=p.comment,
        )
        for p in proposal_set.proposals
        # No answer (a judgement with no detector) or NA (does not apply given the other
        # proposals) is nothing to offer: the session decides what applies from real answers.
        if p.answer is not None and p.answer != NOT_APPLICABLE
    }
