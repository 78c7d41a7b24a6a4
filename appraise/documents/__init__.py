"""The reviewer's own documents: plain text, Markdown, JATS XML and PDF, read into a Document.

One rule for faults: a file that cannot be read as what its extension says (missing, empty,
binary junk, malformed XML, a PDF locked with a password, an unknown extension) raises
InputError with what is wrong and how to fix it. A file that opens but holds no readable text
(a scanned PDF without a text layer) gives an empty Document whose ``problems`` say why, so
proposals for it are NI rather than a crash.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from appraise.corpus import Corpus
from appraise.documents.pdf import read_pdf
from appraise.documents.text import decode_text, text_sections
from appraise.errors import AppraiseError, InputError, NotFoundError
from appraise.evidence.document import Document, OriginalFile
from appraise.sources.jats import JatsArticle, parse_jats

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
JATS_SUFFIXES = (".xml", ".nxml")
PDF_SUFFIXES = (".pdf",)
READABLE_SUFFIXES = TEXT_SUFFIXES + JATS_SUFFIXES + PDF_SUFFIXES

__all__ = [
    "READABLE_SUFFIXES",
    "attach_document",
    "iter_documents",
    "read_document",
    "readable_files",
]


def read_document(path: Path) -> Document:
    """The document at ``path`` as sections and sentences with offsets into one text."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path} is a folder", fix="give one file, or read the folder's files")
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise InputError(
            f"{path}: cannot read '{suffix or 'no extension'}' files",
            fix=f"give one of {', '.join(READABLE_SUFFIXES)} (convert Word files to PDF or text)",
        )
    data = _read_bytes(path)
    original = None
    if suffix in PDF_SUFFIXES:
        if not data.startswith(b"%PDF-"):
            raise InputError(
                f"{path} does not start like a PDF",
                fix="check the file; a download may have saved an error page instead",
            )
        parts, problems = read_pdf(path)
    elif suffix in JATS_SUFFIXES:
        article = parse_jats(data)
        parts, problems = jats_parts(article), [f"{path}: {p}" for p in article.problems]
        original = OriginalFile(data.decode("utf-8", errors="replace"), markup=True)
    else:
        text, problems = decode_text(data, str(path))
        parts = text_sections(text)
        original = OriginalFile(text, markup=False)
    document = Document.from_sections(parts, source=str(path), problems=problems)
    document.original = original
    if document.is_empty and not document.problems:
        document.problems.append(f"{path}: no text found")
    return document


def jats_parts(article: JatsArticle) -> list[tuple[str, str, str]]:
    """Title, sections, then authors and references one a line, as a record's document has them.

    Detectors read the author lines (affiliations, for undeclared interests) and the references
    (an author's own treatment manual) and leave both out of the narrative.
    """
    authors = [
        f"{' '.join(p for p in (a.given, a.family) if p)}"
        + (f" ({'; '.join(a.affiliations)})" if a.affiliations else "")
        for a in article.authors
    ]
    return [
        ("Title", "title", article.title or ""),
        *article.section_parts(),
        ("Authors", "authors", "\n".join(authors)),
        ("References", "references", "\n".join(r.raw for r in article.references)),
    ]


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file", fix="check the path") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror})", fix="check it") from None
    if not data.strip():
        raise InputError(f"{path} is empty", fix="check you picked the right file")
    return data


def attach_document(corpus: Corpus, study_id: str, path: Path) -> Path:
    """Copy a readable document into corpus/documents/<study><suffix>; return where it went.

    The document is read first, so nothing unreadable is attached; the copy is atomic, so an
    interrupted attach never leaves half a file where a good one was.
    """
    path = Path(path)
    read_document(path)
    return corpus.write_document(study_id, path)


def readable_files(folder: Path) -> list[Path]:
    """The files in ``folder`` (sorted, hidden ones left out) with a readable extension."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NotFoundError(f"{folder}: no such folder", fix="check the path")
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in READABLE_SUFFIXES
    )


def iter_documents(folder: Path) -> Iterator[tuple[Path, Document | AppraiseError]]:
    """Each readable file in ``folder`` (sorted), read; a failure is kept with its reason."""
    for path in readable_files(folder):
        try:
            yield path, read_document(path)
        except AppraiseError as error:
            yield path, error
