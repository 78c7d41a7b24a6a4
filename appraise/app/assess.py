"""`appraise assess` and `appraise consensus`: open the session a reviewer walks through."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path

from appraise.app.answers import read_answers
from appraise.app.study import open_study
from appraise.app.workspace import open_corpus
from appraise.appraisals import CONSENSUS_REVIEWER, default_rubric
from appraise.errors import InputError
from appraise.models import StudyRecord
from appraise.review.session import AssessSession, existing_result
from appraise.rubrics import load_rubric


@dataclass
class Assessment:
    """A session ready to walk (or to take answers from a file), and notes for the user."""

    session: AssessSession
    record: StudyRecord | None
    notes: list[str] = field(default_factory=list)
    open_steps: int = 0
    """Questions the walk asks, as the session opened (before any answers file)."""
    open_judgements: int = 0
    """Judgements (domains, overall) still to decide as the session opened."""


def reviewer_name(given: str | None) -> str:
    """--reviewer, else $APPRAISE_REVIEWER, else the login name; never 'consensus'."""
    name = (given or os.environ.get("APPRAISE_REVIEWER") or getpass.getuser()).strip()
    if not name or name.lower() == CONSENSUS_REVIEWER:
        raise InputError(
            f"'{name}' cannot be a reviewer's name",
            fix="give your own name with --reviewer (`appraise consensus` writes the consensus)",
        )
    return name


def start_assessment(
    identifier: str,
    *,
    corpus: Path | None = None,
    rubric: str | None = None,
    result: str | None = None,
    reviewer: str | None = None,
    effect: str | None = None,
    profile: str | None = None,
    text: Path | None = None,
    revise: bool = False,
    answers: Path | None = None,
) -> Assessment:
    """Find or fetch the study, read its one document (appraise.app.study), and open (or
    resume) this reviewer's appraisal with the proposals as defaults. ``answers``: a file of
    answers taken as the reviewer's own, applied at once."""
    from appraise.review.proposals import evidence_proposals

    name = reviewer_name(reviewer)
    given = read_answers(answers) if answers is not None else None
    store = open_corpus(corpus, study=identifier)
    rub = load_rubric(rubric or default_rubric(store))
    study = open_study(store, identifier, text)
    notes = list(study.notes)
    if result and rub.unit == "study":
        notes.append(f"{rub.id} appraises whole studies: --result is not used")
    resumed = (
        existing_result(store, study.record.id, rub.id, name)
        if result is None and rub.unit == "result"
        else None
    )
    if resumed is not None:
        notes.append(f'resuming your {rub.id} appraisal of "{resumed}" (--result names another)')
    session = AssessSession.open(
        store,
        study.record.id,
        rub.id,
        reviewer=name,
        result=result,
        profile=profile,
        options={"effect": effect} if effect else None,
        record=study.record,
        document=study.document,
        proposer=evidence_proposals,
        revise=revise,
    )
    if given is not None and answers is not None:
        session.apply_answers(given, where=str(answers))
    return Assessment(session, study.record, notes)


def start_consensus(
    identifier: str,
    *,
    corpus: Path | None = None,
    rubric: str | None = None,
    reviewers: list[str] | None = None,
    result: str | None = None,
    answers: Path | None = None,
) -> Assessment:
    """The consensus session of two reviewers' appraisals (only disagreements open)."""
    from appraise.ids import parse_identifier
    from appraise.review.consensus import consensus_session

    given = read_answers(answers) if answers is not None else None
    store = open_corpus(corpus, study=identifier)
    record = store.find_record(identifier)
    study = record.id if record else str(parse_identifier(identifier))
    names = [n for raw in reviewers or [] for n in raw.replace(",", " ").split()]
    session = consensus_session(
        store, study, rubric or default_rubric(store), reviewers=names or None, result=result
    )
    open_steps = len(session.questions_to_ask())
    open_judgements = len(session.judgements_to_decide())
    if given is not None and answers is not None:
        session.apply_answers(given, where=str(answers))
    return Assessment(session, record, open_steps=open_steps, open_judgements=open_judgements)
