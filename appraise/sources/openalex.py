"""OpenAlex: ``/works/doi:{doi}`` for one work, ``/works?filter=doi:a|b`` for a batch. Pure
parsers plus the requests that feed them."""

from __future__ import annotations

from typing import Any

from appraise.errors import SourceError
from appraise.ids import doi_or_none
from appraise.models import Author, Funder, Reference
from appraise.sources.fields import Fields, compact, year_of
from appraise.sources.guard import parse_entry, source_call
from appraise.sources.http import HttpClient, Limits, Response, path_segment, request_url
from appraise.sources.registrations import find_registrations

NAME = "openalex"
DEFAULT_ROOT = "https://api.openalex.org"
# The 2026 docs allow 100 requests/second; the older, widely quoted figure is 10/s. Start at
# the conservative one: a batch of DOIs is bounded by the other sources anyway.
LIMITS = Limits(rate=10, concurrency=5)
# OpenAlex takes up to 50 values OR-ed in one filter (and at most 200 results a page).
BATCH_SIZE = 50


def work_url(root: str, key: str) -> str:
    """``key`` is ``doi:10.x/y``, ``pmid:NNN`` or ``pmcid:PMCNNN`` (OpenAlex's external ids)."""
    return f"{root.rstrip('/')}/works/{path_segment(key)}"


@source_call
def fetch(client: HttpClient, root: str, key: str) -> tuple[Response, Fields]:
    url = work_url(root, key)
    params = {"mailto": client.mailto} if client.mailto else None
    response = client.get(url, source="OpenAlex", limits=LIMITS, expect="json", params=params)
    return response, parse_work(response.json())


def single_url(root: str, doi: str) -> str:
    """Where one DOI's work lives (named in a record however it was fetched)."""
    return request_url(work_url(root, f"doi:{doi}"))


def batchable(doi: str) -> bool:
    """Whether ``doi`` can go in an OR-ed filter (``|`` separates values, ``,`` filters)."""
    return not any(mark in doi for mark in "|,")


@source_call
def fetch_batch(
    client: HttpClient, root: str, dois: list[str]
) -> tuple[Response, dict[str, Fields]]:
    """One ``filter=doi:a|b|...`` query for ``dois`` (each batchable); the fields per DOI."""
    params = {"filter": "doi:" + "|".join(dois), "per-page": str(len(dois))}
    if client.mailto:
        params["mailto"] = client.mailto
    response = client.get(
        f"{root.rstrip('/')}/works", source="OpenAlex", limits=LIMITS, expect="json", params=params
    )
    return response, parse_work_list(response.json(), dois)


@parse_entry("OpenAlex")
def parse_work_list(payload: Any, dois: list[str]) -> dict[str, Fields]:
    """Fields per asked DOI from a list answer (``{"meta": ..., "results": [...]}``); works
    for DOIs not asked are left out, and the first work for a DOI wins."""
    results = payload.get("results") if isinstance(payload, dict) else None
    if not isinstance(results, list):
        raise SourceError(
            "OpenAlex: the list response has no 'results'",
            fix="check APPRAISE_OPENALEX_URL points at the OpenAlex API",
        )
    wanted = set(dois)
    found: dict[str, Fields] = {}
    for work in results:
        doi = doi_or_none(work.get("doi")) if isinstance(work, dict) else None
        if doi in wanted and doi not in found:
            found[doi] = parse_work(work)
    return found


@parse_entry("OpenAlex")
def parse_work(work: Any) -> Fields:
    """Fields from one OpenAlex work object."""
    if not isinstance(work, dict) or "id" not in work:
        raise SourceError(
            "OpenAlex: the response is not a work object",
            fix="check APPRAISE_OPENALEX_URL points at the OpenAlex API",
        )
    ids = work.get("ids") or {}
    location = work.get("primary_location") or {}
    biblio = work.get("biblio") or {}
    abstract = rebuild_abstract(work.get("abstract_inverted_index"))
    open_access = work.get("open_access") or {}
    return compact(
        {
            "doi": doi_or_none(work.get("doi") or ids.get("doi")),
            "pmid": _tail(ids.get("pmid")),
            "pmcid": _pmcid(ids.get("pmcid")),
            "openalex": _tail(work.get("id")),
            "title": work.get("title") or work.get("display_name"),
            "authors": [_author(a) for a in work.get("authorships") or [] if isinstance(a, dict)],
            "journal": (location.get("source") or {}).get("display_name"),
            "year": year_of(work.get("publication_year")),
            "volume": biblio.get("volume"),
            "issue": biblio.get("issue"),
            "pages": _pages(biblio),
            "type": work.get("type_crossref") or work.get("type"),
            "language": work.get("language"),
            "abstract": abstract,
            "keywords": [
                k["display_name"]
                for k in work.get("keywords") or []
                if isinstance(k, dict) and k.get("display_name")
            ],
            "funders": [
                _funder(g)
                for g in work.get("grants") or []
                if isinstance(g, dict) and g.get("funder_display_name")
            ],
            "trial_registrations": find_registrations(abstract or ""),
            "references": [
                Reference(openalex=_tail(w))
                for w in work.get("referenced_works") or []
                if isinstance(w, str)
            ],
            "is_open_access": open_access.get("is_oa"),
            "is_retracted": work.get("is_retracted"),
            "url": location.get("landing_page_url"),
        }
    )


def rebuild_abstract(index: Any) -> str | None:
    """OpenAlex stores abstracts as {word: [positions]}; put each word back in its place."""
    if not isinstance(index, dict) or not index:
        return None
    placed: dict[int, str] = {}
    for word, positions in index.items():
        for position in positions or []:
            if isinstance(position, int):
                placed[position] = word
    return " ".join(placed[i] for i in sorted(placed)) or None


def _tail(url: Any) -> str | None:
    return url.rstrip("/").rsplit("/", 1)[-1] if isinstance(url, str) and url.strip() else None


def _pmcid(url: Any) -> str | None:
    tail = _tail(url)
    if not tail:
        return None
    return tail.upper() if tail.upper().startswith("PMC") else f"PMC{tail}"


def _pages(biblio: dict[str, Any]) -> str | None:
    first, last = biblio.get("first_page"), biblio.get("last_page")
    if first and last and first != last:
        return f"{first}-{last}"
    return first or None


def _author(authorship: dict[str, Any]) -> Author:
    person = authorship.get("author") or {}
    name = person.get("display_name") or authorship.get("raw_author_name")
    family, given = _split_name(name)
    institutions = [
        i["display_name"]
        for i in authorship.get("institutions") or []
        if isinstance(i, dict) and i.get("display_name")
    ]
    raw = [s for s in authorship.get("raw_affiliation_strings") or [] if isinstance(s, str)]
    return Author(
        family=family,
        given=given,
        name=None if family else name,
        orcid=_tail(person.get("orcid")),
        affiliations=list(dict.fromkeys(raw or institutions)),
        corresponding=authorship.get("is_corresponding"),
    )


def _split_name(name: Any) -> tuple[str | None, str | None]:
    """OpenAlex gives display names ("Heather Piwowar"); the last word is taken as family."""
    if not isinstance(name, str) or not name.strip():
        return None, None
    parts = name.split()
    if len(parts) == 1:
        return parts[0], None
    return parts[-1], " ".join(parts[:-1])


def _funder(grant: dict[str, Any]) -> Funder:
    award = grant.get("award_id")
    return Funder(
        name=grant["funder_display_name"],
        doi=None,
        awards=[award] if isinstance(award, str) and award.strip() else [],
    )
