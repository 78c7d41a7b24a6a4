"""`appraise propose`: proposed answers with quotes, for one study or a folder of files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from appraise.app.study import open_study
from appraise.app.workspace import open_corpus, optional_corpus
from appraise.appraisals import default_rubric
from appraise.errors import AppraiseError, InputError
from appraise.models import StudyRecord
from appraise.rubrics import Engine, load_rubric

if TYPE_CHECKING:
    from appraise.evidence import ProposalSet
    from appraise.models import Rubric


@dataclass
class Proposed:
    """The proposals for one study or file, and what the user should be told about them."""

    proposals: ProposalSet
    record: StudyRecord | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ProposedFolder:
    """Proposals for each readable file in a folder; files that failed, with the reason."""

    results: list[tuple[Path, ProposalSet]]
    failures: list[tuple[Path, AppraiseError]]
    total: int


def _rubric_and_options(rubric: Rubric, effect: str | None) -> dict[str, str]:
    options = {"effect": effect} if effect else {}
    Engine(rubric, options=options)  # checks the options before any reading
    return options


def propose_for(
    identifier: str | None,
    *,
    text: Path | None = None,
    corpus: Path | None = None,
    rubric: str | None = None,
    effect: str | None = None,
) -> Proposed:
    """Proposals for a study (found or fetched; ``text`` attached), or for ``text`` alone.
    The rubric defaults as every command's does (appraise.appraisals.default_rubric)."""
    from appraise.evidence import propose

    if identifier is None and text is None:
        raise InputError("nothing to read", fix="give a study ID, --text FILE, or both")
    if identifier is None:
        assert text is not None
        rub = load_rubric(rubric or default_rubric(optional_corpus(corpus)))
        options = _rubric_and_options(rub, effect)
        from appraise.documents import read_document

        return Proposed(propose(read_document(text), rub, options=options))
    store = open_corpus(corpus, study=identifier)
    rub = load_rubric(rubric or default_rubric(store))
    options = _rubric_and_options(rub, effect)
    study = open_study(store, identifier, text)
    result = propose(study.document, rub, record=study.record, options=options)
    return Proposed(result, study.record, study.notes)


def propose_folder(
    folder: Path,
    *,
    corpus: Path | None = None,
    rubric: str | None = None,
    effect: str | None = None,
    progress: Callable[[Path, int, int], None] | None = None,
) -> ProposedFolder:
    """Proposals for every readable file in ``folder``; ``progress(path, done, total)`` is
    called before each file (the CLI draws a bar from it)."""
    from appraise.documents import iter_documents, readable_files
    from appraise.evidence import propose

    rub = load_rubric(rubric or default_rubric(optional_corpus(corpus)))
    options = _rubric_and_options(rub, effect)
    total = len(readable_files(folder))
    if total == 0:
        from appraise.documents import READABLE_SUFFIXES

        raise InputError(
            f"{folder} holds no readable documents",
            fix=f"put files ending {', '.join(READABLE_SUFFIXES)} in it",
        )
    results: list[tuple[Path, ProposalSet]] = []
    failures: list[tuple[Path, AppraiseError]] = []
    for done, (path, outcome) in enumerate(iter_documents(folder)):
        if progress is not None:
            progress(path, done, total)
        if isinstance(outcome, AppraiseError):
            failures.append((path, outcome))
        else:
            results.append((path, propose(outcome, rub, options=options)))
    if progress is not None:
        progress(folder, total, total)
    return ProposedFolder(results, failures, total)
