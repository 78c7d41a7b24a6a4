"""A study record as one Document: title, abstract, full text, COI, funders, authors, registrations
and references, each a section of its own kind so a quote says where it was found."""

from __future__ import annotations

from appraise.evidence.document import Document
from appraise.models.record import Author, Funder, Reference, StudyRecord, TrialRegistration


def _author_line(author: Author) -> str:
    name = " ".join(p for p in (author.given, author.family) if p) or author.name or ""
    if author.affiliations:
        return f"{name} ({'; '.join(author.affiliations)})"
    return name


def _funder_line(funder: Funder) -> str:
    if funder.awards:
        return f"{funder.name} (awards: {', '.join(funder.awards)})"
    return funder.name


def _registration_line(reg: TrialRegistration) -> str:
    line = f"{reg.registry} {reg.id}"
    return f"{line} (registered {reg.registered})" if reg.registered else line


def _reference_line(ref: Reference) -> str:
    if ref.text:
        return " ".join(ref.text.split())
    parts = [ref.authors, f"({ref.year})" if ref.year else None, ref.title]
    line = " ".join(p for p in parts if p)
    return f"{line} doi:{ref.doi}" if ref.doi else line


def document_from_record(record: StudyRecord) -> Document:
    """Every text the record holds, in reading order; list-like parts one item a line."""
    parts: list[tuple[str, str, str]] = [
        ("Title", "title", record.title or ""),
        ("Abstract", "abstract", record.abstract or ""),
    ]
    parts += [(s.title, s.kind, s.text) for s in record.sections]
    if record.coi_statement and not any(s.kind == "coi" for s in record.sections):
        parts.append(("Conflict of interest statement", "coi", record.coi_statement))
    parts.append(("Funding", "funding", "\n".join(_funder_line(f) for f in record.funders)))
    parts.append(("Authors", "authors", "\n".join(_author_line(a) for a in record.authors)))
    parts.append(
        (
            "Trial registration",
            "registration",
            "\n".join(_registration_line(r) for r in record.trial_registrations),
        )
    )
    parts.append(
        ("References", "references", "\n".join(_reference_line(r) for r in record.references))
    )
    problems = (
        [] if record.abstract or record.sections else ["no abstract or full text in the record"]
    )
    return Document.from_sections(parts, source=record.id, problems=problems)


def document_with_record(document: Document, record: StudyRecord) -> Document:
    """A reviewer's own document, then what only the record holds (funders, authors,
    registrations, references, COI) for parts the document lacks. The record's parts come
    after the document's, so every offset into the document stays as it was."""
    extra = document_from_record(record)
    have = {s.kind for s in document.sections}
    parts = [(s.title, s.kind, document.text[s.start : s.end]) for s in document.sections]
    parts += [
        (s.title, s.kind, extra.text[s.start : s.end])
        for s in extra.sections
        if s.kind in _RECORD_ONLY and s.kind not in have
    ]
    joined = Document.from_sections(parts, document.source, document.problems)
    joined.original = document.original  # quotes from the reviewer's part are found in the file
    return joined


_RECORD_ONLY = ("coi", "funding", "authors", "registration", "references")
