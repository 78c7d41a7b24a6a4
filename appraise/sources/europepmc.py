"""Europe PMC: search by DOI/PMID/PMCID, then ``/{PMCID}/fullTextXML`` for open-access texts.

The search gives PMID, PMCID, the open-access flag and publication types; the JATS full text
(parsed by :mod:`appraise.sources.jats`) gives the sections a reviewer quotes from (methods,
conflict-of-interest and funding statements) and the reference list.
"""

from __future__ import annotations

import html
import re
from typing import Any

from appraise.errors import SourceError
from appraise.ids import StudyId, doi_or_none
from appraise.models import Author, Funder, Reference, Section
from appraise.sources.fields import Fields, compact, year_of
from appraise.sources.guard import parse_entry, source_call
from appraise.sources.http import HttpClient, Limits, NotFound, Response, request_url
from appraise.sources.jats import JatsArticle, JatsError, parse_jats
from appraise.sources.registrations import find_registrations, unique_registrations
from appraise.sources.xmltext import collapse

NAME = "europepmc"
DEFAULT_ROOT = "https://www.ebi.ac.uk/europepmc/webservices/rest"
# EBI staff (epmc-webservices forum, 2026-02): throttled at 10/s and 500/min.
LIMITS = Limits(rate=10, concurrency=4, per_minute=500)
# DOIs OR-ed in one search query (the page size covers them).
BATCH_SIZE = 50

