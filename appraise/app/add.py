"""`appraise add FILE`: a study record made offline from the reviewer's own file.

The record carries what the file says about itself: a JATS article's front matter (title,
authors, journal, year, DOI, PMID/PMCID, abstract, statements, references); a PDF's title from
its document information where that is a real title, else from the type size of page 1, and
its authors from the document information and its DOI from page 1; a text or Markdown file's
first heading and a DOI near its top. What the user gives (options, or answers to a prompt)
wins over what the file says. The file is attached as the study's document, so `assess` and
`propose` read it again with no network. With no DOI the study's id is ``ref:`` and a slug
of author, year and a digest of the file, so adding the same file twice is caught.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appraise.app.workspace import locate_corpus, open_corpus
from appraise.errors import InputError, NotFoundError
from appraise.ids import doi_or_none, normalise_doi, slug
from appraise.models import StudyRecord
from appraise.models.record import Author

ASKED_FIELDS = ("title", "authors", "year")
"""What a prompt asks for when neither the file nor the options give it."""

_DOI_IN_TEXT = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_DOI_SEARCH_CHARS = 3000  # a DOI printed on the title page, not one in the references
_JUNK_TITLE = re.compile(
    r"(\.(docx?|pdf|tex|rtf|odt)$|^microsoft word|^untitled|^title$|^\s*$)", re.IGNORECASE
)
_YEARS = range(1800, 2101)


@dataclass
class FileMetadata:
    """What a file says about the work it holds; None where it says nothing."""

    title: str | None = None
    authors: list[Author] = field(default_factory=list)
    journal: str | None = None
    year: int | None = None
    doi: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """Further record fields a JATS article gives (pmid, pmcid, abstract, statements, ...)."""
    origin: dict[str, str] = field(default_factory=dict)
    """Where each field was read: 'JATS front matter', 'PDF document information', ..."""


@dataclass
class Added:
    """The record made from a file, where it and the document went, and notes for the user."""

    record: StudyRecord
    record_path: Path
    document_path: Path
    notes: list[str] = field(default_factory=list)


Ask = Callable[[str, str | None], str | None]
"""``ask(field, what the file suggests)``: the user's value for a field (None: leave it)."""


def parse_authors(text: str) -> list[Author]:
    """'Smith, Jane; Doe, J' or 'Jane Smith and J Doe' as authors (family, given)."""
    names = [n.strip() for n in re.split(r";|\band\b|&", text) if n.strip()]
    if len(names) == 1 and text.count(",") > 1:  # 'Jane Smith, J Doe, A Lee'
        names = [n.strip() for n in text.split(",") if n.strip()]
    authors = []
    for name in names:
        if "," in name:
            family, _, given = name.partition(",")
            authors.append(Author(family=family.strip(), given=given.strip() or None))
        else:
            *given, family = name.split()
            authors.append(Author(family=family, given=" ".join(given) or None))
    return authors


