"""Fetch study records by DOI, PMID or PMCID from the four sources and save them merged.

A batch runs identifiers concurrently (a thread pool); the per-host limiters in the HTTP layer
keep every API within its limits however many workers there are. Each record is written to
the corpus (atomically) as soon as it is merged, so an interrupted batch keeps everything it
finished. A source that does not hold a work is a note, not a failure; a record fails only
when no source supplied anything.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from appraise.corpus import Corpus
from appraise.errors import AppraiseError, InputError, NotFoundError, SourceError
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
    contact_address,
)
from appraise.sources.merge import CROSSREF, EUROPEPMC, OPENALEX, PUBMED, merge

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

# Workers mostly wait on the per-host limiters; enough of them keeps every API's allowance in
# use while others parse, merge and write (16 measured ~5% faster than 8 on a busy 2-core box).
MAX_WORKERS = 16
FULLTEXT = "europepmc-fulltext"
DISPLAY = {
    CROSSREF: "Crossref",
    OPENALEX: "OpenAlex",
    EUROPEPMC: "Europe PMC",
    PUBMED: "PubMed",
    FULLTEXT: "Europe PMC full text",
}


@dataclass(frozen=True)
class Roots:
    """API roots; each can be pointed at a mirror or a test server by an environment variable."""

    crossref: str = crossref.DEFAULT_ROOT
    openalex: str = openalex.DEFAULT_ROOT
    europepmc: str = europepmc.DEFAULT_ROOT
    pubmed: str = pubmed.DEFAULT_ROOT

    @classmethod
    def from_env(cls) -> Roots:
        defaults = cls()
        roots = {}
        for name in (CROSSREF, OPENALEX, EUROPEPMC, PUBMED):
            value = os.environ.get(f"APPRAISE_{name.upper()}_URL", "").strip()
            if value and not value.startswith(("http://", "https://")):
                raise InputError(
                    f"APPRAISE_{name.upper()}_URL={value!r} is not an http(s) URL",
                    fix=f"e.g. {getattr(defaults, name)}",
                )
            roots[name] = value.rstrip("/") or getattr(defaults, name)
        return cls(**roots)


@dataclass
class Saved:
    identifier: str
    record: StudyRecord
    path: Path
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    from_corpus: bool = False

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

    @property
    def incomplete(self) -> list[Saved]:
        return [s for s in self.saved if not s.complete]

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

    def run(
        self, source: str, call: Callable[[], tuple[Response, Fields]], label: str | None = None
    ) -> Fields | None:
        """Call one source; ``label`` names the request in reports and retrieval stamps when
        a source answers more than one (Europe PMC's search and its full text)."""
        label = label or source
        now = datetime.now(UTC).replace(microsecond=0)
        try:
            response, fields = call()
        except NotFound as missing:
            self.not_found.append(label)
            self.retrieved[label] = Retrieval(
                when=missing.fetched_at, url=missing.url, status="not found"
            )
            return None
        except NotCached:
            self.not_cached.append(label)
            return None
        except SourceError as exc:
            self.problems.append(exc.message)
            self.retrieved[label] = Retrieval(when=now, status=f"error: {exc.message}")
            return None
        self.retrieved[label] = Retrieval(when=response.fetched_at, url=response.url)
        existing = self.parts.setdefault(source, {})
        for name, value in fields.items():
            existing.setdefault(name, value)
        return fields

    def known(self, name: str) -> str | None:
        for fields in self.parts.values():
            if fields.get(name):
                return str(fields[name])
        return None


def _gather(study: StudyId, client: HttpClient, roots: Roots) -> _Attempts:
    """Ask every source about ``study``, learning the other identifiers on the way."""
    got = _Attempts()
    if study.kind == "doi":
        got.run(CROSSREF, lambda: crossref.fetch(client, roots.crossref, study.value))
        got.run(OPENALEX, lambda: openalex.fetch(client, roots.openalex, f"doi:{study.value}"))
    found = got.run(EUROPEPMC, lambda: europepmc.fetch_search(client, roots.europepmc, study))
    if found and europepmc.has_fulltext(found):
        pmcid = found["pmcid"]
        got.run(
            EUROPEPMC,
            lambda: europepmc.fetch_fulltext(client, roots.europepmc, pmcid),
            label=FULLTEXT,
        )
    pmid = study.value if study.kind == "pmid" else got.known("pmid")
    doi = study.value if study.kind == "doi" else got.known("doi")
    if pmid is None and doi is not None:
        pmid = _pmid_for(got, client, roots, doi)
    if pmid is not None:
        got.run(PUBMED, lambda: pubmed.fetch_pmid(client, roots.pubmed, pmid))
    if study.kind != "doi":
        doi = got.known("doi")
        if doi:
            got.run(CROSSREF, lambda: crossref.fetch(client, roots.crossref, doi))
        key = f"doi:{doi}" if doi else f"{study.kind}:{study.value}"
        got.run(OPENALEX, lambda: openalex.fetch(client, roots.openalex, key))
    return got


def _pmid_for(got: _Attempts, client: HttpClient, roots: Roots, doi: str) -> str | None:
    pmid: list[str] = []

    def search() -> tuple[Response, Fields]:
        response, found = pubmed.search_doi(client, roots.pubmed, doi)
        pmid.append(found)
        return response, {}

    got.run(PUBMED, search)
    return pmid[0] if pmid else None


def _fetch_one(study: StudyId, corpus: Corpus, client: HttpClient, roots: Roots) -> Saved | Failure:
    identifier = str(study)
    if study.kind == "ref":
        return Failure(
            identifier,
            "a ref: id names a work entered by hand; there is nothing "
            "to fetch (add its DOI or PMID to fetch it)",
            "error",
        )
    existing = corpus.find_record(study)
    if client.offline and existing is not None:
        return Saved(identifier, existing, corpus.record_path(existing.id), from_corpus=True)
    got = _gather(study, client, roots)
    if not any(got.parts.values()):
        return _failure(identifier, got, client.offline)
    if existing is None and (doi := got.known("doi")) and doi != study.value:
        existing = corpus.find_record(doi)  # fetched before under its DOI
    record = merge({s: f for s, f in got.parts.items() if f}, got.retrieved, study, existing)
    # An unchanged record (a warm cache) is not rewritten: no fsync, and its file keeps its time.
    path = corpus.record_path(record.id) if record == existing else corpus.write_record(record)
    notes = (
        [f"not found at {', '.join(DISPLAY[s] for s in got.not_found)}"] if got.not_found else []
    )
    if got.not_cached:
        notes.append(f"not in the cache for {', '.join(DISPLAY[s] for s in got.not_cached)}")
    return Saved(identifier, record, path, notes, got.problems)


def _failure(identifier: str, got: _Attempts, offline: bool) -> Failure:
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
    --refresh) neither reads the HTTP cache nor parses YAML for them.

    Kept in CORPUS/.appraise/fetch-index.json: per identifier asked, the record as JSON and its
    file's size and modification time. An entry counts only while the file is unchanged; a
    record edited, replaced or deleted is fetched the ordinary way. Safe to delete.
    """

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.path = corpus.state_dir / "fetch-index.json"
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = {}
        self.entries: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
        self.changed = False

    def lookup(self, study: StudyId) -> Saved | None:
        entry = self.entries.get(str(study))
        if not isinstance(entry, dict):
            return None
        path = self.corpus.records_dir / str(entry.get("file", ""))
        try:
            stat = path.stat()
            if [stat.st_size, stat.st_mtime_ns] != entry.get("stat"):
                return None
            record = StudyRecord.model_validate(entry["record"])
        except (OSError, KeyError, ValueError):
            return None
        return Saved(str(study), record, path, from_corpus=True)

    def remember(self, study: StudyId, saved: Saved) -> None:
        try:
            stat = saved.path.stat()
        except OSError:
            return
        self.entries[str(study)] = {
            "file": saved.path.name,
            "stat": [stat.st_size, stat.st_mtime_ns],
            "record": saved.record.model_dump(mode="json", exclude_none=True),
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
    progress: bool | None = None,
    settings: HttpSettings | None = None,
) -> FetchReport:
    """Fetch, merge and save a record for each identifier; go on past failures.

    Identifiers are checked all at once before any request (InputError, exit 2), and
    duplicates are dropped in input order. ``progress`` draws a bar on stderr (default: only
    when stderr is a terminal). ``settings`` overrides timeouts and retries.
    """
    studies = unique_identifiers(identifiers)
    roots = Roots.from_env()
    contact = contact_address(mailto)
    report = FetchReport()
    if not studies:
        return report
    show = sys.stderr.isatty() if progress is None else progress
    outcomes: dict[StudyId, Saved | Failure] = {}
    index = FetchIndex(corpus)
    if not refresh:
        for study in studies:
            if (known := index.lookup(study)) is not None:
                outcomes[study] = known
    pending = [s for s in studies if s not in outcomes]
    with HttpClient(mailto=contact, offline=offline, refresh=refresh, settings=settings) as client:
        with (
            _Progress(len(studies), show) as bar,
            ThreadPoolExecutor(
                max_workers=max(1, min(MAX_WORKERS, len(pending))), thread_name_prefix="fetch"
            ) as pool,
        ):
            for study in outcomes:
                bar.advance(str(study))
            futures = {pool.submit(_fetch_one, s, corpus, client, roots): s for s in pending}
            try:
                for future in as_completed(futures):
                    study = futures[future]
                    try:
                        outcomes[study] = future.result()
                    except AppraiseError as exc:  # e.g. a corpus file that does not validate
                        outcomes[study] = Failure(str(study), str(exc), "error")
                    bar.advance(str(study))
            except BaseException:
                # Ctrl-C: drop the records not started, let the ones in flight stop at their
                # next request; everything already saved stays saved.
                client.cancel()
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        report.network_requests = client.network_requests
    for study in pending:  # remember only records every source answered for, online
        outcome = outcomes.get(study)
        if isinstance(outcome, Saved) and outcome.complete and not (offline or outcome.from_corpus):
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
    progress: bool | None = None,
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


class _Progress:
    """A rich progress bar on stderr, or nothing at all."""

    def __init__(self, total: int, show: bool) -> None:
        self._total = total
        self._show = show and total > 1
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> _Progress:
        if self._show:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("fetching"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("", total=self._total)
        return self

    def advance(self, label: str) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=1, description=label)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
