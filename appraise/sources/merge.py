"""Merge what each source said about a study into one StudyRecord, field by field.

Each field is taken from the first source in its precedence list that supplied it, and that
source is recorded in ``StudyRecord.sources``. The order follows who is authoritative for
what: Crossref for bibliographic metadata and funders (deposited by the publisher), PubMed for
publication types and structured abstracts, Europe PMC's full text for sections and conflict
statements, OpenAlex for retraction and open-access status. Trial registrations are pooled
from every source. Fields no source supplied this time keep their stored value, so facts a
reviewer entered by hand (source ``manual``) survive a refresh unless an API now has them.
"""

from __future__ import annotations

from typing import Any

from appraise.ids import StudyId
from appraise.models import Author, Retrieval, StudyRecord
from appraise.sources.fields import Fields
from appraise.sources.registrations import unique_registrations

CROSSREF, OPENALEX, EUROPEPMC, PUBMED = "crossref", "openalex", "europepmc", "pubmed"
SOURCES = (CROSSREF, OPENALEX, EUROPEPMC, PUBMED)

_BIBLIOGRAPHIC = (CROSSREF, PUBMED, EUROPEPMC, OPENALEX)
PRECEDENCE: dict[str, tuple[str, ...]] = {
    "doi": (CROSSREF, PUBMED, EUROPEPMC, OPENALEX),
    "pmid": (PUBMED, EUROPEPMC, OPENALEX),
    "pmcid": (EUROPEPMC, PUBMED, OPENALEX),
    "openalex": (OPENALEX,),
    "title": _BIBLIOGRAPHIC,
    "authors": _BIBLIOGRAPHIC,
    "journal": _BIBLIOGRAPHIC,
    "year": _BIBLIOGRAPHIC,
    "volume": _BIBLIOGRAPHIC,
    "issue": _BIBLIOGRAPHIC,
    "pages": _BIBLIOGRAPHIC,
    "type": (CROSSREF, OPENALEX),
    "publication_types": (PUBMED, EUROPEPMC),
    "language": (CROSSREF, PUBMED, EUROPEPMC, OPENALEX),
    # PubMed keeps structured-abstract labels; Crossref's JATS abstract is often the
    # publisher's own; OpenAlex's is rebuilt from a word index and loses formatting.
    "abstract": (PUBMED, EUROPEPMC, CROSSREF, OPENALEX),
    "keywords": (PUBMED, EUROPEPMC, CROSSREF, OPENALEX),
    "funders": (CROSSREF, EUROPEPMC, PUBMED, OPENALEX),
    # The full text carries the statement as printed; PubMed's CoiStatement is a copy of it.
    "coi_statement": (EUROPEPMC, PUBMED),
    "references": (CROSSREF, EUROPEPMC, PUBMED, OPENALEX),
    "sections": (EUROPEPMC,),
    "is_open_access": (OPENALEX, EUROPEPMC),
    "is_retracted": (OPENALEX, CROSSREF),
    "url": (CROSSREF, OPENALEX),
}
_POOLED = "trial_registrations"
# Reference lists are often partial; the one that names the most works wins, then precedence.
_LONGEST = "references"


def canonical_id(fields: dict[str, Any], asked: StudyId) -> str:
    """The record's id: its DOI when any source knows one, else the identifier asked for."""
    if fields.get("doi"):
        return str(fields["doi"])
    for kind in ("pmid", "pmcid"):
        if fields.get(kind):
            return f"{kind}:{fields[kind]}"
    return str(asked)


def merge(
    parts: dict[str, Fields],
    retrieved: dict[str, Retrieval],
    asked: StudyId,
    existing: StudyRecord | None = None,
) -> StudyRecord:
    """One record from the sources' partial fields, on top of the stored record if any.

    ``parts`` maps source name -> the fields it supplied. The id of an existing record never
    changes (appraisals and claims point at it).
    """
    data: dict[str, Any] = existing.model_dump() if existing else {}
    sources: dict[str, str] = dict(existing.sources) if existing else {}
    for name, order in PRECEDENCE.items():
        chosen = _choose(name, order, parts)
        if chosen is not None:
            source, value = chosen
            data[name] = value
            sources[name] = source
    if enriched := _authors_enriched(sources, parts):
        data["authors"] = enriched
    pooled = [(s, parts[s][_POOLED]) for s in SOURCES if _POOLED in parts.get(s, {})]
    if pooled:
        data[_POOLED] = unique_registrations([regs for _, regs in pooled])
        sources[_POOLED] = "+".join(s for s, _ in pooled)
    data["id"] = existing.id if existing else canonical_id(data, asked)
    data["sources"] = sources
    data["retrieved"] = {**(existing.retrieved if existing else {}), **retrieved}
    return StudyRecord.model_validate(data)


def _choose(name: str, order: tuple[str, ...], parts: dict[str, Fields]) -> tuple[str, Any] | None:
    offered = [(source, parts[source][name]) for source in order if name in parts.get(source, {})]
    if not offered:
        return None
    if name == _LONGEST:
        return max(offered, key=lambda item: len(item[1]))  # max keeps the first of equals
    return offered[0]


def _authors_enriched(sources: dict[str, str], parts: dict[str, Fields]) -> list[Author] | None:
    """Fill ORCIDs and affiliations the chosen author list lacks from another source that
    lists the same people in the same order (Crossref often has names but no affiliations)."""
    chosen_source = sources.get("authors", "")
    authors: list[Author] = parts.get(chosen_source, {}).get("authors") or []
    if not authors:
        return None
    enriched = [a.model_copy(deep=True) for a in authors]
    for source in SOURCES:
        others: list[Author] = parts.get(source, {}).get("authors") or []
        if source == chosen_source or len(others) != len(enriched):
            continue
        if any(_family(a) != _family(b) for a, b in zip(enriched, others, strict=True)):
            continue
        for mine, theirs in zip(enriched, others, strict=True):
            if not mine.orcid and theirs.orcid:
                mine.orcid = theirs.orcid
            if not mine.affiliations and theirs.affiliations:
                mine.affiliations = list(theirs.affiliations)
    return enriched


def _family(author: Author) -> str:
    return (author.family or author.name or "").casefold().strip()
