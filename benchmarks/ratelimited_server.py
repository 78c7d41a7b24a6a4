"""Local stand-ins for the four bibliographic APIs that enforce each one's limits, for the fetch
benchmark.

Each API listens on its own port on 127.0.0.1 (so the client's per-host limiters see four hosts,
as in real use) and holds the same synthetic works: DOIs ``10.5555/bench.NNNNN``, each with a
PMID; one in twenty is outside biomedicine (not in Europe PMC or PubMed), one in ten is open
access with a full text in Europe PMC. The answers are the recorded responses in
../shared/fixtures with the identifiers substituted, in the shapes the APIs send for a single
work and for a batch:

* Crossref: ``/works/{doi}`` (a ``work`` message) and ``/works?filter=doi:a,doi:b&rows=N`` (a
  ``work-list``, each item with a ``score``), with the polite pool's headers;
* OpenAlex: ``/works/doi:{doi}`` and ``/works?filter=doi:a|b&per-page=N`` (``meta`` and
  ``results``, DOIs as ``https://doi.org/`` URLs);
* Europe PMC: ``/search?query=DOI:"a" OR DOI:"b"&resultType=core`` (``resultList.result``) and
  ``/{PMCID}/fullTextXML`` (JATS);
* PubMed: ``esearch.fcgi?term=a[doi] OR b[doi]`` (``esearchresult.idlist``) and
  ``efetch.fcgi?id=a,b`` (a ``PubmedArticleSet``).

Results come in an order of their own (by id), not the order asked. Limits are enforced by
arrival time, the kernel's receive time of the request's packet (as a real API's front end
stamps it, however late this process gets round to it): a request that would make more than N
admitted arrivals in any window (or more than the cap in flight, or more than a lane's own
limit) is answered 429 with ``Retry-After: 1`` at once; an admitted one is answered after a
fixed service time. The stand-ins stop themselves after ``max_seconds``.

:class:`ApisProcess` runs them in a process of their own (``python3 ratelimited_server.py``),
as real APIs are, so that building their answers does not hold up the client's threads.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import copy
import io
import json
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

TEMPLATES = {
    "crossref": Path("fixtures", "crossref", "works_10.1371_journal.pone.0033693.json"),
    "openalex": Path("fixtures", "openalex", "work_W2741809807_10.7717_peerj.4375.json"),
    "openalex-list": Path(
        "fixtures", "openalex", "list_works_cursor_page1_W2755950973_W2741809807.json"
    ),
    "europepmc": Path("fixtures", "europepmc", "search", "pyeuropepmc_search_cancer_core.json"),
    "europepmc-empty": Path(
        "fixtures", "europepmc", "search", "pyeuropepmc_search_no_results.json"
    ),
    "fulltext": Path(
        "fixtures", "europepmc", "fulltextxml", "PMC13254492_rct_bcpt_coi-untyped-sec.xml"
    ),
    "pubmed": Path("fixtures", "pubmed", "efetch_pmid28731372_rct_coi_refs_metapub.xml"),
}
PREFIX = "10.5555/bench."
_BENCH_DOI = re.compile(r"^10\.5555/bench\.(\d+)$", re.IGNORECASE)
# The headers Crossref sends (as recorded in fixtures/crossref/headers), with the polite pool's
# figures: the recorded answers are from the public pool (5/s, 1 in flight).
CROSSREF_POLITE_HEADERS = {
    "x-api-pool": "polite",
    "x-rate-limit-limit": "10",
    "x-rate-limit-interval": "1s",
    "x-concurrency-limit": "3",
}
# (requests, seconds) windows
Window = tuple[int, float]


def bench_doi(i: int) -> str:
    return f"{PREFIX}{i:05d}"


@dataclass(frozen=True)
class Works:
    """The synthetic works every stand-in holds, by index."""

    biomedical_every: int = 20  # one in 20 is not in Europe PMC or PubMed
    open_access_every: int = 10  # one in 10 has a full text

    @staticmethod
    def index(doi: str) -> int | None:
        match = _BENCH_DOI.match(doi.strip())
        return int(match.group(1)) if match else None

    def biomedical(self, i: int) -> bool:
        return i % self.biomedical_every != self.biomedical_every - 1

    def open_access(self, i: int) -> bool:
        return self.biomedical(i) and i % self.open_access_every == 3

    @staticmethod
    def pmid(i: int) -> str:
        return str(40_000_000 + i)

    @staticmethod
    def pmcid(i: int) -> str:
        return f"PMC{90_000_000 + i}"

    def pmid_index(self, pmid: str) -> int | None:
        if not pmid.isdigit() or int(pmid) < 40_000_000:
            return None
        i = int(pmid) - 40_000_000
        return i if self.biomedical(i) else None


@dataclass
class ApiStats:
    requests: int = 0
    ok: int = 0
    not_found: int = 0
    rate_limited: int = 0
    max_in_flight: int = 0
    limited_by: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)  # admitted requests by kind

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "http_429": self.rate_limited,
            "http_429_by_limit": dict(self.limited_by),
            "not_found": self.not_found,
            "max_in_flight": self.max_in_flight,
            "by_kind": dict(self.kinds),
        }


Answer = tuple[int, bytes, str]  # status, body, content type


@dataclass
class Api:
    """One API's limits and answers."""

    name: str
    windows: list[Window]
    concurrency: int | None  # None: no cap on requests in flight
    answer: Callable[[str, dict[str, str]], Answer]
    kind: Callable[[str, dict[str, str]], str]  # "list", "single", "fulltext", ...
    lanes: dict[str, Window] = field(default_factory=dict)  # kind -> a lower limit of its own
    headers: dict[str, str] = field(default_factory=dict)


