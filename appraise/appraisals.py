"""Which appraisal speaks for a study, and its final judgements.

A study may have several appraisals for one rubric (two reviewers, a consensus, several
results). Tables, plots, the graph and the report all use the same choice, made here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal

from appraise.corpus import Corpus, StoredAppraisal
from appraise.models import Appraisal

CONSENSUS_REVIEWER = "consensus"
DEFAULT_RUBRIC = "rob2"
"""The rubric used when neither the command, corpus.yaml nor the corpus's appraisals name one."""


def default_rubric(corpus: Corpus | None) -> str:
    """The rubric every command uses when none is named: corpus.yaml's ``default_rubric``,
    else the rubric the corpus's appraisals use (the most used when there are several, ties
    by name), else DEFAULT_RUBRIC."""
    if corpus is None:
        return DEFAULT_RUBRIC
    configured = corpus.info.default_rubric
    if configured:
        return configured
    counts = Counter(corpus.appraisal_rubrics())
    if not counts:
        return DEFAULT_RUBRIC
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def final_domains(appraisal: Appraisal) -> dict[str, str | None]:
    """Each domain's final judgement: the reviewer's decision, else the rules' proposal."""
    return {d: j.judgement or j.proposed for d, j in appraisal.domains.items()}


def final_overall(appraisal: Appraisal) -> str | None:
    return appraisal.overall.judgement or appraisal.overall.proposed


def _preference(stored: StoredAppraisal) -> tuple[int, int, datetime, str]:
    a = stored.appraisal
    is_consensus = a.reviewer == CONSENSUS_REVIEWER or any(
        ans.source == "consensus" for ans in a.answers.values()
    )
    updated = a.updated or datetime.min.replace(tzinfo=UTC)
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    # Higher is better; the path breaks ties so the choice never depends on listing order.
    return (int(is_consensus), int(a.status == "complete"), updated, str(stored.path))


def choose(candidates: Iterable[StoredAppraisal]) -> StoredAppraisal | None:
    return max(candidates, key=_preference, default=None)


def select_appraisals(
    corpus: Corpus,
    rubric: str,
    *,
    per: Literal["study", "result"] = "study",
    reviewer: str | None = None,
) -> list[StoredAppraisal]:
    """One appraisal per study (or per study and result) for ``rubric``: a named reviewer's if
    asked, else the consensus, else a complete one, else the most recently updated."""
    groups: dict[tuple[str, str], list[StoredAppraisal]] = {}
    for stored in corpus.iter_appraisals(rubric=rubric):
        a = stored.appraisal
        if a.rubric != rubric or (reviewer is not None and a.reviewer != reviewer):
            continue
        key = (a.study, a.result.label if per == "result" else "")
        groups.setdefault(key, []).append(stored)
    chosen = [choose(group) for group in groups.values()]
    return [c for c in chosen if c is not None]
