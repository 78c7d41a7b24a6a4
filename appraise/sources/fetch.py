"""Fetch study records by DOI, PMID or PMCID from the four sources and save them merged.

DOIs are asked in batches wherever an API takes several ids in one request (Crossref's and
OpenAlex's DOI filters, a Europe PMC search with the DOIs OR-ed, PubMed's esearch and efetch);
what a batch did not return is asked for one DOI at a time, and Europe PMC full texts one
article at a time. A batch of DOIs moves through three steps: the three DOI-keyed sources at
once, then PubMed (whose PMIDs the others mostly supply), then for each study whatever is
left, after which its record is merged and written. Batches run concurrently; the per-host
limiters in the HTTP layer keep every API within its limits however many run.

Each record is written to the corpus (atomically) as soon as it is merged, so an interrupted
batch keeps everything it finished. A source that does not hold a work is a note, not a
failure; a record fails only when no source supplied anything. A source whose host does not
resolve or refuses connections is not asked again in the run. The library prints nothing:
progress goes to the ``progress`` callback.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal

from appraise.corpus import Corpus
from appraise.errors import AppraiseError, NotFoundError, SourceError
from appraise.files import loads_json
from appraise.ids import StudyId, unique_identifiers
from appraise.models import Retrieval, StudyRecord
from appraise.sources import crossref, europepmc, openalex, pubmed
from appraise.sources.fields import Fields
from appraise.sources.http import (
    HttpClient,
    HttpSettings,
    NotCached,
    NotFound,
    Response,
    Unreachable,
    contact_address,
)
from appraise.sources.merge import CROSSREF, EUROPEPMC, OPENALEX, PUBMED, merge
from appraise.sources.registry import SOURCES, Source, roots

# Workers mostly wait on the per-host limiters; enough of them keeps every API's allowance in
# use while others parse, merge and write.
MAX_WORKERS = 16
# Batches in their first two steps at once: enough to keep the slowest lane (Crossref's list
# queries, ~3/s) busy while the others' answers are used.
MAX_BATCHES = 4
FULLTEXT = "europepmc-fulltext"
DISPLAY = {
    **{name: source.label for name, source in SOURCES.items()},
    FULLTEXT: "Europe PMC full text",
}
# The sources asked by DOI, in the order a record's fields are merged from.
_BY_DOI = (CROSSREF, OPENALEX, EUROPEPMC)
_ORDER = (CROSSREF, OPENALEX, EUROPEPMC, PUBMED)

Progress = Callable[[str, int, int], None]
"""``progress(identifier, done, total)``, called once per identifier as it is settled."""


@dataclass
class Saved:
    identifier: str
    record: StudyRecord
    path: Path
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    from_corpus: bool = False  # taken from the corpus as it was (offline, or a rerun)
    written: bool = True  # False when the merged record equalled the stored one

    @property
    def complete(self) -> bool:
        """No source failed (a source that does not hold the work is not a failure)."""
        return not self.problems


@dataclass
class Failure:
    identifier: str
    reason: str
    kind: Literal["not-found", "error"]


@dataclass
class FetchReport:
    saved: list[Saved] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    network_requests: int = 0
    # sources that could not be reached in this run: label -> why ("connection refused")
    unreachable: dict[str, str] = field(default_factory=dict)

    @property
    def incomplete(self) -> list[Saved]:
        return [s for s in self.saved if not s.complete]

    @property
    def written(self) -> list[Saved]:
        return [s for s in self.saved if s.written and not s.from_corpus]

    @property
    def ok(self) -> bool:
        return not self.failures and not self.incomplete


class _Attempts:
    """What each source gave for one study: fields, retrieval stamps, notes and problems."""

    def __init__(self) -> None:
        self.parts: dict[str, Fields] = {}
        self.retrieved: dict[str, Retrieval] = {}
        self.not_found: list[str] = []
        self.problems: list[str] = []
        self.not_cached: list[str] = []
        self.unreachable: list[str] = []
        self.asked: set[str] = set()  # labels settled (answered, absent or failed)

    def run(
        self, source: str, call: Callable[[], tuple[Response, Fields]], label: str | None = None
    ) -> Fields | None:
        """Call one source; ``label`` names the request in reports and retrieval stamps when
        a source answers more than one (Europe PMC's search and its full text)."""
        label = label or source
        self.asked.add(label)
        now = datetime.now(UTC).replace(microsecond=0)
        try:
            response, fields = call()
        except NotFound as missing:
            self.absent(label, missing.url, missing.fetched_at)
            return None
        except NotCached:
            self.not_cached.append(label)
            return None
        except SourceError as exc:
            self.failed(label, exc, now)
            return None
        self.answered(source, fields, response.fetched_at, response.url, label)
        return fields

    def answered(
        self, source: str, fields: Fields, when: datetime, url: str, label: str | None = None
    ) -> None:
        label = label or source
        self.asked.add(label)
        self.retrieved[label] = Retrieval(when=when, url=url)
        existing = self.parts.setdefault(source, {})
        for name, value in fields.items():
            existing.setdefault(name, value)

    def absent(self, label: str, url: str, when: datetime) -> None:
        self.asked.add(label)
        self.not_found.append(label)
        self.not_found.sort(key=_RETRIEVED.index)  # in one order, however answers arrived
        self.retrieved[label] = Retrieval(when=when, url=url, status="not found")

    def failed(self, label: str, exc: SourceError, when: datetime | None = None) -> None:
        self.asked.add(label)
        self.problems.append(exc.message)
        if isinstance(exc, Unreachable):
            self.unreachable.append(label)
        when = when or datetime.now(UTC).replace(microsecond=0)
        self.retrieved[label] = Retrieval(when=when, status=f"error: {exc.message}")

    def known(self, name: str) -> str | None:
        for source in _ORDER:
            if value := self.parts.get(source, {}).get(name):
                return str(value)
        return None

    def ordered_parts(self) -> dict[str, Fields]:
        """The fields per source in one fixed order, however the answers arrived."""
        return {s: self.parts[s] for s in _ORDER if self.parts.get(s)}


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# A batch of DOIs moves through the pipeline together: as many as the strictest batch takes.
BATCH = min(SOURCES[name].batch_size for name in _BY_DOI)


class _Tracker:
    """Counts settled identifiers and reports each to the caller's progress callback."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._total = total
        self._done = 0
        self._lock = threading.Lock()

    def settled(self, identifier: str) -> None:
        with self._lock:
            self._done += 1
            done = self._done
        if self._progress is not None:
            self._progress(identifier, done, self._total)


def _leave_ctrl_c_to_main_thread() -> None:
    """A worker blocks SIGINT, so Ctrl-C is delivered to the main thread: one handed to a worker
    would leave the main thread waiting on the futures until a stalled request ended."""
    if hasattr(signal, "pthread_sigmask"):  # POSIX
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


class _Run:
    """One fetch run: the client, the roots, the worker threads and the corpus writes."""

    def __init__(
        self, corpus: Corpus, client: HttpClient, source_roots: dict[str, str], tracker: _Tracker
    ) -> None:
        self.corpus = corpus
        self.client = client
        self.roots = source_roots
        self.tracker = tracker
        self.workers = ThreadPoolExecutor(
            MAX_WORKERS, thread_name_prefix="fetch", initializer=_leave_ctrl_c_to_main_thread
        )
        self.batches = ThreadPoolExecutor(
            MAX_BATCHES, thread_name_prefix="fetch-batch", initializer=_leave_ctrl_c_to_main_thread
        )
        for name, source in SOURCES.items():  # hosts shared by two APIs start at the stricter
            client.limiter(self.roots[name], source.limits(client))

    def fetch(self, studies: list[StudyId]) -> dict[StudyId, Saved | Failure]:
        by_doi = [s for s in studies if s.kind == "doi"]
        futures: list[Future[dict[StudyId, Saved | Failure]]] = [
            self.batches.submit(self._batch, chunk) for chunk in _chunks(by_doi, BATCH)
        ]
        futures += [self.workers.submit(self._alone, s) for s in studies if s.kind != "doi"]
        outcomes: dict[StudyId, Saved | Failure] = {}
        for future in as_completed(futures):
            outcomes.update(future.result())
        return outcomes

    def stop(self) -> None:
        """Ctrl-C: start nothing more; what is in flight ends at its next request."""
        self.client.cancel()
        self.batches.shutdown(wait=False, cancel_futures=True)
        self.workers.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self.batches.shutdown()
        self.workers.shutdown()

    # --- one study alone (a PMID or PMCID): the sources one after another ------------------
    def _alone(self, study: StudyId) -> dict[StudyId, Saved | Failure]:
        return {study: self._settle(study, lambda: _gather(study, self.client, self.roots))}

    # --- a batch of DOIs ---------------------------------------------------------------------
    def _batch(self, studies: list[StudyId]) -> dict[StudyId, Saved | Failure]:
        got = {s.value: _Attempts() for s in studies}
        dois = list(got)
        steps = [self.workers.submit(self._by_doi, SOURCES[name], dois, got) for name in _BY_DOI]
        for step in steps:
            step.result()
        self._pubmed(dois, got)
        rest = {
            self.workers.submit(self._settle, s, partial(self._rest, s, got[s.value])): s
            for s in studies
        }
        return {rest[future]: future.result() for future in as_completed(rest)}

    def _by_doi(self, source: Source, dois: list[str], got: dict[str, _Attempts]) -> None:
        """Step 1: one source's batch requests; what they do not return is asked alone later."""
        root = self.roots[source.name]
        batchable = [doi for doi in dois if source.batchable(doi)]
        if len(batchable) < 2:
            return  # one DOI is asked the way it is asked alone (and cached so)
        for chunk in _chunks(batchable, source.batch_size):
            try:
                response, found = source.fetch_batch(self.client, root, chunk)
            except Unreachable as exc:
                for doi in chunk:
                    got[doi].failed(source.name, exc)
                continue
            except _ASK_ALONE:
                continue  # offline without this batch cached, or it failed: ask one by one
            for doi, fields in found.items():
                url = source.single_url(root, doi)
                got[doi].answered(source.name, fields, response.fetched_at, url)

    def _pubmed(self, dois: list[str], got: dict[str, _Attempts]) -> None:
        """Step 2: esearch the DOIs no other source gave a PMID for, efetch every PMID, and
        give each study its article: by PMID, or for a searched DOI by the DOI it carries."""
        source, root = SOURCES[PUBMED], self.roots[PUBMED]
        known = {doi: got[doi].known("pmid") for doi in dois}
        searchable = [d for d in dois if known[d] is None and pubmed.batchable(d)]
        search: Response | None = None
        found_ids: list[str] = []
        if len(searchable) >= 2:
            try:
                search, found_ids = pubmed.search_batch(self.client, root, searchable)
            except Unreachable as exc:
                for doi in dois:
                    got[doi].failed(PUBMED, exc)
                return
            except _ASK_ALONE:
                search = None  # each DOI is searched alone later
        wanted = sorted({p for p in known.values() if p} | set(found_ids))
        articles: dict[str, tuple[datetime, Fields]] = {}
        for chunk in _chunks(wanted, source.batch_size):
            try:
                response, found = source.fetch_batch(self.client, root, chunk)
            except Unreachable as exc:
                for doi in dois:
                    got[doi].failed(PUBMED, exc)
                return
            except _ASK_ALONE:
                continue  # fetched one by one later
            articles.update({pmid: (response.fetched_at, f) for pmid, f in found.items()})
        for doi, pmid in known.items():
            if pmid and pmid in articles:
                when, fields = articles[pmid]
                got[doi].answered(PUBMED, fields, when, source.single_url(root, pmid))
        if search is None:
            return
        wanted_dois = set(searchable)
        by_doi: dict[str, list[str]] = {}
        for pmid in found_ids:
            carried = articles[pmid][1].get("doi") if pmid in articles else None
            if carried in wanted_dois:
                by_doi.setdefault(str(carried), []).append(pmid)
        # A PMID that matched no DOI asked (not fetched, or filed under another spelling)
        # leaves the DOIs without an article unsettled: they are searched alone.
        unmatched = len(found_ids) > sum(len(p) for p in by_doi.values())
        for doi in searchable:
            pmids = by_doi.get(doi, [])
            if len(pmids) == 1:
                when, fields = articles[pmids[0]]
                got[doi].answered(PUBMED, fields, when, source.single_url(root, pmids[0]))
            elif pmids or not unmatched:  # two articles for one DOI is no answer, as alone
                got[doi].absent(PUBMED, pubmed.search_url(root, doi), search.fetched_at)

    def _rest(self, study: StudyId, got: _Attempts) -> _Attempts:
        """Step 3, per study: what the batches left, the full text, then PubMed if unsettled."""
        doi = study.value
        for name in _BY_DOI:
            if name not in got.asked:
                source, root = SOURCES[name], self.roots[name]
                got.run(name, partial(source.fetch_one, self.client, root, doi))
        found = got.parts.get(EUROPEPMC)
        if found and europepmc.has_fulltext(found):
            pmcid = found["pmcid"]
            got.run(
                EUROPEPMC,
                lambda: europepmc.fetch_fulltext(self.client, self.roots[EUROPEPMC], pmcid),
                label=FULLTEXT,
            )
        if PUBMED not in got.asked:
            pmid = got.known("pmid") or _pmid_for(got, self.client, self.roots, doi)
            if pmid is not None:
                got.run(PUBMED, lambda: pubmed.fetch_pmid(self.client, self.roots[PUBMED], pmid))
        return got

    def _settle(self, study: StudyId, gather: Callable[[], _Attempts]) -> Saved | Failure:
        try:
            outcome = self._finish(study, gather())
        except AppraiseError as exc:  # e.g. a corpus file that does not validate
            outcome = Failure(str(study), str(exc), "error")
        self.tracker.settled(str(study))
        return outcome

    def _finish(self, study: StudyId, got: _Attempts) -> Saved | Failure:
        identifier = str(study)
        if not any(got.parts.values()):
            return _failure(identifier, got, self.client.offline)
        existing = self.corpus.find_record(study)
        if existing is None and (doi := got.known("doi")) and doi != study.value:
            existing = self.corpus.find_record(doi)  # fetched before under its DOI
        retrieved = {k: got.retrieved[k] for k in sorted(got.retrieved, key=_RETRIEVED.index)}
        record = merge(got.ordered_parts(), retrieved, study, existing)
        # An unchanged record (a warm cache) is not rewritten: no fsync, its file keeps its time.
        changed = record != existing
        path = self.corpus.write_record(record) if changed else self.corpus.record_path(record.id)
        notes = (
            [f"not found at {', '.join(DISPLAY[s] for s in got.not_found)}"]
            if got.not_found
            else []
        )
        if got.not_cached:
            notes.append(f"not in the cache for {', '.join(DISPLAY[s] for s in got.not_cached)}")
        return Saved(identifier, record, path, notes, got.problems, written=changed)


_RETRIEVED = [CROSSREF, OPENALEX, EUROPEPMC, FULLTEXT, PUBMED]
# A batch request that failed (or is not cached, offline; or a mirror without the list
# endpoint answered 404): its ids are asked one by one instead.
_ASK_ALONE = (NotFound, NotCached, SourceError)


def _gather(study: StudyId, client: HttpClient, source_roots: dict[str, str]) -> _Attempts:
    """Ask every source about a PMID or PMCID, learning the other identifiers on the way."""
    got = _Attempts()
    found = got.run(
        EUROPEPMC, lambda: europepmc.fetch_search(client, source_roots[EUROPEPMC], study)
    )
    if found and europepmc.has_fulltext(found):
        pmcid = found["pmcid"]
        got.run(
            EUROPEPMC,
            lambda: europepmc.fetch_fulltext(client, source_roots[EUROPEPMC], pmcid),
            label=FULLTEXT,
        )
    pmid = study.value if study.kind == "pmid" else got.known("pmid")
    doi = got.known("doi")
    if pmid is None and doi is not None:
        pmid = _pmid_for(got, client, source_roots, doi)
    if pmid is not None:
        got.run(PUBMED, lambda: pubmed.fetch_pmid(client, source_roots[PUBMED], pmid))
    doi = got.known("doi")
    if doi:
        got.run(CROSSREF, lambda: crossref.fetch(client, source_roots[CROSSREF], doi))
    key = f"doi:{doi}" if doi else f"{study.kind}:{study.value}"
    got.run(OPENALEX, lambda: openalex.fetch(client, source_roots[OPENALEX], key))
    return got


def _pmid_for(
    got: _Attempts, client: HttpClient, source_roots: dict[str, str], doi: str
) -> str | None:
    pmid: list[str] = []

    def search() -> tuple[Response, Fields]:
        response, found = pubmed.search_doi(client, source_roots[PUBMED], doi)
        pmid.append(found)
        return response, {}

    got.run(PUBMED, search)
    return pmid[0] if pmid else None


def _failure(identifier: str, got: _Attempts, offline: bool) -> Failure:
    if got.unreachable and len(got.unreachable) == len(got.problems):
        dead = ", ".join(DISPLAY[s] for s in _RETRIEVED if s in got.unreachable)
        return Failure(identifier, f"not fetched ({dead} unreachable)", "error")
    names = [DISPLAY[s] for s in got.not_found]
    where = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)
    if got.problems:
        missing = [f"not found at {where}"] if names else []
        return Failure(identifier, "; ".join(got.problems + missing), "error")
    if offline:
        return Failure(
            identifier,
            "not in the corpus or the cache (run without --offline to fetch it)",
            "not-found",
        )
    return Failure(identifier, f"not found at {where}", "not-found")


