"""Fetch: 1,000 new DOIs from all four sources against stand-ins that enforce each API's limits.

The stand-ins (ratelimited_server.py, in a process of their own) play Crossref (10/s, 3 in
flight, list queries 3/s), OpenAlex (10/s), Europe PMC (10/s) and PubMed (3/s), each on its own
port, answering 200 ms after a request arrives and 429 to any request over a limit. In one
run, on the same servers:

1. a sequential per-DOI client (``requests`` in a loop: per DOI Crossref, OpenAlex, a Europe
   PMC search, the full text when open access, PubMed's esearch and efetch; waiting out a 429's
   Retry-After) on a sample of the DOIs: its rate per DOI is steady, so the sample gives its
   time for the whole batch without spending it;
2. ``appraise.sources.fetch_records`` on every DOI, cold cache, new corpus;
3. the same batch again (warm: the corpus's fetch index and the HTTP cache);
4. ``appraise fetch`` (the CLI, a subprocess) of 10 new DOIs with the network dead: every API
   pointed at a refused port, then at host names that do not resolve.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from common import SHARED, metric, skipped
from ratelimited_server import TEMPLATES, ApisProcess, Works, bench_doi

from appraise.corpus import Corpus

FULL = 1_000
QUICK = 100
BASELINE_SAMPLE = 50
QUICK_BASELINE_SAMPLE = 15
LATENCY = 0.2
MAILTO = "benchmarks@example.org"
OFFLINE_DOIS = 10
HERE = Path(__file__).resolve().parent


def run(quick: bool = False) -> dict[str, Any]:
    shared = Path(SHARED)
    missing = [str(shared / path) for path in TEMPLATES.values() if not (shared / path).exists()]
    if missing:
        return skipped(f"needs {missing[0]}")
    n = QUICK if quick else FULL
    sample_size = QUICK_BASELINE_SAMPLE if quick else BASELINE_SAMPLE
    dois = [bench_doi(i) for i in range(n)]
    metrics: list[dict[str, Any]] = []
    details: dict[str, Any] = {"dois": n, "latency_s": LATENCY, "works": Works().__dict__}
    with (
        ApisProcess(shared, latency=LATENCY) as apis,
        tempfile.TemporaryDirectory(prefix="appraise-bench-fetch-") as tmp,
    ):
        # 1. the sequential per-DOI client, on a sample of the same DOIs
        sample = dois[:sample_size]
        seconds, stats, waits = _timed(apis, lambda: _sequential(apis.urls(), sample))
        per_doi = seconds / len(sample)
        details["sequential"] = _phase(stats, len(sample), seconds)
        details["sequential"]["retry_after_waits"] = waits
        metrics.append(
            metric(
                "sequential per-DOI client",
                per_doi * n,
                "s",
                f"{n:,} DOIs, from {len(sample)} timed ({per_doi:.2f} s per DOI, "
                f"{_total(stats, 'http_429')} 429s)",
            )
        )

        # 2. appraise, cold
        corpus = Corpus(Path(tmp) / "corpus")
        with _pointed_at(apis.urls(), Path(tmp) / "cache"):
            seconds, stats, report = _timed(apis, lambda: _appraise(dois, corpus))
        cold = details["appraise_cold"] = _phase(stats, n, seconds)
        cold["network_requests"] = report.network_requests
        limited = _total(stats, "http_429")
        metrics.append(
            metric(
                f"appraise fetch, {n:,} DOIs, cold",
                seconds,
                "s",
                f"{n / seconds:.1f} records/s; {limited} 429s; requests "
                + ", ".join(f"{name} {s['requests']}" for name, s in stats.items()),
            )
        )
        metrics.append(metric("appraise 429s", limited, "count", "over all four APIs"))
        metrics.append(
            metric(
                "appraise vs sequential client",
                per_doi * n / seconds,
                "x",
                "same servers, same run",
            )
        )

        # 3. the same batch again
        with _pointed_at(apis.urls(), Path(tmp) / "cache"):
            seconds, stats, report = _timed(apis, lambda: _appraise(dois, corpus))
        details["appraise_warm"] = _phase(stats, n, seconds)
        metrics.append(
            metric(
                "appraise fetch, same batch again",
                seconds,
                "s",
                f"{_total(stats, 'requests')} requests reached the servers",
            )
        )

        # 4. a dead network: 10 new DOIs, the corpus from step 2
        new = [f"10.5555/offline.{i}" for i in range(OFFLINE_DOIS)]
        for name, roots in (("refused", _refused_roots()), ("no DNS", _unresolvable_roots())):
            outcome = _dead_network(new, corpus.root, roots, Path(tmp) / f"cache-{name}")
            details[f"dead_network_{name.replace(' ', '_')}"] = outcome
            metrics.append(
                metric(
                    f"dead network ({name}), {OFFLINE_DOIS} DOIs",
                    outcome["seconds"],
                    "s",
                    f"exit {outcome['exit']}; summary {outcome['summary']}; "
                    f"--offline hint {outcome['hint']}; corpus unchanged "
                    f"{outcome['corpus_unchanged']}; longest line {outcome['longest_line']}",
                )
            )
    return {"metrics": metrics, "details": details}


Counts = dict[str, dict[str, Any]]  # per API, as ApiStats.as_dict gives them


def _timed(apis: ApisProcess, work: Callable[[], Any]) -> tuple[float, Counts, Any]:
    time.sleep(1.1)  # let the previous phase's windows expire
    apis.reset_stats()
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, apis.reset_stats(), result


def _total(stats: Counts, key: str) -> int:
    return sum(int(s[key]) for s in stats.values())


def _phase(stats: Counts, n: int, seconds: float) -> dict[str, Any]:
    return {
        "records": n,
        "seconds": round(seconds, 2),
        "records_per_s": round(n / seconds, 2),
        "apis": stats,
    }


def _sequential(urls: dict[str, str], dois: list[str]) -> int:
    """What a script asking one DOI at a time does, one request after another; a 429 is
    waited out (Retry-After) and asked again. Returns the Retry-After waits."""
    waits = 0
    with requests.Session() as session:

        def get(url: str, **params: str) -> requests.Response:
            nonlocal waits
            while True:
                response = session.get(url, params=params, timeout=30)
                if response.status_code != 429:
                    return response
                waits += 1
                time.sleep(float(response.headers.get("retry-after", 1)))

        for doi in dois:
            work = get(f"{urls['crossref']}/works/{doi}", mailto=MAILTO).json()["message"]
            assert work["DOI"] == doi
            get(f"{urls['openalex']}/works/doi:{doi}", mailto=MAILTO)
            search = get(
                f"{urls['europepmc']}/search",
                query=f'DOI:"{doi}"',
                format="json",
                resultType="core",
            ).json()
            for hit in search["resultList"]["result"]:
                if hit.get("isOpenAccess") == "Y" and hit.get("pmcid"):
                    get(f"{urls['europepmc']}/{hit['pmcid']}/fullTextXML")
            found = get(
                f"{urls['pubmed']}/esearch.fcgi", db="pubmed", term=f"{doi}[doi]", retmode="json"
            ).json()["esearchresult"]["idlist"]
            if found:
                get(f"{urls['pubmed']}/efetch.fcgi", db="pubmed", id=found[0], retmode="xml")
    return waits


def _appraise(dois: list[str], corpus: Corpus) -> Any:
    from appraise.sources import fetch_records

    report = fetch_records(dois, corpus, mailto=MAILTO)
    if report.failures or report.incomplete:
        first = (report.failures or report.incomplete)[0]
        raise RuntimeError(f"{len(report.failures)} DOIs failed, e.g. {first}")
    if len(report.saved) != len(dois):
        raise RuntimeError(f"{len(report.saved)} records for {len(dois)} DOIs")
    return report


def _refused_roots() -> dict[str, str]:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return {name: f"http://127.0.0.1:{port}/{name}" for name in _NAMES}


def _unresolvable_roots() -> dict[str, str]:
    return {name: f"https://{name}.appraise.invalid" for name in _NAMES}  # .invalid never does


_NAMES = ("crossref", "openalex", "europepmc", "pubmed")


def _dead_network(
    dois: list[str], corpus: Path, roots: dict[str, str], cache: Path
) -> dict[str, Any]:
    """``appraise fetch`` of ``dois`` with every API unreachable: how long it takes to fail,
    what it prints, and whether the corpus is as it was."""
    env = {
        **os.environ,
        "PYTHONPATH": str(HERE.parent),
        "APPRAISE_CACHE_DIR": str(cache),
        **{f"APPRAISE_{name.upper()}_URL": url for name, url in roots.items()},
    }
    before = _snapshot(corpus)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "appraise", "fetch", *dois, "-c", str(corpus)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds = time.perf_counter() - started
    lines = done.stderr.strip().splitlines()
    return {
        "seconds": round(seconds, 2),
        "exit": done.returncode,
        "summary": any(f"0 of {len(dois)} record(s) saved" in line for line in lines),
        "hint": "--offline" in done.stderr,
        "corpus_unchanged": _snapshot(corpus) == before,
        "lines": len(lines),
        "longest_line": max((len(line) for line in lines), default=0),
        "traceback": "Traceback" in done.stderr,
        "stderr_tail": lines[-3:],
    }


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@contextmanager
def _pointed_at(urls: dict[str, str], cache: Path) -> Iterator[None]:
    names = {f"APPRAISE_{name.upper()}_URL": url for name, url in urls.items()}
    names["APPRAISE_CACHE_DIR"] = str(cache)
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
