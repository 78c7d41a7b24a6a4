"""One study: its record (from the corpus, else fetched) and the one text every route reads.

The rule for a study's document, used by `propose`, `assess` and `consensus` alike: the file the
reviewer gives (attached to the study), else the one attached earlier, joined with what only the
record holds (conflict-of-interest statement, funders, authors, registrations, references);
with no file, everything the record holds. So every route proposes the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from appraise.corpus import Corpus
from appraise.errors import AppraiseError
from appraise.models import StudyRecord

if TYPE_CHECKING:  # importing appraise.evidence loads its detectors: not at startup
    from appraise.evidence.document import Document


@dataclass
class Study:
    """A study's record and document, and what a command should tell the user about them."""

    record: StudyRecord
    document: Document
    notes: list[str] = field(default_factory=list)
    attached: Path | None = None
    """Where the reviewer's file was attached in this run (None if none was given)."""


def find_or_fetch(corpus: Corpus, identifier: str, notes: list[str]) -> StudyRecord:
    """The study's record from the corpus, else fetched (and kept in the corpus)."""
    found = corpus.find_record(identifier)
    if found is not None:
        return found
    from appraise.sources import fetch_record

    notes.append(f"{identifier} is not in the corpus; fetching it")
    try:
        return fetch_record(identifier, corpus)
    except AppraiseError as exc:  # offline, or no source knows it: the reviewer's file will do
        exc.fix = (
            f"{exc.fix}; or, with the paper at hand, make its record offline with "
            f"`appraise add FILE --corpus {corpus.root}`"
        )
        raise


def study_document(record: StudyRecord, path: Path | None) -> Document:
    """The study's document by the one rule (see the module's docstring), given the file to
    read (None: the record alone). `batch propose` calls it on each record's attached file."""
    from appraise.documents import read_document
    from appraise.evidence import document_from_record, document_with_record

    if path is None:
        return document_from_record(record)
    return document_with_record(read_document(path), record)


def document_for(corpus: Corpus, record: StudyRecord, text: Path | None = None) -> Document:
    """The study's document: ``text``, else the file attached earlier, else the record."""
    return study_document(record, text or corpus.attached_document(record.id))


def open_study(corpus: Corpus, identifier: str, text: Path | None = None) -> Study:
    """Find or fetch the record, attach ``text`` if given, and read the study's document."""
    notes: list[str] = []
    record = find_or_fetch(corpus, identifier, notes)
    document = document_for(corpus, record, text)  # read first: nothing unreadable is attached
    attached = None
    if text is not None:
        attached = corpus.write_document(record.id, text)
        notes.append(f"attached {text} to {record.id} as {attached}")
    return Study(record, document, notes, attached)
