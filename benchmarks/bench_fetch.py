"""Fetch: 1,000 DOIs through appraise's HTTP layer against a rate-limited Crossref stand-in.

The stand-in (ratelimited_server.py) enforces 10 requests/s and 3 in flight, sends Crossref's
headers and answers 429 past either limit; each answer takes a fixed service latency. The same
server, in the same run, serves:

1. a plain sequential client (requests in a loop), and habanero's ``Crossref().works()`` if it
   is installed: the peers' baseline, on a sample of the DOIs (their rate is steady);
2. ``appraise.sources.fetch_records`` on every DOI, with a cold HTTP cache (OpenAlex, Europe PMC
   and PubMed are pointed at a local server that holds nothing, so Crossref sets the pace);
3. the same batch again, served from appraise's warm cache.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from common import SHARED, metric, skipped
from elsewhere_server import NotHereServer
from ratelimited_server import TEMPLATE, RateLimitedCrossref, ServerStats

from appraise.corpus import Corpus

FULL = 1_000
QUICK = 100
BASELINE_SAMPLE = 150
RATE = 10
LATENCY = 0.25
MAILTO = "benchmarks@example.org"


def run(quick: bool = False) -> dict[str, Any]:
    shared = Path(SHARED)
    if not (shared / TEMPLATE).exists():
        return skipped(f"needs {shared / TEMPLATE}")
    n = QUICK if quick else FULL
    dois = [f"10.5555/fetch.{i:05d}" for i in range(n)]
    metrics: list[dict[str, Any]] = []
    details: dict[str, Any] = {"dois": n, "advertised_rate": RATE, "latency_s": LATENCY}
    with (
        RateLimitedCrossref(shared, rate=RATE, concurrency=3, latency=LATENCY) as crossref,
        NotHereServer() as elsewhere,
        tempfile.TemporaryDirectory(prefix="appraise-bench-fetch-") as tmp,
    ):
        sample = dois[: min(n, BASELINE_SAMPLE)]
        plain_rate, plain_stats = _timed(crossref, lambda: _plain_loop(crossref.url, sample))
        details["requests_loop"] = _phase(plain_stats, len(sample), plain_rate)
        metrics.append(
            metric("requests in a loop", plain_rate, "records/s", f"{len(sample)} DOIs, sequential")
        )
        habanero_rate = _habanero(crossref, sample)
        if habanero_rate is not None:
            rate, stats = habanero_rate
            details["habanero"] = _phase(stats, len(sample), rate)
            metrics.append(metric("habanero works()", rate, "records/s", f"{len(sample)} DOIs"))

        with _pointed_at(crossref.url, elsewhere.url, Path(tmp) / "cache"):
            corpus = Corpus(Path(tmp) / "corpus")
            cold_rate, cold_stats = _timed(crossref, lambda: _appraise(dois, corpus))
            details["appraise_cold"] = _phase(cold_stats, n, cold_rate)
            after_first = cold_stats.limited_after_first_response()
            metrics.append(
                metric(
                    "appraise, cold cache",
                    cold_rate,
                    "records/s",
                    f"{cold_rate / RATE:.0%} of the advertised {RATE}/s; "
                    f"{after_first} 429s after the first response",
                )
            )
            metrics.append(
                metric(
                    "appraise vs requests loop",
                    cold_rate / plain_rate,
                    "x",
                    "same server, same run",
                )
            )
            if habanero_rate is not None:
                metrics.append(
                    metric(
                        "appraise vs habanero",
                        cold_rate / habanero_rate[0],
                        "x",
                        "same server, same run",
                    )
                )
            warm_rate, warm_stats = _timed(crossref, lambda: _appraise(dois, corpus))
            details["appraise_warm"] = _phase(warm_stats, n, warm_rate)
            metrics.append(
                metric(
                    "appraise, warm cache",
                    warm_rate,
                    "records/s",
                    f"{warm_stats.requests} requests reached the server",
                )
            )
    return {"metrics": metrics, "details": details}


def _timed(server: RateLimitedCrossref, work: Any) -> tuple[float, ServerStats]:
    time.sleep(1.1)  # let the previous phase's window expire
    server.reset_stats()
    started = time.perf_counter()
    done = work()
    seconds = time.perf_counter() - started
    return done / seconds, server.reset_stats()


def _phase(stats: ServerStats, n: int, rate: float) -> dict[str, Any]:
    return {
        "records": n,
        "records_per_s": round(rate, 2),
        "requests": stats.requests,
        "http_429": stats.rate_limited,
        "http_429_after_first_response": stats.limited_after_first_response(),
        "max_in_flight": stats.max_in_flight,
        "http_429_by_limit": dict(stats.limited_by),
    }


def _plain_loop(base: str, dois: list[str]) -> int:
    """What most scripts do: one request after another, a record per 200."""
    got = 0
    with requests.Session() as session:
        for doi in dois:
            response = session.get(f"{base}/works/{doi}", params={"mailto": MAILTO}, timeout=30)
            got += response.status_code == 200 and response.json()["message"]["DOI"] == doi
    return got


def _habanero(server: RateLimitedCrossref, dois: list[str]) -> tuple[float, ServerStats] | None:
    try:
        from habanero import Crossref
    except ImportError:
        return None
    client = Crossref(base_url=server.url, mailto=MAILTO)

    def fetch() -> int:
        return sum(client.works(ids=doi)["message"]["DOI"] == doi for doi in dois)

    return _timed(server, fetch)


def _appraise(dois: list[str], corpus: Corpus) -> int:
    from appraise.sources import fetch_records

    report = fetch_records(dois, corpus, mailto=MAILTO, progress=False)
    if report.failures:
        raise RuntimeError(f"{len(report.failures)} DOIs failed: {report.failures[0].reason}")
    return len(report.saved)


@contextmanager
def _pointed_at(crossref: str, elsewhere: str, cache: Path) -> Iterator[None]:
    names = {
        "APPRAISE_CROSSREF_URL": crossref,
        "APPRAISE_OPENALEX_URL": elsewhere,
        "APPRAISE_EUROPEPMC_URL": elsewhere,
        "APPRAISE_PUBMED_URL": elsewhere,
        "APPRAISE_CACHE_DIR": str(cache),
    }
    before = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