def parse_year(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or int(value) not in _YEARS:
        raise InputError(f"'{value}' is not a year", fix="give four digits, e.g. 2019")
    return int(value)


def _doi_in(text: str) -> str | None:
    match = _DOI_IN_TEXT.search(text[:_DOI_SEARCH_CHARS])
    return doi_or_none(match.group(1)) if match else None


def _jats_metadata(path: Path) -> FileMetadata:
    from appraise.sources.europepmc import fields_from_jats
    from appraise.sources.jats import parse_jats

    fields = fields_from_jats(parse_jats(path.read_bytes()))
    fields.pop("sections", None)  # the attached document holds the text; read it from there
    meta = FileMetadata(
        title=fields.pop("title", None),
        authors=fields.pop("authors", []),
        journal=fields.pop("journal", None),
        year=fields.pop("year", None),
        doi=fields.pop("doi", None),
        extra=fields,
    )
    meta.origin = {name: "JATS front matter" for name in _known(meta)}
    return meta


def _pdf_metadata(path: Path, document_title: str | None, text: str) -> FileMetadata:
    """A PDF's document information (title, author) where it is real, else page 1's title."""
    import pdfplumber

    with pdfplumber.open(path, password="") as pdf:
        info = {str(k).lower(): v for k, v in (pdf.metadata or {}).items()}
    given_title = str(info.get("title") or "").strip()
    given_authors = str(info.get("author") or "").strip()
    meta = FileMetadata()
    if given_title and not _JUNK_TITLE.search(given_title) and len(given_title) > 8:
        meta.title, meta.origin["title"] = given_title, "PDF document information"
    elif document_title:
        meta.title, meta.origin["title"] = document_title, "the largest type on page 1"
    if given_authors and not _JUNK_TITLE.search(given_authors):
        meta.authors = parse_authors(given_authors)
        meta.origin["authors"] = "PDF document information"
    meta.doi = doi_or_none(str(info.get("doi") or "")) or _doi_in(text)
    if meta.doi:
        meta.origin["doi"] = "PDF document information" if info.get("doi") else "page 1"
    return meta


def _text_metadata(text: str) -> FileMetadata:
    """A Markdown '# Title' (else a short first line) and a DOI near the top."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    heading = next((line.lstrip("#").strip() for line in lines if line.startswith("# ")), None)
    first = lines[0].lstrip("#").strip() if lines else None
    meta = FileMetadata(title=heading or (first if first and len(first) <= 250 else None))
    meta.doi = _doi_in(text)
    meta.origin = {name: "the file's first heading" for name in _known(meta) if name == "title"}
    if meta.doi:
        meta.origin["doi"] = "the top of the file"
    return meta


def _known(meta: FileMetadata) -> list[str]:
    return [
        name
        for name in ("title", "authors", "journal", "year", "doi")
        if getattr(meta, name) not in (None, "", [])
    ]


def read_file_metadata(path: Path) -> FileMetadata:
    """Read ``path`` as a document (refusing what cannot be read) and what it says of itself."""
    from appraise.documents import JATS_SUFFIXES, PDF_SUFFIXES, read_document

    document = read_document(path)  # every fault of the file is refused here, in one line
    suffix = path.suffix.lower()
    if suffix in JATS_SUFFIXES:
        return _jats_metadata(path)
    if suffix in PDF_SUFFIXES:
        title = next(
            (document.text[s.start : s.end] for s in document.sections if s.kind == "title"), None
        )
        meta = _pdf_metadata(path, title.strip() if title else None, document.text)
    else:
        from appraise.documents.text import decode_text

        meta = _text_metadata(decode_text(path.read_bytes(), str(path))[0])  # headings and all
    # The statement is shown before every appraisal of the study; the record carries it.
    coi = document.section_text("coi").strip()
    if coi:
        meta.extra["coi_statement"] = coi
    return meta


def derived_id(meta: FileMetadata, data: bytes) -> str:
    """``ref:author-year-digest``: readable, and the same for the same file."""
    words = [meta.authors[0].family if meta.authors and meta.authors[0].family else None]
    words.append(str(meta.year) if meta.year else None)
    if not any(words) and meta.title:
        words = [" ".join(meta.title.split()[:4])]
    stem = slug(" ".join(w for w in words if w), limit=50)
    digest = hashlib.sha256(data).hexdigest()[:8]
    return f"ref:{stem}-{digest}" if stem != "unnamed" else f"ref:{digest}"


def add_study(
    path: Path,
    *,
    corpus: Path | None = None,
    title: str | None = None,
    authors: str | None = None,
    year: str | None = None,
    doi: str | None = None,
    journal: str | None = None,
    ask: Ask | None = None,
) -> Added:
    """Make a record from ``path`` and attach the file; refuse a study already in the corpus.

    Options win over the file; ``ask`` is called for each of ASKED_FIELDS still unknown."""
    path = Path(path)
    if locate_corpus(corpus)[0] is None:  # a reviewer's own study starts a corpus of theirs
        raise NotFoundError(
            f"no corpus here ({Path.cwd()} and its parents hold no corpus.yaml, records/ or "
            "appraisals/)",
            fix=f"give --corpus DIR (a new folder is made), e.g. appraise add {path} "
            "--corpus my-review, or run it inside a corpus folder",
        )
    store = open_corpus(corpus)
    meta = read_file_metadata(path)
    given = {
        "title": title.strip() if title and title.strip() else None,
        "authors": parse_authors(authors) if authors and authors.strip() else None,
        "year": parse_year(year) if year else None,
        "doi": normalise_doi(doi) if doi else None,
        "journal": journal.strip() if journal and journal.strip() else None,
    }
    for name, value in given.items():
        if value:
            setattr(meta, name, value)
            meta.origin[name] = "manual"
    if ask is not None:
        _ask_missing(meta, ask)
    data = path.read_bytes()
    study_id = meta.doi or _other_id(meta) or derived_id(meta, data)
    existing = store.find_record(study_id)
    if existing is not None:
        raise InputError(
            f"{study_id} is already in {store.root} ({existing.label}); nothing was changed",
            fix=f"appraise it with `appraise assess {study_id}`, or give a new text with "
            f"`appraise assess {study_id} --text {path}`",
        )
    record = _record(study_id, meta)
    document_path = store.write_document(study_id, path)
    record_path = store.write_record(record)
    by_origin: dict[str, list[str]] = {}
    for name, origin in meta.origin.items():
        by_origin.setdefault("given by you" if origin == "manual" else origin, []).append(name)
    notes = [f"{', '.join(names)}: {origin}" for origin, names in by_origin.items()]
    if record.missing_fields:
        notes.append(
            f"not known: {', '.join(record.missing_fields)} (exports mark the record "
            f"incomplete; add them to {record_path})"
        )
    return Added(record, record_path, document_path, notes)


def _other_id(meta: FileMetadata) -> str | None:
    if meta.extra.get("pmcid"):
        return f"pmcid:{meta.extra['pmcid']}"
    if meta.extra.get("pmid"):
        return f"pmid:{meta.extra['pmid']}"
    return None


def _ask_missing(meta: FileMetadata, ask: Ask) -> None:
    for name in ASKED_FIELDS:
        if getattr(meta, name) not in (None, "", []):
            continue
        reply = (ask(name, None) or "").strip()
        if not reply:
            continue
        value: Any = (
            parse_authors(reply)
            if name == "authors"
            else parse_year(reply)
            if name == "year"
            else reply
        )
        setattr(meta, name, value)
        meta.origin[name] = "manual"


def _record(study_id: str, meta: FileMetadata) -> StudyRecord:
    sources = {
        name: "manual" if origin == "manual" else "document" for name, origin in meta.origin.items()
    }
    sources.update({name: "document" for name in meta.extra if name not in sources})
    return StudyRecord(
        id=study_id,
        doi=meta.doi,
        title=meta.title,
        authors=meta.authors,
        journal=meta.journal,
        year=meta.year,
        **meta.extra,
        sources=sources,
    )
