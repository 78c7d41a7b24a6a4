"""`appraise fetch` and `appraise show`: study records from the sources into the corpus, and one
record as stored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appraise.app.workspace import open_corpus
from appraise.errors import InputError

if TYPE_CHECKING:
    from appraise.models import StudyRecord
    from appraise.sources import FetchReport
    from appraise.sources.reflist import ReferenceList


@dataclass
class Fetched:
    """What fetch did, and the reference list the identifiers came from (if one was given)."""

    report: FetchReport
    listing: ReferenceList
    source: str
    """The reference list's file name ('' when identifiers were given on the command line)."""

    @property
    def ok(self) -> bool:
        return self.report.ok


def fetch(
    identifiers: list[str] | None = None,
    *,
    from_file: Path | None = None,
    corpus: Path | None = None,
    offline: bool = False,
    refresh: bool = False,
    mailto: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Fetched:
    """Fetch, merge and save the records of ``identifiers`` and of the reference list
    ``from_file``; ``progress(identifier, done, total)`` is called as each one finishes."""
    from appraise.sources import fetch_records
    from appraise.sources.reflist import ReferenceList, read_reference_list

    wanted = list(identifiers or [])
    listing = ReferenceList("lines")
    if from_file is not None:
        listing = read_reference_list(from_file)
        wanted += listing.identifiers
    if not wanted:
        if listing.without_id:
            raise InputError(
                f"no DOI or PMID in {from_file} ({len(listing.without_id)} item(s) without one)",
                fix="add the items' DOIs or PMIDs to the list, or export it with them",
            )
        raise InputError(
            "no identifiers given", fix="e.g. appraise fetch 10.1111/bjc.12259, or --from refs.ris"
        )
    report = fetch_records(
        wanted,
        open_corpus(corpus),
        offline=offline,
        refresh=refresh,
        mailto=mailto,
        progress=progress,
    )
    return Fetched(report, listing, str(from_file) if from_file else "")


@dataclass
class Shown:
    """A stored record and a summary of each of its appraisals."""

    record: StudyRecord
    appraisals: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {**self.record.model_dump(mode="json"), "appraisals": self.appraisals}


def show(identifier: str, corpus: Path | None = None) -> Shown:
    """The record stored for ``identifier`` (DOI, PMID or PMCID), and its appraisals."""
    from appraise.appraisals import final_overall

    store = open_corpus(corpus, study=identifier)  # names a shipped corpus that holds it
    record = store.read_record(identifier)
    appraisals = [
        {
            "rubric": s.appraisal.rubric,
            "result": s.appraisal.result.label,
            "reviewer": s.appraisal.reviewer,
            "status": s.appraisal.status,
            "overall": final_overall(s.appraisal),
            "path": str(s.path),
        }
        for s in store.iter_appraisals(study=record.id)
    ]
    return Shown(record, appraisals)