_HEADING = re.compile(r"<h4>(.*?)</h4>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_PMCID = re.compile(r"PMC\d+")


def search_query(study: StudyId) -> str:
    if study.kind == "doi":
        return f'DOI:"{study.value}"'
    if study.kind == "pmid":
        return f"EXT_ID:{study.value} AND SRC:MED"
    return f"PMCID:{study.value}"


def _search_params(query: str, page_size: int) -> dict[str, str]:
    return {"query": query, "format": "json", "resultType": "core", "pageSize": str(page_size)}


@source_call
def fetch_search(client: HttpClient, root: str, study: StudyId) -> tuple[Response, Fields]:
    """Search Europe PMC for ``study``; raises NotFound when nothing matches."""
    params = _search_params(search_query(study), 5)
    if client.mailto:
        params["email"] = client.mailto
    response = client.get(
        f"{root.rstrip('/')}/search",
        source="Europe PMC",
        limits=LIMITS,
        expect="json",
        params=params,
    )
    fields = parse_search(response.json(), study)
    if fields is None:
        raise NotFound(response.url, response.fetched_at)
    return response, fields


def single_url(root: str, study: StudyId) -> str:
    """The search that finds ``study`` alone (named in a record however it was fetched)."""
    return request_url(f"{root.rstrip('/')}/search", _search_params(search_query(study), 5))


def batchable(doi: str) -> bool:
    """Whether ``doi`` can be quoted in a query (a double quote would end the phrase)."""
    return '"' not in doi


@source_call
def fetch_batch(
    client: HttpClient, root: str, dois: list[str]
) -> tuple[Response, dict[str, Fields]]:
    """One search for ``dois`` OR-ed (each batchable); the fields of each DOI's hit."""
    query = " OR ".join(f'DOI:"{doi}"' for doi in dois)
    # a DOI may have several hits (a preprint and the article): room for two each
    params = _search_params(query, min(1000, 2 * len(dois)))
    if client.mailto:
        params["email"] = client.mailto
    response = client.get(
        f"{root.rstrip('/')}/search",
        source="Europe PMC",
        limits=LIMITS,
        expect="json",
        params=params,
    )
    payload = response.json()
    found: dict[str, Fields] = {}
    for doi in dois:
        fields = parse_search(payload, StudyId("doi", doi))
        if fields is not None:
            found[doi] = fields
    return response, found


@source_call
def fetch_fulltext(client: HttpClient, root: str, pmcid: str) -> tuple[Response, Fields]:
    url = f"{root.rstrip('/')}/{pmcid}/fullTextXML"
    response = client.get(url, source="Europe PMC full text", limits=LIMITS, expect="xml")
    return response, parse_fulltext(response.body)


@parse_entry("Europe PMC")
def parse_search(payload: Any, study: StudyId) -> Fields | None:
    """Fields from the search hit that is ``study`` (None when there is none)."""
    if not isinstance(payload, dict) or "resultList" not in payload:
        raise SourceError(
            "Europe PMC: the search response has no resultList",
            fix="check APPRAISE_EUROPEPMC_URL points at the Europe PMC REST API",
        )
    results = [
        r for r in (payload.get("resultList") or {}).get("result") or [] if isinstance(r, dict)
    ]
    hit = next((r for r in results if _matches(r, study)), None)
    return parse_result(hit) if hit else None


def _matches(result: dict[str, Any], study: StudyId) -> bool:
    if study.kind == "doi":
        return doi_or_none(result.get("doi")) == study.value
    if study.kind == "pmid":
        return str(result.get("pmid") or "") == study.value
    return str(result.get("pmcid") or "").upper() == study.value


def parse_result(result: dict[str, Any]) -> Fields:
    """Fields from one ``resultType=core`` search result."""
    journal_info = result.get("journalInfo") or {}
    abstract = abstract_text(result.get("abstractText") or "")
    mesh = [
        m["descriptorName"]
        for m in (result.get("meshHeadingList") or {}).get("meshHeading") or []
        if isinstance(m, dict) and m.get("descriptorName")
    ]
    keywords = [
        k for k in (result.get("keywordList") or {}).get("keyword") or [] if isinstance(k, str)
    ]
    return compact(
        {
            "doi": doi_or_none(result.get("doi")),
            "pmid": str(result["pmid"]) if result.get("pmid") else None,
            "pmcid": str(result["pmcid"]).upper() if result.get("pmcid") else None,
            "title": _plain(result.get("title")),
            "authors": [
                _author(a)
                for a in (result.get("authorList") or {}).get("author") or []
                if isinstance(a, dict)
            ],
            "journal": (journal_info.get("journal") or {}).get("title"),
            "year": year_of(journal_info.get("yearOfPublication") or result.get("pubYear")),
            "volume": journal_info.get("volume"),
            "issue": journal_info.get("issue"),
            "pages": (result.get("pageInfo") or None),
            "publication_types": [
                t
                for t in (result.get("pubTypeList") or {}).get("pubType") or []
                if isinstance(t, str)
            ],
            "language": result.get("language"),
            "abstract": abstract,
            "keywords": list(dict.fromkeys(mesh + keywords)),
            "funders": _funders(result),
            "trial_registrations": find_registrations(abstract or ""),
            "is_open_access": _flag(result.get("isOpenAccess")),
        }
    )


def has_fulltext(fields: Fields) -> bool:
    """Europe PMC serves fullTextXML only for open-access articles it holds (with a PMCID)."""
    pmcid = str(fields.get("pmcid") or "")
    return _PMCID.fullmatch(pmcid) is not None and fields.get("is_open_access") is True


@parse_entry("Europe PMC full text")
def parse_fulltext(data: bytes) -> Fields:
    """Fields from a JATS ``fullTextXML`` body: sections, statements, references, ids."""
    try:
        article = parse_jats(data)
    except JatsError as exc:
        raise SourceError(f"Europe PMC full text: {exc.message}", fix=exc.fix) from None
    return fields_from_jats(article)


def fields_from_jats(article: JatsArticle) -> Fields:
    registrations = [find_registrations(text) for text in article.trial_registrations]
    registrations.append(
        find_registrations(
            "\n".join(
                s.text
                for s in article.sections
                if s.kind in ("abstract", "methods", "registration")
            )
        )
    )
    return compact(
        {
            "doi": doi_or_none(article.doi),
            "pmid": article.pmid,
            "pmcid": article.pmcid.upper() if article.pmcid else None,
            "title": article.title,
            "authors": [
                Author(
                    family=a.family, given=a.given, orcid=a.orcid, affiliations=list(a.affiliations)
                )
                for a in article.authors
            ],
            "journal": article.journal,
            "year": article.year,
            "abstract": article.abstract,
            "coi_statement": article.coi_statement,
            "sections": [
                Section(title=s.title, kind=s.kind, text=s.text) for s in article.sections
            ],
            "trial_registrations": unique_registrations(registrations),
            "references": [
                Reference(
                    doi=doi_or_none(r.doi),
                    pmid=r.pmid,
                    title=r.title,
                    year=r.year,
                    authors=r.authors,
                    text=r.raw,
                )
                for r in article.references
            ],
        }
    )


def abstract_text(raw: str) -> str | None:
    """Europe PMC abstracts mark structured headings with <h4>: keep them as 'Label: text'."""
    if not raw.strip():
        return None
    parts = _HEADING.split(raw)
    paragraphs: list[str] = []
    lead = _plain(parts[0])
    if lead:
        paragraphs.append(lead)
    for label, body in zip(parts[1::2], parts[2::2], strict=True):
        label_text, body_text = _plain(label), _plain(body)
        if body_text:
            paragraphs.append(f"{label_text}: {body_text}" if label_text else body_text)
    return "\n\n".join(paragraphs) or None


def _plain(raw: Any) -> str | None:
    if not isinstance(raw, str):
        return None
    return collapse(html.unescape(_TAG.sub("", raw))) or None


def _flag(value: Any) -> bool | None:
    return {"Y": True, "N": False}.get(str(value or "").upper())


def _author(raw: dict[str, Any]) -> Author:
    orcid = raw.get("authorId") or {}
    affiliations = [
        a["affiliation"]
        for a in (raw.get("authorAffiliationDetailsList") or {}).get("authorAffiliation") or []
        if isinstance(a, dict) and a.get("affiliation")
    ]
    family = raw.get("lastName")
    return Author(
        family=family,
        given=raw.get("firstName"),
        name=None if family else (raw.get("collectiveName") or raw.get("fullName")),
        orcid=orcid.get("value") if orcid.get("type") == "ORCID" else None,
        affiliations=affiliations,
    )


def _funders(result: dict[str, Any]) -> list[Funder]:
    by_name: dict[str, Funder] = {}
    for grant in (result.get("grantsList") or {}).get("grant") or []:
        if not isinstance(grant, dict) or not grant.get("agency"):
            continue
        name = collapse(grant["agency"])
        funder = by_name.setdefault(name, Funder(name=name))
        if grant.get("grantId") and grant["grantId"] not in funder.awards:
            funder.awards.append(grant["grantId"])
    return list(by_name.values())
