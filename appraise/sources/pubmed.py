"""PubMed via NCBI E-utilities: ``esearch`` a DOI to its PMID, then ``efetch`` the XML record;
in batches, ``esearch`` DOIs OR-ed (``a[doi] OR b[doi]``) and ``efetch`` up to 200 PMIDs at once.

PubMed is where publication types ("Randomized Controlled Trial"), structured abstracts with
their labels, MeSH terms and the ``<CoiStatement>`` live.
"""

from __future__ import annotations

import os
from typing import Any
from xml.etree.ElementTree import Element

from appraise.errors import SourceError
from appraise.ids import doi_or_none
from appraise.models import Author, Funder, Reference, TrialRegistration
from appraise.sources.fields import Fields, compact, year_of
from appraise.sources.guard import parse_entry, source_call
from appraise.sources.http import HttpClient, Limits, NotFound, Response, request_url
from appraise.sources.registrations import find_registrations, unique_registrations
from appraise.sources.xmltext import child_text, collapse, flatten, parse_xml

NAME = "pubmed"
DEFAULT_ROOT = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
# NLM KA-05510: 3 requests/second without an API key.
LIMITS = Limits(rate=3, concurrency=3)
# ... and up to 10/s with an API key (KA-05510), sent as api_key=.
KEYED_LIMITS = Limits(rate=10, concurrency=5)
API_KEY_ENV = "APPRAISE_NCBI_API_KEY"
TOOL = "appraise"
# DOIs OR-ed in one esearch term (the URL stays under 2 kB); PMIDs in one efetch (NCBI's
# guidance: up to 200 ids in a GET).
SEARCH_BATCH = 50
FETCH_BATCH = 200

_DATABANK_REGISTRIES = {
    "clinicaltrials.gov": "ClinicalTrials.gov",
    "isrctn": "ISRCTN",
    "anzctr": "ANZCTR",
    "drks": "DRKS",
    "chictr": "ChiCTR",
    "eudract": "EudraCT",
    "ctri": "CTRI",
}


def api_key() -> str | None:
    return os.environ.get(API_KEY_ENV, "").strip() or None


def limits() -> Limits:
    """NCBI's limit for this run: higher with an API key."""
    return KEYED_LIMITS if api_key() else LIMITS


def _identity(client: HttpClient) -> dict[str, str]:
    """E-utilities ask callers to say who they are (tool= and email=), and take api_key=."""
    key = api_key()
    return {
        "tool": TOOL,
        **({"email": client.mailto} if client.mailto else {}),
        **({"api_key": key} if key else {}),
    }


def _search_params(term: str, retmax: int | None = None) -> dict[str, str]:
    params = {"db": "pubmed", "term": term, "retmode": "json"}
    if retmax is not None:
        params["retmax"] = str(retmax)
    return params


def _get(client: HttpClient, root: str, tool: str, params: dict[str, str], expect: str) -> Response:
    return client.get(
        f"{root.rstrip('/')}/{tool}",
        source="PubMed",
        limits=limits(),
        expect=expect,  # type: ignore[arg-type]
        params={**params, **_identity(client)},
    )


@source_call
def search_doi(client: HttpClient, root: str, doi: str) -> tuple[Response, str]:
    """The PMID PubMed files ``doi`` under; raises NotFound when there is none."""
    response = _get(client, root, "esearch.fcgi", _search_params(f"{doi}[doi]"), "json")
    pmid = parse_esearch(response.json())
    if pmid is None:
        raise NotFound(response.url, response.fetched_at)
    return response, pmid


def search_url(root: str, doi: str) -> str:
    """The esearch that finds ``doi`` alone (named in a record however it was found)."""
    params = {**_search_params(f"{doi}[doi]"), "tool": TOOL}
    return request_url(f"{root.rstrip('/')}/esearch.fcgi", params)


def fetch_url(root: str, pmid: str) -> str:
    """The efetch of ``pmid`` alone (named in a record however it was fetched)."""
    params = {"db": "pubmed", "id": pmid, "retmode": "xml", "tool": TOOL}
    return request_url(f"{root.rstrip('/')}/efetch.fcgi", params)