class FetchIndex:
    """The records every source has already answered for, so that rerunning a batch (without
    --refresh) neither reads the HTTP cache nor parses YAML for them, and the DOIs no source
    holds, so that a rerun does not ask for them again.

    Kept in CORPUS/.appraise/fetch-index.json: per identifier asked, the record as JSON and its
    file's size and modification time (an entry counts only while the file is unchanged; a
    record edited, replaced or deleted is fetched the ordinary way), or ``absent`` with the
    reason (counts while no record file of that name exists; --refresh asks again, as it does
    for the 404s in the HTTP cache). Safe to delete.
    """

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.path = corpus.state_dir / "fetch-index.json"
        try:
            loaded = loads_json(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = {}
        self.entries: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
        self.changed = False

    def lookup(self, study: StudyId) -> Saved | Failure | None:
        entry = self.entries.get(str(study))
        if not isinstance(entry, dict):
            return None
        if isinstance(absent := entry.get("absent"), str):
            if self.corpus.record_path(str(study)).exists():
                return None
            return Failure(str(study), absent, "not-found")
        path = self.corpus.records_dir / str(entry.get("file", ""))
        try:
            stat = path.stat()
            if [stat.st_size, stat.st_mtime_ns] != entry.get("stat"):
                return None
            record = StudyRecord.model_validate(entry["record"])
        except (OSError, KeyError, ValueError):
            return None
        return Saved(str(study), record, path, from_corpus=True, written=False)

    def remember(self, study: StudyId, outcome: Saved | Failure) -> None:
        if isinstance(outcome, Failure):
            self.entries[str(study)] = {"absent": outcome.reason}
            self.changed = True
            return
        try:
            stat = outcome.path.stat()
        except OSError:
            return
        self.entries[str(study)] = {
            "file": outcome.path.name,
            "stat": [stat.st_size, stat.st_mtime_ns],
            "record": outcome.record.model_dump(mode="json", exclude_none=True),
        }
        self.changed = True

    def save(self) -> None:
        if self.changed:
            self.corpus.write_text(self.path, json.dumps(self.entries, ensure_ascii=False))


def fetch_records(
    identifiers: list[str],
    corpus: Corpus,
    *,
    offline: bool = False,
    refresh: bool = False,
    mailto: str | None = None,
    progress: Progress | None = None,
    settings: HttpSettings | None = None,
) -> FetchReport:
    """Fetch, merge and save a record for each identifier; go on past failures.

    Identifiers are checked all at once before any request (InputError, exit 2), and
    duplicates are dropped in input order. ``progress(identifier, done, total)`` is called as
    each identifier is settled. ``settings`` overrides timeouts and retries.
    """
    studies = unique_identifiers(identifiers)
    source_roots = roots()
    contact = contact_address(mailto)
    report = FetchReport()
    if not studies:
        return report
    tracker = _Tracker(progress, len(studies))
    outcomes: dict[StudyId, Saved | Failure] = {}
    index = FetchIndex(corpus)
    if not refresh:
        for study in studies:
            if (known := index.lookup(study)) is not None:
                outcomes[study] = known
                tracker.settled(str(study))
    for study in studies:
        if study in outcomes:
            continue
        if study.kind == "ref":
            outcomes[study] = Failure(
                str(study),
                "a ref: id names a work entered by hand; there is nothing "
                "to fetch (add its DOI or PMID to fetch it)",
                "error",
            )
        elif offline and (existing := corpus.find_record(study)) is not None:
            path = corpus.record_path(existing.id)
            outcomes[study] = Saved(str(study), existing, path, from_corpus=True, written=False)
        else:
            continue
        tracker.settled(str(study))
    pending = [s for s in studies if s not in outcomes]
    with HttpClient(mailto=contact, offline=offline, refresh=refresh, settings=settings) as client:
        run = _Run(corpus, client, source_roots, tracker)
        try:
            outcomes.update(run.fetch(pending))
        except BaseException:
            # Ctrl-C: drop the records not started, let the ones in flight stop at their
            # next request; everything already saved stays saved.
            run.stop()
            raise
        run.close()
        report.network_requests = client.network_requests
        report.unreachable = {
            source.label: why
            for name, source in SOURCES.items()
            if (why := client.unreachable(source_roots[name])) is not None
        }
    if not offline:  # remember what every source answered for (found or not), online
        for study in pending:
            outcome = outcomes[study]
            found_everywhere = isinstance(outcome, Saved) and outcome.complete
            if found_everywhere or (isinstance(outcome, Failure) and outcome.kind == "not-found"):
                index.remember(study, outcome)
    index.save()
    for study in studies:  # report in input order
        outcome = outcomes[study]
        (report.saved if isinstance(outcome, Saved) else report.failures).append(outcome)  # type: ignore[arg-type]
    return report


def fetch_record(
    identifier: str,
    corpus: Corpus,
    *,
    offline: bool = False,
    refresh: bool = False,
    mailto: str | None = None,
    progress: Progress | None = None,
    settings: HttpSettings | None = None,
) -> StudyRecord:
    """Fetch one record; raises NotFoundError (no source has it) or SourceError."""
    report = fetch_records(
        [identifier],
        corpus,
        offline=offline,
        refresh=refresh,
        mailto=mailto,
        progress=progress,
        settings=settings,
    )
    if report.failures:
        failure = report.failures[0]
        if failure.kind == "not-found":
            raise NotFoundError(
                f"{failure.identifier}: {failure.reason}",
                fix="check the identifier (a typo in a DOI is common)",
            )
        raise SourceError(
            f"{failure.identifier}: {failure.reason}",
            fix="try again later; records already saved are kept",
        )
    return report.saved[0].record
