"""The appraised studies as references: RIS (rispy), BibTeX and CSL-JSON, each carrying the
overall risk-of-bias judgement (and the rubric) in a note, so a reference manager shows it."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from appraise.models import StudyRecord
from appraise.outputs.matrix import Matrix, StudyRow


def judgement_note(matrix: Matrix, row: StudyRow) -> str:
    """'Risk of bias (RoB 2, cochrane profile): High' plus the domains, for a note field (the
    profile named only for a rubric that has profiles to choose from)."""
    name = matrix.rubric.name.split(" (")[0]
    if matrix.named_profile:
        name += f", {matrix.named_profile} profile"
    overall = row.overall or "not yet judged"
    domains = "; ".join(f"{d.id} {row.domains.get(d.id) or 'not judged'}" for d in matrix.domains)
    return f"Risk of bias ({name}): {overall} ({domains})"


def _record(row: StudyRow) -> StudyRecord:
    return row.record or StudyRecord(id=row.study)


def _title(record: StudyRecord, row: StudyRow) -> str:
    """The record's title; a record without one is named by its label, marked as such."""
    return record.title or f"{row.name} [title not known]"


def _notes(matrix: Matrix, row: StudyRow, record: StudyRecord) -> list[str]:
    notes = [judgement_note(matrix, row)]
    if record.missing_fields:
        notes.append(
            f"Incomplete record: no {', '.join(record.missing_fields)} in its sources ({record.id})"
        )
    return notes


def _pages(record: StudyRecord) -> tuple[str | None, str | None]:
    if not record.pages:
        return None, None
    start, _, end = record.pages.replace("\u2013", "-").partition("-")
    return start.strip() or None, end.strip() or None


def _ris_type(record: StudyRecord) -> str:
    kind = (record.type or "journal-article").lower()
    return {
        "book": "BOOK",
        "book-chapter": "CHAP",
        "report": "RPRT",
        "dataset": "DATA",
        "posted-content": "UNPB",
        "dissertation": "THES",
    }.get(kind, "JOUR")


def _ris_writer() -> type[Any]:
    from rispy.writer import RisWriter

    class PlainRisWriter(RisWriter):
        """rispy's writer without the "1." "2." line it puts before each entry, which is no
        RIS tag: some reference managers read it as a stray line or a broken first entry."""

        def set_header(self, count: int) -> str:
            return ""

    return PlainRisWriter


def ris_text(matrix: Matrix) -> str:
    import rispy

    entries: list[dict[str, Any]] = []
    for row in matrix.rows:
        record = _record(row)
        start, end = _pages(record)
        entry: dict[str, Any] = {
            "type_of_reference": _ris_type(record),
            "title": _title(record, row),
            "authors": [a.display for a in record.authors],
            "year": str(record.year) if record.year else None,
            "journal_name": record.journal,
            "volume": record.volume,
            "number": record.issue,
            "start_page": start,
            "end_page": end,
            "doi": record.doi,
            "urls": [record.url] if record.url else [],
            "id": row.study,
            "notes": _notes(matrix, row, record),
        }
        if record.pmid:
            entry["accession_number"] = f"PMID:{record.pmid}"
        entries.append({k: v for k, v in entry.items() if v not in (None, [], "")})
    return rispy.dumps(entries, implementation=_ris_writer())


# --- BibTeX -----------------------------------------------------------------------------
_BIB_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_escape(text: str) -> str:
    return "".join(_BIB_SPECIALS.get(ch, ch) for ch in text).replace("\n", " ")


def _ascii_word(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", plain)


def citation_keys(rows: list[StudyRow]) -> dict[str, str]:
    """study id -> a unique BibTeX key 'Family2019' (a, b... for clashes, in row order)."""
    wanted: dict[str, str] = {}
    for row in rows:
        record = _record(row)
        family = record.first_author if record.authors else (record.title or row.name)
        base = _ascii_word(family.split()[0] if family.split() else "") or "study"
        wanted[row.study] = f"{base}{record.year or 'nd'}"
    counts: dict[str, int] = {}
    for key in wanted.values():
        counts[key] = counts.get(key, 0) + 1
    used: dict[str, int] = {}
    keys: dict[str, str] = {}
    for study, key in wanted.items():
        if counts[key] > 1:
            used[key] = used.get(key, 0) + 1
            keys[study] = (
                f"{key}{chr(ord('a') + used[key] - 1)}" if used[key] <= 26 else f"{key}-{used[key]}"
            )
        else:
            keys[study] = key
    return keys


def bibtex_text(matrix: Matrix) -> str:
    keys = citation_keys(matrix.rows)
    blocks: list[str] = []
    for row in matrix.rows:
        record = _record(row)
        kind = "book" if (record.type or "") == "book" else "article"
        authors = " and ".join(
            f"{{{bibtex_escape(a.name)}}}" if not a.family and a.name else bibtex_escape(a.display)
            for a in record.authors
        )
        fields = [
            ("author", authors),
            # Double braces keep the title's capitalisation as written.
            ("title", "{" + bibtex_escape(_title(record, row)) + "}"),
            ("journal", bibtex_escape(record.journal or "")),
            ("year", str(record.year or "")),
            ("volume", bibtex_escape(record.volume or "")),
            ("number", bibtex_escape(record.issue or "")),
            ("pages", bibtex_escape((record.pages or "").replace("-", "--"))),
            ("doi", bibtex_escape(record.doi or "")),
            ("pmid", record.pmid or ""),
            ("url", bibtex_escape(record.url or "")),
            ("note", bibtex_escape(". ".join(_notes(matrix, row, record)))),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        blocks.append(f"@{kind}{{{keys[row.study]},\n{body}\n}}\n")
    return "\n".join(blocks)


# --- CSL-JSON ---------------------------------------------------------------------------
def csl_items(matrix: Matrix) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for row in matrix.rows:
        record = _record(row)
        authors = [
            {"family": a.family, **({"given": a.given} if a.given else {})}
            if a.family
            else {"literal": a.display}
            for a in record.authors
        ]
        item: dict[str, Any] = {
            "id": row.study,
            "type": "book" if record.type == "book" else "article-journal",
            "title": _title(record, row),
            "author": authors,
            "container-title": record.journal,
            "volume": record.volume,
            "issue": record.issue,
            "page": record.pages,
            "DOI": record.doi,
            "PMID": record.pmid,
            "PMCID": record.pmcid,
            "URL": record.url,
            "note": ". ".join(_notes(matrix, row, record)),
        }
        if record.year:
            item["issued"] = {"date-parts": [[record.year]]}
        items.append({k: v for k, v in item.items() if v not in (None, [], "")})
    return items


def csljson_text(matrix: Matrix) -> str:
    return json.dumps(csl_items(matrix), indent=2, ensure_ascii=False) + "\n"
