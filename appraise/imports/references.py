"""Reference strings as Metapsy databases print them (NLM style: ``Authors. Title. Journal.
Date;Vol(Issue):Pages. doi: ... PMID: ... PMCID: ...``), parsed into the facts they state.

Pure. Nothing is looked up or inferred: a field the string does not state stays None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from appraise.ids import normalise_doi

_DOI = re.compile(r"\bdoi:\s*(10\.\d{4,9}/\S+?)\.?(?=\s|$)", re.IGNORECASE)
_PMID = re.compile(r"\bPMID:\s*(\d{1,9})")
_PMCID = re.compile(r"\bPMCID:\s*(PMC\d+)")
_TRAILER = re.compile(r"\s*(?:\bdoi:|\bPMID:|\bPMCID:|\bEpub\b).*$", re.IGNORECASE | re.DOTALL)
# "Surname AB, Other C, et al." up to the first full stop after initials or "et al".
_AUTHORS = re.compile(r"^(?P<authors>.+?(?:\bet al|\b[A-Z]{1,4}))\.\s+")
# The citation: ". 2016 Sep;46(12):2583-93" / ". 2019 29(5): 621-639" / ". 2012;181:128-32"
_CITATION = re.compile(
    r"\.\s+(?P<year>(?:19|20)\d\d)\b[^;:()]*?[;\s]\s*(?P<volume>[\w-]+)?"
    r"(?:\((?P<issue>[^)]*)\))?(?::\s*(?P<pages>[\w-]+))?\.*\s*$"
)
_YEAR_ONLY = re.compile(r"\.\s+(?P<year>(?:19|20)\d\d)\b[^.]*\.*\s*$")
# Full stops inside a title or journal that do not end it.
_NOT_A_BREAK = re.compile(r"\b(?:vs|et al|[A-Z])\.$")


@dataclass(frozen=True)
class ParsedReference:
    """The facts a reference string states; None where it does not state one."""

    text: str
    authors: tuple[tuple[str, str | None], ...] = ()
    authors_complete: bool = True
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None


def _split_author(name: str) -> tuple[str, str | None]:
    """'van den Berg DP' -> ('van den Berg', 'DP'); a name without initials stays whole."""
    parts = name.split()
    if len(parts) > 1 and re.fullmatch(r"[A-Z]{1,4}", parts[-1]):
        return " ".join(parts[:-1]), parts[-1]
    return name, None


def _split_title_journal(middle: str) -> tuple[str | None, str | None]:
    """Title first, journal last: split at the first full stop that ends a sentence."""
    for match in re.finditer(r"\.\s+", middle):
        head = middle[: match.start() + 1]
        if not _NOT_A_BREAK.search(head):
            return head[:-1].strip() or None, middle[match.end() :].strip(" .") or None
    return middle.strip(" .") or None, None


def parse_reference(text: str) -> ParsedReference:
    """Parse one Metapsy reference string. Pure; states only what the string states."""
    clean = " ".join(text.split())
    doi_match = _DOI.search(clean)
    pmid_match = _PMID.search(clean)
    pmcid_match = _PMCID.search(clean)
    body = _TRAILER.sub("", clean).strip()
    found: dict[str, Any] = {
        "text": text,
        "doi": normalise_doi(doi_match.group(1)) if doi_match else None,
        "pmid": pmid_match.group(1) if pmid_match else None,
        "pmcid": pmcid_match.group(1) if pmcid_match else None,
    }
    if m := _AUTHORS.match(body):
        names = [n.strip() for n in m.group("authors").split(",") if n.strip()]
        found["authors_complete"] = names[-1] != "et al"
        found["authors"] = tuple(_split_author(n) for n in names if n != "et al")
        body = body[m.end() :]
    citation = _CITATION.search(body) or _YEAR_ONLY.search(body)
    if citation:
        found["year"] = int(citation.group("year"))
        for part in ("volume", "issue", "pages"):
            found[part] = citation.groupdict().get(part)
        body = body[: citation.start() + 1]
    found["title"], found["journal"] = _split_title_journal(body)
    return ParsedReference(**found)


_LABEL = re.compile(r"^(?P<family>[^,]+?),\s*(?P<year>(?:19|20)\d\d)[a-z]?\s*$")


def parse_label(label: str) -> tuple[str, int] | None:
    """A Metapsy study label 'Acarturk, 2016' (or 'Gray, 2019a') -> ('Acarturk', 2016)."""
    match = _LABEL.match(label.strip())
    return (match.group("family").strip(), int(match.group("year"))) if match else None
