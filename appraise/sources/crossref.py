"""Crossref REST API: ``/works/{doi}`` for one DOI, ``/works?filter=doi:a,doi:b`` for a batch.
Pure parsers plus the requests that feed them."""

from __future__ import annotations

import html
import re
from typing import Any

from appraise.errors import SourceError
from appraise.ids import doi_or_none
from appraise.models import Author, Funder, Reference, TrialRegistration
from appraise.sources.fields import Fields, compact, year_of
from appraise.sources.guard import parse_entry, source_call
from appraise.sources.http import HttpClient, Limits, Response, path_segment, request_url
from appraise.sources.registrations import find_registrations, registration_from_number
from appraise.sources.xmltext import collapse

NAME = "crossref"
DEFAULT_ROOT = "https://api.crossref.org"
# Documented limits (June 2026 headers): public pool 5/s with 1 in flight; polite 10/s with 3.
PUBLIC_LIMITS = Limits(rate=5, concurrency=1)
POLITE_LIMITS = Limits(rate=10, concurrency=3)
# List queries (``/works?filter=...``) have a lower limit of their own inside those: about 3/s
# in the polite pool. Crossref publishes no public-pool figure for them: 1/s is our assumption.
LIST_LANE = "list"
PUBLIC_LIST_LIMITS = Limits(rate=1, concurrency=1)
POLITE_LIST_LIMITS = Limits(rate=3, concurrency=3)
# DOIs per list query: filters OR-ed, ``rows`` covering them; the URL stays under 2 kB.
BATCH_SIZE = 50

