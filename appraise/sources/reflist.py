"""Identifiers from a reference list as reviewers have it: RIS, BibTeX, CSL-JSON, PubMed's
MEDLINE/NBIB export, or one identifier per line.

Each item gives its DOI, or its PMID when it has no DOI. Items with neither are kept in the
result (with a short description) so the caller can list them: none is dropped silently.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appraise.errors import DataFileError
from appraise.files import TooDeepError, loads_json, read_text

_BOM = "\ufeff"
_DOI_IN_TEXT = re.compile(r"\b10\.\d{4,9}/\S+", re.IGNORECASE)
_MEDLINE_TAG = re.compile(r"^([A-Z]{2,4})\s*- (.*)$")
_BIBTEX_ENTRY = re.compile(r"^\s*@\w+\s*[{(]", re.MULTILINE)
_PMID = re.compile(r"^\d{1,9}$")


@dataclass
class ReferenceList:
    """What a list file holds: the identifiers to fetch, and the items that have none."""

    format: str  # "ris", "bibtex", "csl-json", "medline" or "lines"
    identifiers: list[str] = field(default_factory=list)
    without_id: list[str] = field(default_factory=list)  # "item 3: Some title (2019)"


def read_reference_list(path: Path) -> ReferenceList:
    """The identifiers in ``path``, whatever its format (told by content, then by suffix)."""
    text = read_text(path).lstrip(_BOM)
    kind = _format_of(path, text)
    if kind == "ris":
        return _from_ris(path, text)
    if kind == "bibtex":
        return _from_bibtex(path, text)
    if kind == "csl-json":
        return _from_csl_json(path, text)
    if kind == "medline":
        return _from_medline(text)
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return ReferenceList("lines", [line for line in lines if line])


def _format_of(path: Path, text: str) -> str:
    head = text.lstrip()
    suffix = path.suffix.lower()
    if re.match(r"^TY  - ", head) or suffix == ".ris":
        return "ris"
    if suffix in (".json", ".csljson") or head.startswith(("[", "{")):
        return "csl-json"
    if suffix == ".bib" or _BIBTEX_ENTRY.search(text[:5000]):
        return "bibtex"
    if suffix in (".nbib", ".medline") or re.match(r"^PMID-\s*\d", head):
        return "medline"
    return "lines"


def _describe(number: int, title: Any, year: Any = None) -> str:
    label = " ".join(str(title).split())[:80] if title else "(no title)"
    return f"item {number}: {label}" + (f" ({year})" if year else "")


def _doi_in(*values: Any) -> str | None:
    for value in values:
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and (found := _DOI_IN_TEXT.search(text)):
                return found.group(0)
    return None


def _add(
    result: ReferenceList, number: int, doi: str | None, pmid: Any, title: Any, year: Any
) -> None:
    pmid_text = str(pmid).strip() if pmid is not None else ""
    if doi:
        result.identifiers.append(doi)
    elif _PMID.match(pmid_text):
        result.identifiers.append(f"pmid:{pmid_text}")
    else:
        result.without_id.append(_describe(number, title, year))


def _from_ris(path: Path, text: str) -> ReferenceList:
    import rispy

    try:
        entries = rispy.loads(text)
    except (OSError, ValueError, KeyError) as exc:
        raise DataFileError(
            path, f"not a RIS file ({exc})", fix="export the list again as RIS"
        ) from None
    result = ReferenceList("ris")
    for number, entry in enumerate(entries, 1):
        doi = _doi_in(entry.get("doi"), entry.get("urls"))
        # PubMed's RIS export puts the PMID in AN (accession number)
        database = str(entry.get("name_of_database") or "").lower()
        pmid = (
            entry.get("accession_number") if "pubmed" in database or "medline" in database else None
        )
        title = entry.get("title") or entry.get("primary_title")
        _add(result, number, doi, pmid, title, entry.get("year") or entry.get("publication_year"))
    return result


def _from_bibtex(path: Path, text: str) -> ReferenceList:
    import bibtexparser

    # bibtexparser logs each block it cannot read; the one line below says it instead
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    library = bibtexparser.parse_string(text)
    if not library.entries and library.failed_blocks:
        raise DataFileError(
            path,
            "not a BibTeX file (no entry could be read)",
            fix="export the list again as BibTeX",
        )
    result = ReferenceList("bibtex")
    for number, entry in enumerate(library.entries, 1):
        fields = {f.key.lower(): f.value for f in entry.fields}
        pmid = fields.get("pmid")
        if pmid is None and str(fields.get("eprinttype", "")).lower() == "pubmed":
            pmid = fields.get("eprint")
        doi = _doi_in(fields.get("doi"), fields.get("url"))
        _add(result, number, doi, pmid, fields.get("title", "").strip("{}"), fields.get("year"))
    return result


def _from_csl_json(path: Path, text: str) -> ReferenceList:
    try:
        items = loads_json(text)
    except TooDeepError as exc:
        raise DataFileError(path, str(exc), fix="export the list again as CSL-JSON") from None
    except json.JSONDecodeError as exc:
        raise DataFileError(
            path,
            f"not valid JSON: {exc.msg}",
            line=exc.lineno,
            fix="export the list again as CSL-JSON",
        ) from None
    items = items if isinstance(items, list) else [items]
    result = ReferenceList("csl-json")
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            result.without_id.append(_describe(number, None))
            continue
        issued = (
            (item.get("issued") or {}).get("date-parts")
            if isinstance(item.get("issued"), dict)
            else None
        )
        year = issued[0][0] if issued and issued[0] else None
        doi = _doi_in(item.get("DOI"), item.get("URL"))
        _add(result, number, doi, item.get("PMID"), item.get("title"), year)
    return result


def _from_medline(text: str) -> ReferenceList:
    """PubMed's MEDLINE (.nbib) format: ``TAG - value`` lines, records apart by blank lines."""
    result = ReferenceList("medline")
    for number, block in enumerate(re.split(r"\n\s*\n", text.strip()), 1):
        tags: dict[str, list[str]] = {}
        last = None
        for line in block.splitlines():
            if (match := _MEDLINE_TAG.match(line)) is not None:
                last = match.group(1)
                tags.setdefault(last, []).append(match.group(2).strip())
            elif last and line.startswith("      "):  # a continued value
                tags[last][-1] += " " + line.strip()
        if not tags:
            continue
        dois = [
            v.removesuffix("[doi]").strip()
            for v in tags.get("AID", []) + tags.get("LID", [])
            if v.endswith("[doi]")
        ]
        pmid = next(iter(tags.get("PMID", [])), None)
        year = next(iter(tags.get("DP", [])), "")[:4] or None
        title = next(iter(tags.get("TI", [])), None)
        _add(result, number, dois[0] if dois else None, pmid, title, year)
    return result
