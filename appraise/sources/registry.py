"""The four sources in one place: name, label, root (and the variable that replaces it), the
documented limits, and how each is asked for one work and for a batch.

The fetch scheduler (:mod:`appraise.sources.fetch`) reads everything it needs about a source
from here; each source module keeps its own parser and requests.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from appraise.errors import InputError
from appraise.ids import StudyId
from appraise.sources import crossref, europepmc, openalex, pubmed
from appraise.sources.fields import Fields
from appraise.sources.http import HttpClient, Limits, Response

BatchFetch = Callable[[HttpClient, str, list[str]], tuple[Response, dict[str, Fields]]]
OneFetch = Callable[[HttpClient, str, str], tuple[Response, Fields]]


@dataclass(frozen=True)
class Source:
    """One bibliographic API as the fetcher sees it."""

    name: str  # as in a record's ``sources`` and ``retrieved``
    label: str  # as in messages
    default_root: str
    batch_size: int  # ids per batch request
    limits: Callable[[HttpClient], Limits]  # the documented limits for this client
    batchable: Callable[[str], bool]  # whether a DOI can go in a batch request
    # One request for many DOIs: the fields per DOI the source returned. PubMed's batch is
    # by PMID (after an esearch of the DOIs), so the scheduler asks it in two steps.
    fetch_batch: BatchFetch
    # One work by its id (a DOI; PubMed: a PMID); raises NotFound when the source lacks it.
    fetch_one: OneFetch
    # The URL of that one-work request: a record names it as where the fields came from,
    # however they were fetched, so a record is the same by batch or alone.
    single_url: Callable[[str, str], str]

    @property
    def env(self) -> str:
        return f"APPRAISE_{self.name.upper()}_URL"

    def root(self) -> str:
        """The API root: the default, or a mirror or test server named by ``env``."""
        value = os.environ.get(self.env, "").strip()
        if value and not value.startswith(("http://", "https://")):
            raise InputError(
                f"{self.env}={value!r} is not an http(s) URL", fix=f"e.g. {self.default_root}"
            )
        return value.rstrip("/") or self.default_root


def _crossref_limits(client: HttpClient) -> Limits:
    return crossref.POLITE_LIMITS if client.mailto else crossref.PUBLIC_LIMITS


CROSSREF = Source(
    name=crossref.NAME,
    label="Crossref",
    default_root=crossref.DEFAULT_ROOT,
    batch_size=crossref.BATCH_SIZE,
    limits=_crossref_limits,
    batchable=crossref.batchable,
    fetch_batch=crossref.fetch_batch,
    fetch_one=crossref.fetch,
    single_url=crossref.single_url,
)
OPENALEX = Source(
    name=openalex.NAME,
    label="OpenAlex",
    default_root=openalex.DEFAULT_ROOT,
    batch_size=openalex.BATCH_SIZE,
    limits=lambda client: openalex.LIMITS,
    batchable=openalex.batchable,
    fetch_batch=openalex.fetch_batch,
    fetch_one=lambda client, root, doi: openalex.fetch(client, root, f"doi:{doi}"),
    single_url=openalex.single_url,
)
EUROPEPMC = Source(
    name=europepmc.NAME,
    label="Europe PMC",
    default_root=europepmc.DEFAULT_ROOT,
    batch_size=europepmc.BATCH_SIZE,
    limits=lambda client: europepmc.LIMITS,
    batchable=europepmc.batchable,
    fetch_batch=europepmc.fetch_batch,
    fetch_one=lambda client, root, doi: europepmc.fetch_search(client, root, StudyId("doi", doi)),
    single_url=lambda root, doi: europepmc.single_url(root, StudyId("doi", doi)),
)
PUBMED = Source(
    name=pubmed.NAME,
    label="PubMed",
    default_root=pubmed.DEFAULT_ROOT,
    batch_size=pubmed.FETCH_BATCH,
    limits=lambda client: pubmed.limits(),
    batchable=pubmed.batchable,
    fetch_batch=pubmed.fetch_batch,
    fetch_one=pubmed.fetch_pmid,
    single_url=pubmed.fetch_url,
)

SOURCES: dict[str, Source] = {s.name: s for s in (CROSSREF, OPENALEX, EUROPEPMC, PUBMED)}


def roots() -> dict[str, str]:
    """Every source's root for this run (each checked; InputError names a bad variable)."""
    return {name: source.root() for name, source in SOURCES.items()}