class StandIn:
    """One API on its own port: admits by arrival time, answers after ``latency``."""

    def __init__(self, api: Api, latency: float) -> None:
        self.api = api
        self.latency = latency
        self.stats = ApiStats()
        self._lock = threading.Lock()
        # admitted arrivals, in order of arrival (requests are handled a little out of order)
        self._arrivals: list[float] = []
        self._lane_arrivals: dict[str, list[float]] = {kind: [] for kind in api.lanes}
        self._keep = 2 * max(seconds for _, seconds in [*api.windows, *api.lanes.values()])
        self._in_flight = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # Linux turns packet timestamps on a moment after the first socket asks: ask now, so
        # that the first requests are stamped on arrival too.
        with contextlib.suppress(OSError):
            self._server.socket.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def reset_stats(self) -> ApiStats:
        with self._lock:
            old, self.stats = self.stats, ApiStats()
        return old

    def admit(self, kind: str, arrived: float) -> bool:
        """Count this arrival in; False (a 429) if it breaks a window, a lane or the cap."""
        with self._lock:
            self.stats.requests += 1
            over = _over(self._arrivals, self.api.windows, arrived)
            lane = self.api.lanes.get(kind)
            if (
                over is None
                and lane is not None
                and (_over(self._lane_arrivals[kind], [lane], arrived) is not None)
            ):
                over = f"{kind} {lane[0]}/{lane[1]:g}s"
            cap = self.api.concurrency
            if over is None and cap is not None and self._in_flight >= cap:
                over = f"{cap} in flight"
            if over is not None:
                self.stats.rate_limited += 1
                self.stats.limited_by[over] += 1
                return False
            _insert(self._arrivals, arrived, self._keep)
            if lane is not None:
                _insert(self._lane_arrivals[kind], arrived, self._keep)
            self._in_flight += 1
            self.stats.max_in_flight = max(self.stats.max_in_flight, self._in_flight)
            self.stats.kinds[kind] += 1
            return True

    def done(self, status: int) -> None:
        with self._lock:
            self._in_flight -= 1
            if status == 200:
                self.stats.ok += 1
            else:
                self.stats.not_found += 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One segment per response: headers and body written apart would stall each
            # response on the peer's delayed ACK (~40 ms), a cost no real API has.
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def setup(self) -> None:
                super().setup()
                self.stamps = _StampedReader(self.connection)
                self.rfile = io.BufferedReader(self.stamps)

            def do_GET(self) -> None:
                arrived = self.stamps.received or time.time()
                parts = urlsplit(self.path)
                path = unquote(parts.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                kind = stand_in.api.kind(path, query)
                if not stand_in.admit(kind, arrived):
                    body = b'{"status":"error","message":"rate limit exceeded"}'
                    self._send(429, body, "application/json", {"retry-after": "1"})
                    return
                time.sleep(stand_in.latency)
                status, body, content_type = stand_in.api.answer(path, query)
                # The slot is free once the answer is ready: a client that starts its next
                # request the moment this one arrives must not find it still taken.
                stand_in.done(status)
                self._send(status, body, content_type)

            def _send(
                self, status: int, body: bytes, kind: str, extra: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                headers = {**stand_in.api.headers, **(extra or {}), "content-type": kind}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the benchmark reports the counts."""

        return Handler


def _over(arrivals: list[float], windows: list[Window], arrived: float) -> str | None:
    """The window an arrival at ``arrived`` would break, named ("10/1s"), or None: whether
    any window of that length holding it would hold more than its count, with the admitted
    arrivals before and after it (requests are handled a little out of their arrival order)."""
    for count, seconds in windows:
        at = bisect.bisect(arrivals, arrived)
        around = [*arrivals[max(0, at - count) : at], arrived, *arrivals[at : at + count]]
        if any(b - a < seconds for a, b in zip(around, around[count:], strict=False)):
            return f"{count}/{seconds:g}s"
    return None


def _insert(arrivals: list[float], arrived: float, keep: float) -> None:
    bisect.insort(arrivals, arrived)
    while arrivals and arrivals[0] < arrivals[-1] - keep:
        arrivals.pop(0)


SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux


class _StampedReader(io.RawIOBase):
    """Reads a connection and keeps the kernel's receive time of the last packet read: when
    the request reached the host, as a real API's front end stamps it, however late this
    process gets round to it on a busy machine."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.received: float | None = None
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            self.stamped = True
        except OSError:
            self.stamped = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.stamped:
            read = self.sock.recv_into(buffer)
            self.received = time.time()
            return read
        read, ancillary, _flags, _address = self.sock.recvmsg_into([buffer], socket.CMSG_SPACE(16))
        self.received = time.time()
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
                seconds, nanoseconds = struct.unpack("qq", data[:16])
                self.received = seconds + nanoseconds / 1e9
        return read


class FourApis:
    """Crossref, OpenAlex, Europe PMC and PubMed stand-ins; use as a context manager.

    Limits (as the issue and the APIs' documents give them): Crossref's polite pool 10/s with 3
    in flight and its list queries about 3/s; OpenAlex 10/s; Europe PMC 10/s; PubMed 3/s
    without an API key.
    """

    def __init__(
        self,
        shared: Path,
        *,
        latency: float = 0.2,
        works: Works | None = None,
        max_seconds: float = 900.0,
    ) -> None:
        self.works = works or Works()
        self._templates = _Templates(shared)
        answers = _Answers(self.works, self._templates)
        self.apis = {
            "crossref": StandIn(
                Api(
                    "crossref",
                    [(10, 1.0)],
                    3,
                    answers.crossref,
                    _list_or_single,
                    lanes={"list": (3, 1.0)},
                    headers=CROSSREF_POLITE_HEADERS,
                ),
                latency,
            ),
            "openalex": StandIn(
                Api("openalex", [(10, 1.0)], None, answers.openalex, _list_or_single), latency
            ),
            "europepmc": StandIn(
                Api("europepmc", [(10, 1.0)], None, answers.europepmc, _europepmc_kind), latency
            ),
            "pubmed": StandIn(
                Api("pubmed", [(3, 1.0)], None, answers.pubmed, _pubmed_kind), latency
            ),
        }
        self._deadline = threading.Timer(max_seconds, self._stop_all)

    def urls(self) -> dict[str, str]:
        return {name: stand_in.url for name, stand_in in self.apis.items()}

    def reset_stats(self) -> dict[str, ApiStats]:
        """Start counting afresh (between phases); returns each API's counts so far."""
        return {name: stand_in.reset_stats() for name, stand_in in self.apis.items()}

    def __enter__(self) -> FourApis:
        for stand_in in self.apis.values():
            stand_in.start()
        self._deadline.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._deadline.cancel()
        self._stop_all()

    def _stop_all(self) -> None:
        for stand_in in self.apis.values():
            stand_in.stop()


def _list_or_single(path: str, query: dict[str, str]) -> str:
    return "list" if path == "/works" else "single"


def _europepmc_kind(path: str, query: dict[str, str]) -> str:
    if path.endswith("/fullTextXML"):
        return "fulltext"
    return "list" if " OR " in query.get("query", "") else "single"


def _pubmed_kind(path: str, query: dict[str, str]) -> str:
    tool = path.rsplit("/", 1)[-1].removesuffix(".fcgi")
    many = " OR " in query.get("term", "") or "," in query.get("id", "")
    return f"{tool} {'list' if many else 'single'}"


class _Templates:
    """The recorded responses the answers are made from, read once."""

    def __init__(self, shared: Path) -> None:
        def read(name: str) -> str:
            return (shared / TEMPLATES[name]).read_text(encoding="utf-8")

        self.crossref: dict[str, Any] = json.loads(read("crossref"))
        self.openalex: dict[str, Any] = json.loads(read("openalex"))
        self.openalex_meta: dict[str, Any] = json.loads(read("openalex-list"))["meta"]
        core = json.loads(read("europepmc"))
        self.europepmc_page = {k: v for k, v in core.items() if k != "resultList"}
        self.europepmc_hit: dict[str, Any] = core["resultList"]["result"][0]
        self.europepmc_empty = read("europepmc-empty").encode()
        self.fulltext = read("fulltext")
        pubmed = read("pubmed")
        match = re.search(r"<PubmedArticle>.*?</PubmedArticle>", pubmed, re.S)
        assert match is not None, "the PubMed template has no <PubmedArticle>"
        self.pubmed_article = match.group(0)


class _Answers:
    """What each API answers, built from the templates for the synthetic works."""

    def __init__(self, works: Works, templates: _Templates) -> None:
        self.works = works
        self.t = templates
        self._cache: dict[tuple[str, int], Any] = {}
        self._lock = threading.Lock()

    def _memo(self, kind: str, i: int, build: Callable[[int], Any]) -> Any:
        with self._lock:
            if (kind, i) not in self._cache:
                self._cache[(kind, i)] = build(i)
            return self._cache[(kind, i)]

    # --- Crossref ----------------------------------------------------------------------------
    def _crossref_work(self, i: int) -> dict[str, Any]:
        work = copy.deepcopy(self.t.crossref["message"])
        work["DOI"] = bench_doi(i)
        work["URL"] = f"https://doi.org/{bench_doi(i)}"
        work.get("resource", {}).get("primary", {})["URL"] = f"https://example.org/{i}"
        return dict(work)

    def crossref(self, path: str, query: dict[str, str]) -> Answer:
        if path == "/works" and "filter" in query:
            asked = [f.removeprefix("doi:") for f in query["filter"].split(",")]
            found = sorted({i for d in asked if (i := Works.index(d)) is not None})
            items = [
                {**self._memo("crossref", i, self._crossref_work), "score": 1.0} for i in found
            ]
            body = {
                "status": "ok",
                "message-type": "work-list",
                "message-version": "1.0.0",
                "message": {
                    "facets": {},
                    "total-results": len(items),
                    "items": items,
                    "items-per-page": int(query.get("rows", 20)),
                    "query": {"start-index": 0, "search-terms": None},
                },
            }
            return 200, json.dumps(body).encode(), "application/json"
        i = Works.index(path.removeprefix("/works/"))
        if i is None:
            return 404, b"Resource not found.", "text/plain"
        body = {**self.t.crossref, "message": self._memo("crossref", i, self._crossref_work)}
        return 200, json.dumps(body).encode(), "application/json"

    # --- OpenAlex ----------------------------------------------------------------------------
    def _openalex_work(self, i: int) -> dict[str, Any]:
        work = copy.deepcopy(self.t.openalex)
        work["id"] = f"https://openalex.org/W{7_000_000_000 + i}"
        work["doi"] = f"https://doi.org/{bench_doi(i)}"
        ids = {"openalex": work["id"], "doi": work["doi"]}
        if self.works.biomedical(i):
            ids["pmid"] = f"https://pubmed.ncbi.nlm.nih.gov/{Works.pmid(i)}"
        if self.works.open_access(i):
            ids["pmcid"] = f"https://www.ncbi.nlm.nih.gov/pmc/articles/{Works.pmcid(i)[3:]}"
        work["ids"] = ids
        return dict(work)

    def openalex(self, path: str, query: dict[str, str]) -> Answer:
        if path == "/works" and query.get("filter", "").startswith("doi:"):
            asked = query["filter"].removeprefix("doi:").split("|")
            found = sorted({i for d in asked if (i := Works.index(_bare(d))) is not None})
            works = [self._memo("openalex", i, self._openalex_work) for i in found]
            per_page = int(query.get("per-page", 25))
            meta = {**self.t.openalex_meta, "count": len(works), "per_page": per_page}
            meta["next_cursor"] = None
            body = {"meta": meta, "results": works, "group_by": []}
            return 200, json.dumps(body).encode(), "application/json"
        key = path.removeprefix("/works/")
        i = Works.index(key.removeprefix("doi:")) if key.startswith("doi:") else None
        if i is None:
            return 404, b'{"error": "404 Not Found"}', "application/json"
        return (
            200,
            json.dumps(self._memo("openalex", i, self._openalex_work)).encode(),
            ("application/json"),
        )

    # --- Europe PMC --------------------------------------------------------------------------
    def _europepmc_hit(self, i: int) -> dict[str, Any]:
        hit = copy.deepcopy(self.t.europepmc_hit)
        pmid = Works.pmid(i)
        hit.update(id=pmid, source="MED", pmid=pmid, doi=bench_doi(i))
        if self.works.open_access(i):
            hit.update(pmcid=Works.pmcid(i), isOpenAccess="Y", inEPMC="Y", inPMC="Y")
        return dict(hit)

    def europepmc(self, path: str, query: dict[str, str]) -> Answer:
        if path == "/search":
            asked = re.findall(r'DOI:"([^"]+)"', query.get("query", ""))
            found = sorted(
                i
                for i in {Works.index(d) for d in asked}
                if i is not None and self.works.biomedical(i)
            )
            if not found:
                return 200, self.t.europepmc_empty, "application/json"
            hits = [self._memo("europepmc", i, self._europepmc_hit) for i in found]
            request = {
                **self.t.europepmc_page.get("request", {}),
                "queryString": query.get("query", ""),
                "pageSize": int(query.get("pageSize", 25)),
            }
            body = {
                **self.t.europepmc_page,
                "hitCount": len(hits),
                "request": request,
                "resultList": {"result": hits},
            }
            body.pop("nextCursorMark", None)
            body.pop("nextPageUrl", None)
            return 200, json.dumps(body).encode(), "application/json"
        match = re.fullmatch(r"/PMC(\d+)/fullTextXML", path)
        i = int(match.group(1)) - 90_000_000 if match else None
        if i is None or i < 0 or not self.works.open_access(i):
            return 404, b"<error>not found</error>", "application/xml"
        return 200, self._memo("fulltext", i, self._fulltext).encode(), "application/xml"

    def _fulltext(self, i: int) -> str:
        text = self.t.fulltext
        for kind, value in (
            ("pmcid", Works.pmcid(i)),
            ("pmid", Works.pmid(i)),
            ("doi", bench_doi(i)),
        ):
            text = re.sub(
                rf'(<article-id pub-id-type="{kind}">)[^<]+(</article-id>)',
                rf"\g<1>{value}\g<2>",
                text,
                count=1,
            )
        return text

    # --- PubMed ------------------------------------------------------------------------------
    def pubmed(self, path: str, query: dict[str, str]) -> Answer:
        if path.endswith("/esearch.fcgi"):
            terms = [t.strip().removesuffix("[doi]") for t in query.get("term", "").split(" OR ")]
            ids = sorted(
                Works.pmid(i)
                for i in {Works.index(t) for t in terms}
                if i is not None and self.works.biomedical(i)
            )
            body = {
                "header": {"type": "esearch", "version": "0.3"},
                "esearchresult": {
                    "count": str(len(ids)),
                    "retmax": str(len(ids)),
                    "retstart": "0",
                    "idlist": ids,
                    "translationset": [],
                    "querytranslation": query.get("term", ""),
                },
            }
            return 200, json.dumps(body).encode(), "application/json"
        if path.endswith("/efetch.fcgi"):
            asked = query.get("id", "").split(",")
            found = sorted(
                {i for p in asked if (i := self.works.pmid_index(p.strip())) is not None}
            )
            articles = "\n".join(self._memo("pubmed", i, self._pubmed_article) for i in found)
            xml = (
                '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD '
                'PubMedArticle, 1st January 2025//EN" '
                '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
                f"<PubmedArticleSet>\n{articles}\n</PubmedArticleSet>\n"
            )
            return 200, xml.encode(), "text/xml"
        return 404, b"<error>unknown tool</error>", "text/xml"

    def _pubmed_article(self, i: int) -> str:
        head, _, references = self.t.pubmed_article.partition("<ReferenceList>")
        pmid = Works.pmid(i)
        head = re.sub(r'(<PMID Version="1">)\d+(</PMID>)', rf"\g<1>{pmid}\g<2>", head, count=1)
        for kind, value in (("pubmed", pmid), ("doi", bench_doi(i))):
            head = re.sub(
                rf'(<ArticleId IdType="{kind}">)[^<]+(</ArticleId>)',
                rf"\g<1>{value}\g<2>",
                head,
            )
        pmc = Works.pmcid(i) if self.works.open_access(i) else None
        head = re.sub(
            r'<ArticleId IdType="pmc">[^<]+</ArticleId>',
            f'<ArticleId IdType="pmc">{pmc}</ArticleId>' if pmc else "",
            head,
        )
        head = re.sub(
            r'<ELocationID EIdType="doi"[^>]*>[^<]+</ELocationID>',
            f'<ELocationID EIdType="doi" ValidYN="Y">{bench_doi(i)}</ELocationID>',
            head,
        )
        return head + ("<ReferenceList>" + references if references else "")


def _bare(doi: str) -> str:
    return re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi.strip(), flags=re.IGNORECASE)


class ApisProcess:
    """:class:`FourApis` in a child process; ``reset_stats()`` returns each API's counts as
    :meth:`ApiStats.as_dict` gives them. Use as a context manager."""

    def __init__(self, shared: Path, *, latency: float = 0.2, max_seconds: float = 900.0) -> None:
        self._command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--shared",
            str(shared),
            "--latency",
            str(latency),
            "--max-seconds",
            str(max_seconds),
        ]
        self._process: subprocess.Popen[str] | None = None
        self._urls: dict[str, str] = {}

    def __enter__(self) -> ApisProcess:
        self._process = subprocess.Popen(
            self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self._urls = json.loads(self._ask(None))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def urls(self) -> dict[str, str]:
        return dict(self._urls)

    def reset_stats(self) -> dict[str, dict[str, Any]]:
        counts: dict[str, dict[str, Any]] = json.loads(self._ask("reset"))
        return counts

    def _ask(self, command: str | None) -> str:
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        if command is not None:
            process.stdin.write(command + "\n")
            process.stdin.flush()
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the API stand-ins stopped (see their stderr)")
        return line


def main() -> None:
    """Serve the four stand-ins; print their URLs as one JSON line, then answer each ``reset``
    line on stdin with the counts so far (JSON, one line); stop at the end of stdin."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--shared", type=Path, required=True)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--max-seconds", type=float, default=900.0)
    args = parser.parse_args()
    with FourApis(args.shared, latency=args.latency, max_seconds=args.max_seconds) as apis:
        print(json.dumps(apis.urls()), flush=True)
        for line in sys.stdin:
            if line.strip() == "reset":
                counts = {name: s.as_dict() for name, s in apis.reset_stats().items()}
                print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    main()
