"""`appraise check`: every record, appraisal, document and claim of a corpus validated."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appraise.app.workspace import open_corpus
from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.review.check import Problem, check_corpus


@dataclass
class CheckResult:
    root: Path
    problems: list[Problem]
    records: int
    appraisals: int

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": [p.to_json() for p in self.problems]}


def check(corpus: Path | None = None) -> CheckResult:
    """Check the corpus (which must exist and be one: an empty folder is not "ok")."""
    store = open_corpus(corpus, must_be_corpus=True)
    with store.snapshot():  # the counts are of the files checked
        problems = check_corpus(store)
        return CheckResult(
            store.root, problems, len(store.record_paths()), len(store.appraisal_paths())
        )


def refuse_invalid(store: Corpus, command: str) -> None:
    """Stop ``command`` (table, plot, report) from publishing a corpus that `check` rejects:
    an InputError naming the first error as `check` does (file:line), with how many more."""
    errors = [p for p in check_corpus(store) if p.severity == "error"]
    if not errors:
        return
    first = errors[0]
    where = f"{first.path}:{first.line}" if first.line else str(first.path)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise InputError(
        f"{where}: {first.message}{more}",
        fix=f"{first.fix + '; ' if first.fix else ''}`appraise check` lists every problem; "
        f"--allow-invalid runs {command} anyway",
    )