def batchable(doi: str) -> bool:
    """Whether ``doi`` can be OR-ed in a term (brackets and quotes are query syntax)."""
    return not any(mark in doi for mark in '[]"') and " or " not in f" {doi} "


@source_call
def search_batch(client: HttpClient, root: str, dois: list[str]) -> tuple[Response, list[str]]:
    """Every PMID an esearch of ``dois`` OR-ed finds (not which DOI each belongs to: the
    efetch records say that)."""
    term = " OR ".join(f"{doi}[doi]" for doi in dois)
    response = _get(client, root, "esearch.fcgi", _search_params(term, 2 * len(dois)), "json")
    return response, parse_esearch_ids(response.json())


@source_call
def fetch_pmid(client: HttpClient, root: str, pmid: str) -> tuple[Response, Fields]:
    response = _get(
        client, root, "efetch.fcgi", {"db": "pubmed", "id": pmid, "retmode": "xml"}, "xml"
    )
    fields = parse_efetch(response.body, pmid)
    if fields is None:
        raise NotFound(response.url, response.fetched_at)
    return response, fields


@source_call
def fetch_batch(
    client: HttpClient, root: str, pmids: list[str]
) -> tuple[Response, dict[str, Fields]]:
    """One efetch for up to 200 ``pmids``; the fields per PMID PubMed returned."""
    params = {"db": "pubmed", "id": ",".join(pmids), "retmode": "xml"}
    response = _get(client, root, "efetch.fcgi", params, "xml")
    return response, parse_efetch_all(response.body)


@parse_entry("PubMed")
def parse_esearch(payload: Any) -> str | None:
    """The single PMID of an esearch JSON answer (None for no hit, or an ambiguous one)."""
    ids = parse_esearch_ids(payload)
    return ids[0] if len(ids) == 1 else None


@parse_entry("PubMed esearch")
def parse_esearch_ids(payload: Any) -> list[str]:
    """Every PMID of an esearch JSON answer."""
    result = payload.get("esearchresult") if isinstance(payload, dict) else None
    if not isinstance(result, dict):
        raise SourceError(
            "PubMed: the esearch response has no esearchresult",
            fix="check APPRAISE_PUBMED_URL points at NCBI E-utilities",
        )
    return [i for i in result.get("idlist") or [] if isinstance(i, str) and i.isdigit()]


@parse_entry("PubMed efetch")
def parse_efetch_all(data: bytes) -> dict[str, Fields]:
    """Fields per PMID of every article in an efetch ``PubmedArticleSet`` (the first wins)."""
    root = parse_xml(data, "PubMed efetch")
    articles = root.findall("PubmedArticle") if root.tag == "PubmedArticleSet" else []
    if root.tag == "PubmedArticle":
        articles = [root]
    found: dict[str, Fields] = {}
    for article in articles:
        pmid = child_text(article, "MedlineCitation/PMID")
        if pmid and pmid not in found:
            found[pmid] = parse_article(article)
    return found


@parse_entry("PubMed efetch")
def parse_efetch(data: bytes, pmid: str | None = None) -> Fields | None:
    """Fields of the article ``pmid`` (or the first) in an efetch ``PubmedArticleSet``."""
    root = parse_xml(data, "PubMed efetch")
    articles = root.findall("PubmedArticle") if root.tag == "PubmedArticleSet" else []
    if root.tag == "PubmedArticle":
        articles = [root]
    for article in articles:
        if pmid is None or child_text(article, "MedlineCitation/PMID") == pmid:
            return parse_article(article)
    return None