_TITLE_TAG = re.compile(r"<(?:jats:)?title[^>]*>.*?</(?:jats:)?title>", re.IGNORECASE | re.DOTALL)
_PARAGRAPH_END = re.compile(r"</(?:jats:)?p>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def work_url(root: str, doi: str) -> str:
    return f"{root.rstrip('/')}/works/{path_segment(doi)}"


@source_call
def fetch(client: HttpClient, root: str, doi: str) -> tuple[Response, Fields]:
    """The record for ``doi``; raises NotFound when Crossref does not hold it."""
    limits = POLITE_LIMITS if client.mailto else PUBLIC_LIMITS
    url = work_url(root, doi)
    params = {"mailto": client.mailto} if client.mailto else None
    response = client.get(url, source="Crossref", limits=limits, expect="json", params=params)
    return response, parse_work(response.json())


def batchable(doi: str) -> bool:
    """Whether ``doi`` can go in a filter list (a comma would split it)."""
    return "," not in doi


@source_call
def fetch_batch(
    client: HttpClient, root: str, dois: list[str]
) -> tuple[Response, dict[str, Fields]]:
    """One list query for ``dois`` (each batchable); the fields of each DOI Crossref holds."""
    polite = bool(client.mailto)
    params = {"filter": ",".join(f"doi:{doi}" for doi in dois), "rows": str(len(dois))}
    if client.mailto:
        params["mailto"] = client.mailto
    response = client.get(
        f"{root.rstrip('/')}/works",
        source="Crossref",
        limits=POLITE_LIMITS if polite else PUBLIC_LIMITS,
        expect="json",
        params=params,
        lane=(LIST_LANE, POLITE_LIST_LIMITS if polite else PUBLIC_LIST_LIMITS),
    )
    return response, parse_work_list(response.json(), dois)


def single_url(root: str, doi: str) -> str:
    """Where one DOI's record lives (named in a record however it was fetched)."""
    return request_url(work_url(root, doi))


@parse_entry("Crossref")
def parse_work_list(payload: Any, dois: list[str]) -> dict[str, Fields]:
    """Fields per asked DOI from a ``/works?filter=doi:...`` answer (``work-list``); items for
    DOIs not asked are left out, and the first item for a DOI wins."""
    message = payload.get("message") if isinstance(payload, dict) else None
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(items, list):
        raise SourceError(
            "Crossref: the list response has no 'message.items'",
            fix="check APPRAISE_CROSSREF_URL points at the Crossref REST API",
        )
    wanted = set(dois)
    found: dict[str, Fields] = {}
    for item in items:
        doi = doi_or_none(item.get("DOI")) if isinstance(item, dict) else None
        if doi in wanted and doi not in found:
            found[doi] = parse_item(item)
    return found


@parse_entry("Crossref")
def parse_work(payload: Any) -> Fields:
    """Fields from a ``/works/{doi}`` response (``{"message-type": "work", "message": {...}}``)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("message"), dict):
        raise SourceError(
            "Crossref: the response has no 'message' object",
            fix="check APPRAISE_CROSSREF_URL points at the Crossref REST API",
        )
    return parse_item(payload["message"])


def parse_item(work: dict[str, Any]) -> Fields:
    """Fields from one work object, alone or as an item of a list answer."""
    abstract = abstract_text(work.get("abstract") or "")
    return compact(
        {
            "doi": doi_or_none(work.get("DOI")),
            "title": _first(work.get("title")),
            "authors": [_author(a) for a in work.get("author") or [] if isinstance(a, dict)],
            "journal": _first(work.get("container-title")),
            "year": _year(work),
            "volume": work.get("volume"),
            "issue": work.get("issue"),
            "pages": work.get("page") or work.get("article-number"),
            "type": work.get("type"),
            "language": work.get("language"),
            "abstract": abstract,
            "keywords": [s for s in work.get("subject") or [] if isinstance(s, str)],
            "funders": [_funder(f) for f in work.get("funder") or [] if f.get("name")],
            "trial_registrations": _registrations(work, abstract),
            "references": [
                _reference(r) for r in work.get("reference") or [] if isinstance(r, dict)
            ],
            "url": (work.get("resource") or {}).get("primary", {}).get("URL") or work.get("URL"),
        }
    )


def abstract_text(raw: str) -> str | None:
    """Crossref abstracts are JATS fragments: drop the 'Abstract' heading and the tags,
    keep paragraph breaks."""
    if not raw.strip():
        return None
    text = _TITLE_TAG.sub("", raw)
    text = _PARAGRAPH_END.sub("\n\n", text)
    paragraphs = [collapse(html.unescape(_TAG.sub(" ", part))) for part in text.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p) or None


def _first(values: Any) -> str | None:
    if isinstance(values, list):
        values = next((v for v in values if isinstance(v, str) and v.strip()), None)
    return collapse(html.unescape(_TAG.sub("", values))) if isinstance(values, str) else None


def _year(work: dict[str, Any]) -> int | None:
    for key in ("issued", "published", "published-print", "published-online", "created"):
        parts = (work.get(key) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and (year := year_of(parts[0][0])):
            return year
    return None


def _orcid(raw: Any) -> str | None:
    if not isinstance(raw, str):
        return None
    return raw.rsplit("/", 1)[-1] or None


def _author(raw: dict[str, Any]) -> Author:
    affiliations = [a["name"] for a in raw.get("affiliation") or [] if a.get("name")]
    return Author(
        family=raw.get("family"),
        given=raw.get("given"),
        name=None if raw.get("family") else raw.get("name"),
        orcid=_orcid(raw.get("ORCID")),
        affiliations=affiliations,
    )


def _funder(raw: dict[str, Any]) -> Funder:
    awards = [a.strip() for a in raw.get("award") or [] if isinstance(a, str) and a.strip()]
    return Funder(
        name=collapse(raw["name"]), doi=raw.get("DOI"), awards=list(dict.fromkeys(awards))
    )


def _registrations(work: dict[str, Any], abstract: str | None) -> list[TrialRegistration]:
    found: list[TrialRegistration] = []
    for entry in work.get("clinical-trial-number") or []:
        if isinstance(entry, dict) and entry.get("clinical-trial-number"):
            reg = registration_from_number(entry["clinical-trial-number"], entry.get("registry"))
            if reg and all((r.registry, r.id) != (reg.registry, reg.id) for r in found):
                found.append(reg)
    for reg in find_registrations(abstract or ""):
        if all((r.registry, r.id) != (reg.registry, reg.id) for r in found):
            found.append(reg)
    return found


def _reference(raw: dict[str, Any]) -> Reference:
    title = raw.get("article-title") or raw.get("volume-title") or raw.get("series-title")
    return Reference(
        doi=doi_or_none(raw.get("DOI")),
        title=collapse(title) if isinstance(title, str) else None,
        year=year_of(raw.get("year")),
        authors=raw.get("author"),
        text=collapse(raw["unstructured"]) if isinstance(raw.get("unstructured"), str) else None,
    )
