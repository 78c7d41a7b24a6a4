"""Small builders for evidence tests: a document from a few sentences, and its context."""

from __future__ import annotations

from appraise.evidence import Document
from appraise.evidence.signals import Context
from appraise.models.record import StudyRecord


def methods(*sentences: str, title: str = "Methods", kind: str = "methods") -> Document:
    return Document.from_sections([(title, kind, " ".join(sentences))], source="test")


def context(*sentences: str, record: StudyRecord | None = None) -> Context:
    return Context(methods(*sentences), record)
