"""A local server that replays the recorded API responses in ../shared/fixtures.

One server on 127.0.0.1 plays all four APIs under path prefixes (/crossref, /openalex,
/europepmc, /pubmed); the APPRAISE_*_URL variables point the fetcher at it. Crossref, OpenAlex,
Europe PMC full texts and PubMed efetch answers are the recorded files, byte for byte (Crossref's
with its recorded headers, rate limits aside). A Europe PMC search answers with the recorded
``resultType=core`` response narrowed to the hit for the DOI asked. Two kinds of answer have no
recording and are built here from the recorded files: PubMed's esearch (DOI -> PMID, a small
JSON) and the Europe PMC search hit for an article whose full text is recorded (its ids and
open-access flag, taken from that full text).

Batch requests are answered as the APIs answer them: Crossref ``/works?filter=doi:a,doi:b``
with a ``work-list`` message of the recorded works (each with a ``score``, as list items
have), OpenAlex ``/works?filter=doi:a|b`` with the recorded list response's ``meta`` and the
recorded works as ``results``, a Europe PMC search with DOIs OR-ed with every hit, PubMed's
esearch with ``a[doi] OR b[doi]`` with every PMID and efetch with ``id=a,b`` with the recorded
articles in one ``PubmedArticleSet``. Results come in an order of their own (sorted by id), not
the order asked, as the APIs' do.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from appraise.ids import normalise_doi
from appraise.sources import crossref, europepmc, openalex, pubmed
from appraise.sources.http import Limits
from tests.conftest import SHARED, shared_path

FIXTURES = SHARED / "fixtures"
_HOP_HEADERS = {"content-encoding", "content-length", "connection", "transfer-encoding", "date"}


def _headers_of(path: Path) -> dict[str, str]:
    recorded = json.loads(path.read_text())["headers"]
    return {
        k: v[0] if isinstance(v, list) else v
        for k, v in recorded.items()
        if k.lower() not in _HOP_HEADERS
    }


@dataclass
class Replay:
    """Indexes of the recorded files, by the identifiers the APIs are asked with."""

    crossref: dict[str, Path] = field(default_factory=dict)
    openalex: dict[str, Path] = field(default_factory=dict)
    epmc_hits: dict[str, dict[str, Any]] = field(default_factory=dict)
    epmc_core: dict[str, Any] = field(default_factory=dict)
    fulltext: dict[str, Path] = field(default_factory=dict)
    pubmed_by_doi: dict[str, str] = field(default_factory=dict)
    pubmed_by_pmid: dict[str, Path] = field(default_factory=dict)
    pubmed_articles: dict[str, str] = field(default_factory=dict)
    openalex_meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Replay:
        replay = cls()
        for path in (FIXTURES / "crossref").glob("works_10*.json"):
            replay.crossref[json.loads(path.read_text())["message"]["DOI"].lower()] = path
        for path in (FIXTURES / "openalex").glob("work_*.json"):
            doi = json.loads(path.read_text()).get("doi")
            if doi:
                replay.openalex[normalise_doi(doi)] = path
        core = json.loads(
            (FIXTURES / "europepmc/search/pyeuropepmc_search_cancer_core.json").read_text()
        )
        replay.epmc_core = core
        for hit in core["resultList"]["result"]:
            if hit.get("doi"):
                replay.epmc_hits[hit["doi"].lower()] = hit
        for path in (FIXTURES / "europepmc/fulltextxml").glob("*.xml"):
            text = path.read_text()
            doi = re.search(r'pub-id-type="doi">([^<]+)<', text)
            pmcid = re.search(r'pub-id-type="pmc(?:id)?">(?:PMC)?(\d+)<', text)
            pmid = re.search(r'pub-id-type="pmid">(\d+)<', text)
            if not (doi and pmcid):
                continue
            key = f"PMC{pmcid.group(1)}"
            replay.fulltext[key] = path
            replay.epmc_hits.setdefault(
                normalise_doi(doi.group(1)),
                {
                    "id": pmid.group(1) if pmid else key,
                    "source": "MED" if pmid else "PMC",
                    "doi": doi.group(1),
                    "pmcid": key,
                    "isOpenAccess": "Y",
                    "inEPMC": "Y",
                    **({"pmid": pmid.group(1)} if pmid else {}),
                },
            )
        for path in (FIXTURES / "pubmed").glob("efetch_*.xml"):
            text = path.read_text()
            for article in re.findall(r"<PubmedArticle>.*?</PubmedArticle>", text, re.S):
                pmid = re.search(r"<PMID[^>]*>(\d+)</PMID>", article)
                if not pmid:
                    continue
                replay.pubmed_by_pmid[pmid.group(1)] = path
                replay.pubmed_articles.setdefault(pmid.group(1), article)
                for doi in re.findall(
                    r'<ArticleId IdType="doi">([^<]+)</ArticleId>',
                    article.split("<ReferenceList>")[0],
                ):
                    replay.pubmed_by_doi[normalise_doi(doi)] = pmid.group(1)
        listing = FIXTURES / "openalex/list_works_cursor_page1_W2755950973_W2741809807.json"
        replay.openalex_meta = json.loads(listing.read_text())["meta"]
        return replay

    # --- answers --------------------------------------------------------------------------
    def answer(self, request: Request) -> Response:
        path = request.path
        for prefix, handler in (
            ("/crossref", self._crossref),
            ("/openalex", self._openalex),
            ("/europepmc", self._europepmc),
            ("/pubmed", self._pubmed),
        ):
            if path.startswith(prefix + "/"):
                return handler(path[len(prefix) :], request)
        return Response("no such API", status=404, content_type="text/plain")

    def _crossref(self, path: str, request: Request) -> Response:
        # The recorded headers but for the rate limits, so the replay answers as fast as asked
        # and tests stay quick (test_http.py tests the limits).
        recorded = (
            FIXTURES / "crossref/headers/works_10.1016_j.neurobiolaging.2010.03.024.headers.json"
        )
        headers = {k: v for k, v in _headers_of(recorded).items() if "limit" not in k.lower()}
        if path == "/works" and "filter" in request.args:
            dois = [f.removeprefix("doi:").lower() for f in request.args["filter"].split(",")]
            items = [
                {**json.loads(self.crossref[d].read_text())["message"], "score": 1.0}
                for d in sorted(set(dois))
                if d in self.crossref
            ]
            body = {
                "status": "ok",
                "message-type": "work-list",
                "message-version": "1.0.0",
                "message": {
                    "facets": {},
                    "total-results": len(items),
                    "items": items,
                    "items-per-page": int(request.args.get("rows", 20)),
                    "query": {"start-index": 0, "search-terms": None},
                },
            }
            return Response(json.dumps(body), headers=headers, content_type="application/json")
        doi = path.removeprefix("/works/").lower()
        if doi in self.crossref:
            return Response(
                self.crossref[doi].read_bytes(), headers=headers, content_type="application/json"
            )
        missing = FIXTURES / "crossref/works_404_10.1371_notarealdoi.txt"
        return Response(
            missing.read_bytes(), status=404, headers=headers, content_type="text/plain"
        )

    def _openalex(self, path: str, request: Request) -> Response:
        if path == "/works" and request.args.get("filter", "").startswith("doi:"):
            dois = request.args["filter"].removeprefix("doi:").lower().split("|")
            works = [
                json.loads(self.openalex[d].read_text())
                for d in sorted(set(dois))
                if d in self.openalex
            ]
            meta = {**self.openalex_meta, "count": len(works), "next_cursor": None}
            body = {"meta": meta, "results": works, "group_by": []}
            return Response(json.dumps(body), content_type="application/json")
        key = path.removeprefix("/works/")
        if key.startswith("doi:") and (found := self.openalex.get(key[4:].lower())):
            return Response(found.read_bytes(), content_type="application/json")
        return Response(
            json.dumps({"error": "404 Not Found"}), status=404, content_type="application/json"
        )

    def _europepmc(self, path: str, request: Request) -> Response:
        if path == "/search":
            query = request.args.get("query", "")
            dois = re.findall(r'DOI:"([^"]+)"', query)
            hits = [
                self.epmc_hits[d] for d in sorted({d.lower() for d in dois}) if d in self.epmc_hits
            ]
            if not hits:
                empty = FIXTURES / "europepmc/search/pyeuropepmc_search_no_results.json"
                return Response(empty.read_bytes(), content_type="application/json")
            payload = {**self.epmc_core, "hitCount": len(hits), "resultList": {"result": hits}}
            return Response(json.dumps(payload), content_type="application/json")
        m = re.fullmatch(r"/(PMC\d+)/fullTextXML", path)
        if m and (found := self.fulltext.get(m.group(1))):
            return Response(found.read_bytes(), content_type="application/xml")
        return Response("not found", status=404, content_type="text/plain")

    def _pubmed(self, path: str, request: Request) -> Response:
        if path == "/esearch.fcgi":
            terms = [
                t.strip().removesuffix("[doi]").lower() for t in request.args["term"].split(" OR ")
            ]
            ids = sorted({self.pubmed_by_doi[t] for t in terms if t in self.pubmed_by_doi})
            body = {"esearchresult": {"count": str(len(ids)), "idlist": ids}}
            return Response(json.dumps(body), content_type="application/json")
        if path == "/efetch.fcgi" and (found := self.pubmed_by_pmid.get(request.args["id"])):
            return Response(found.read_bytes(), content_type="text/xml")
        if path == "/efetch.fcgi" and "," in request.args["id"]:
            pmids = sorted(set(request.args["id"].split(",")))
            articles = "".join(self.pubmed_articles[p] for p in pmids if p in self.pubmed_articles)
            body = f'<?xml version="1.0" ?>\n<PubmedArticleSet>{articles}</PubmedArticleSet>'
            return Response(body, content_type="text/xml")
        return Response(
            "<eFetchResult><ERROR>Empty id list</ERROR></eFetchResult>", content_type="text/xml"
        )


@dataclass
class Server:
    """The local server as one test sees it: its answers (replaceable) and what it was asked."""

    base_url: str
    handler: Callable[[Request], Response]
    lock: threading.Lock = field(default_factory=threading.Lock)
    paths: list[str] = field(default_factory=list)

    def url(self, prefix: str = "") -> str:
        return f"{self.base_url}{prefix}"

    def dispatch(self, request: Request) -> Response:
        with self.lock:
            self.paths.append(request.full_path)
        return self.handler(request)


@pytest.fixture(scope="session")
def _http_server() -> Iterator[tuple[HTTPServer, dict[str, Server]]]:
    """One threaded server for the session (stopping one takes half a second)."""
    http = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    current: dict[str, Server] = {}
    http.expect_request(re.compile(".*")).respond_with_handler(
        lambda request: current["server"].dispatch(request)
    )
    http.start()
    yield http, current
    http.clear()
    http.stop()


@pytest.fixture
def server(_http_server: tuple[HTTPServer, dict[str, Server]]) -> Server:
    http, current = _http_server
    current["server"] = Server(
        http.url_for("/").rstrip("/"), lambda request: Response("unset", status=500)
    )
    return current["server"]


@pytest.fixture(scope="session")
def replay_data() -> Replay:
    shared_path("fixtures", "SOURCES.md")
    return Replay.load()


@pytest.fixture
def fast_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Local servers answer as fast as asked: lift the APIs' documented limits."""
    fast = Limits(rate=500, concurrency=8)
    for module, name in (
        (crossref, "PUBLIC_LIMITS"),
        (crossref, "POLITE_LIMITS"),
        (openalex, "LIMITS"),
        (europepmc, "LIMITS"),
        (pubmed, "LIMITS"),
    ):
        monkeypatch.setattr(module, name, fast)


@pytest.fixture
def replay(
    server: Server, replay_data: Replay, monkeypatch: pytest.MonkeyPatch, fast_limits: None
) -> Server:
    """The server answering as the four APIs, with the fetcher pointed at it."""
    server.handler = replay_data.answer
    for name in ("crossref", "openalex", "europepmc", "pubmed"):
        monkeypatch.setenv(f"APPRAISE_{name.upper()}_URL", server.url(f"/{name}"))
    return server
