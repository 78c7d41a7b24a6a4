"""`appraise agree`: agreement between the reviewers of a corpus, per rubric."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appraise.app.workspace import open_corpus
from appraise.errors import InputError

if TYPE_CHECKING:
    from appraise.review.agreement import AgreementReport


@dataclass
class Agreement:
    reports: list[AgreementReport]

    def to_json(self) -> list[dict[str, Any]] | dict[str, Any]:
        """One report as an object, several as a list (as `agree --json` always printed)."""
        if len(self.reports) == 1:
            return self.reports[0].to_json()
        return [r.to_json() for r in self.reports]


def agree(corpus: Path | None = None, rubric: str | None = None) -> Agreement:
    """Agreement for ``rubric``, else for every known rubric the corpus's appraisals use."""
    from appraise.review.agreement import agreement
    from appraise.rubrics import rubric_ids

    store = open_corpus(corpus)
    used = sorted({s.appraisal.rubric for s in store.iter_appraisals()} & set(rubric_ids()))
    reports = [agreement(store, r) for r in ([rubric] if rubric else used)]
    if not reports:
        raise InputError(
            f"no appraisals in {store.root}",
            fix="appraise studies with `appraise assess ID --rubric R` first",
        )
    return Agreement(reports)
