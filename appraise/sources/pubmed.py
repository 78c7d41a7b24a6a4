"""PubMed via NCBI E-utilities: ``esearch`` a DOI to its PMID, then ``efetch`` the XML record.

PubMed is where publication types ("Randomized Controlled Trial"), structured abstracts with
their labels, MeSH terms and the ``<CoiStatement>`` live.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from appraise.errors import SourceError
from appraise.ids import doi_or_none
from appraise.models import Author, Funder, Reference, TrialRegistration
from appraise.sources.fields import Fields, compact, year_of
from appraise.sources.guard import parse_entry, source_call
from appraise.sources.http import HttpClient, Limits, NotFound, Response
from appraise.sources.registrations import find_registrations, unique_registrations
from appraise.sources.xmltext import child_text, collapse, flatten, parse_xml

NAME = "pubmed"
DEFAULT_ROOT = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
# NLM KA-05510: 3 requests/second without an API key.
LIMITS = Limits(rate=3, concurrency=3)
TOOL = "appraise"

_DATABANK_REGISTRIES = {
    "clinicaltrials.gov": "ClinicalTrials.gov",
    "isrctn": "ISRCTN",
    "anzctr": "ANZCTR",
    "drks": "DRKS",
    "chictr": "ChiCTR",
    "eudract": "EudraCT",
    "ctri": "CTRI",
}


def _identity(client: HttpClient) -> dict[str, str]:
    """E-utilities ask callers to say who they are (tool= and email=)."""
    return {"tool": TOOL, **({"email": client.mailto} if client.mailto else {})}


@source_call
def search_doi(client: HttpClient, root: str, doi: str) -> tuple[Response, str]:
    """The PMID PubMed files ``doi`` under; raises NotFound when there is none."""
    params = {"db": "pubmed", "term": f"{doi}[doi]", "retmode": "json", **_identity(client)}
    response = client.get(
        f"{root.rstrip('/')}/esearch.fcgi",
        source="PubMed",
        limits=LIMITS,
        expect="json",
        params=params,
    )
    pmid = parse_esearch(response.json())
    if pmid is None:
        raise NotFound(response.url, response.fetched_at)
    return response, pmid


@source_call
def fetch_pmid(client: HttpClient, root: str, pmid: str) -> tuple[Response, Fields]:
    params = {"db": "pubmed", "id": pmid, "retmode": "xml", **_identity(client)}
    response = client.get(
        f"{root.rstrip('/')}/efetch.fcgi",
        source="PubMed",
        limits=LIMITS,
        expect="xml",
        params=params,
    )
    fields = parse_efetch(response.body, pmid)
    if fields is None:
        raise NotFound(response.url, response.fetched_at)
    return response, fields


@parse_entry("PubMed")
def parse_esearch(payload: Any) -> str | None:
    """The single PMID of an esearch JSON answer (None for no hit, or an ambiguous one)."""
    result = payload.get("esearchresult") if isinstance(payload, dict) else None
    if not isinstance(result, dict):
        raise SourceError(
            "PubMed: the esearch response has no esearchresult",
            fix="check APPRAISE_PUBMED_URL points at NCBI E-utilities",
        )
    ids = [i for i in result.get("idlist") or [] if isinstance(i, str) and i.isdigit()]
    return ids[0] if len(ids) == 1 else None


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