def parse_article(node: Element) -> Fields:
    citation = node.find("MedlineCitation")
    article = citation.find("Article") if citation is not None else None
    data = node.find("PubmedData")
    ids = _article_ids(data.find("ArticleIdList") if data is not None else None)
    journal = article.find("Journal") if article is not None else None
    issue = journal.find("JournalIssue") if journal is not None else None
    abstract = _abstract(article.find("Abstract") if article is not None else None)
    return compact(
        {
            "pmid": child_text(citation, "PMID"),
            "doi": ids.get("doi") or _elocation_doi(article),
            "pmcid": ids.get("pmc", "").upper() or None,
            "title": child_text(article, "ArticleTitle") or child_text(article, "VernacularTitle"),
            "authors": [_author(a) for a in _all(article, "AuthorList/Author")],
            "journal": child_text(journal, "Title"),
            "year": _year(issue),
            "volume": child_text(issue, "Volume"),
            "issue": child_text(issue, "Issue"),
            "pages": child_text(article, "Pagination/MedlinePgn"),
            "publication_types": [
                flatten(t) for t in _all(article, "PublicationTypeList/PublicationType")
            ],
            "language": child_text(article, "Language"),
            "abstract": abstract,
            "keywords": _keywords(citation),
            "funders": _funders(article),
            "coi_statement": child_text(citation, "CoiStatement"),
            "trial_registrations": unique_registrations(
                [_databank_registrations(article), find_registrations(abstract or "")]
            ),
            "references": [_reference(r) for r in _all(data, "ReferenceList/Reference")],
        }
    )


def _all(node: Element | None, path: str) -> list[Element]:
    return node.findall(path) if node is not None else []


def _article_ids(id_list: Element | None) -> dict[str, str]:
    ids: dict[str, str] = {}
    for item in _all(id_list, "ArticleId"):
        kind, value = item.get("IdType", ""), flatten(item)
        if kind == "doi":
            value = doi_or_none(value) or ""
        if value:
            ids.setdefault(kind, value)
    return ids


def _elocation_doi(article: Element | None) -> str | None:
    for location in _all(article, "ELocationID"):
        if location.get("EIdType") == "doi":
            return doi_or_none(flatten(location))
    return None


def _abstract(abstract: Element | None) -> str | None:
    """Paragraphs of the abstract; structured ones keep their labels ("METHODS: ...")."""
    paragraphs = []
    for part in _all(abstract, "AbstractText"):
        text = flatten(part)
        label = part.get("Label")
        if text:
            paragraphs.append(f"{label}: {text}" if label else text)
    return "\n\n".join(paragraphs) or None


def _author(node: Element) -> Author:
    orcid = next(
        (
            collapse(i.text or "").rsplit("/", 1)[-1]
            for i in node.findall("Identifier")
            if i.get("Source") == "ORCID" and i.text
        ),
        None,
    )
    family = child_text(node, "LastName")
    return Author(
        family=family,
        given=child_text(node, "ForeName") or child_text(node, "Initials"),
        name=None if family else child_text(node, "CollectiveName"),
        orcid=orcid,
        affiliations=[
            flatten(a) for a in node.findall("AffiliationInfo/Affiliation") if flatten(a)
        ],
    )


def _year(issue: Element | None) -> int | None:
    return year_of(child_text(issue, "PubDate/Year") or child_text(issue, "PubDate/MedlineDate"))


def _keywords(citation: Element | None) -> list[str]:
    mesh = [flatten(d) for d in _all(citation, "MeshHeadingList/MeshHeading/DescriptorName")]
    words = [flatten(k) for k in _all(citation, "KeywordList/Keyword")]
    return list(dict.fromkeys(k for k in mesh + words if k))


def _funders(article: Element | None) -> list[Funder]:
    by_name: dict[str, Funder] = {}
    for grant in _all(article, "GrantList/Grant"):
        agency = child_text(grant, "Agency")
        if not agency:
            continue
        funder = by_name.setdefault(agency, Funder(name=agency))
        award = child_text(grant, "GrantID")
        if award and award not in funder.awards:
            funder.awards.append(award)
    return list(by_name.values())


def _databank_registrations(article: Element | None) -> list[TrialRegistration]:
    found: list[TrialRegistration] = []
    for bank in _all(article, "DataBankList/DataBank"):
        name = (child_text(bank, "DataBankName") or "").strip()
        registry = _DATABANK_REGISTRIES.get(name.lower())
        if registry is None:
            continue  # GENBANK, figshare...: data, not trial registrations
        for number in _all(bank, "AccessionNumberList/AccessionNumber"):
            ident = flatten(number)
            recognised = find_registrations(ident)
            found.extend(recognised or [TrialRegistration(registry=registry, id=ident.upper())])
    return found


def _reference(node: Element) -> Reference:
    ids = _article_ids(node.find("ArticleIdList"))
    return Reference(doi=ids.get("doi"), pmid=ids.get("pubmed"), text=child_text(node, "Citation"))
