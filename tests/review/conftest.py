"""Small corpora for the reviewer's workflow, written by the tests themselves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from appraise.corpus import Corpus
from appraise.evidence.document import Document
from appraise.models import Answer, Quote, Retrieval, StudyRecord, TrialRegistration
from appraise.rubrics import Engine

STUDY = "10.1000/trial.1"
# RoB 2 answers (effect of assignment) that judge every domain Low.
LOW_EVERYWHERE = {
    "1.1": "Y",
    "1.2": "Y",
    "1.3": "N",
    "2.1": "N",
    "2.2": "N",
    "2.6": "Y",
    "3.1": "Y",
    "4.1": "N",
    "4.2": "N",
    "4.3": "N",
    "5.1": "Y",
    "5.2": "N",
    "5.3": "N",
}
ABSTRACT = (
    "Participants were randomised by a computer-generated list held by a trials unit. "
    "Outcome assessors were unaware of allocation. All 120 participants completed the "
    "12-week assessment."
)


def make_record(study: str = STUDY, year: int = 2020) -> StudyRecord:
    when = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    return StudyRecord(
        id=study,
        doi=study,
        title="Guided self-help for depression: a randomised trial",
        journal="Journal of Trials",
        year=year,
        type="journal-article",
        abstract=ABSTRACT,
        coi_statement="The authors declare no competing interests.",
        trial_registrations=[TrialRegistration(registry="ISRCTN", id="ISRCTN12345678")],
        retrieved={"crossref": Retrieval(when=when), "pubmed": Retrieval(when=when)},
    )


def record_document(record: StudyRecord) -> Document:
    return Document.from_sections([("Abstract", "abstract", record.abstract or "")], "pubmed")


def fake_proposer(document: Document, record: StudyRecord, engine: Engine) -> dict[str, Answer]:
    """Proposes 1.1 Y with a real quote from the text, and 1.2 PY without one."""
    sentence = "Participants were randomised by a computer-generated list held by a trials unit."
    start = document.text.index(sentence)
    quote = Quote(
        text=sentence,
        section="Abstract",
        start=start,
        end=start + len(sentence),
        source=document.source,
    )
    return {
        "1.1": Answer(
            answer="Y", source="proposed", confidence=0.9, detector="randomisation", quotes=[quote]
        ),
        "1.2": Answer(
            answer="PY",
            source="proposed",
            confidence=0.6,
            detector="concealment",
            comment="a trials unit held the list",
        ),
    }


@pytest.fixture
def study_corpus(corpus: Corpus) -> Corpus:
    corpus.write_record(make_record())
    return corpus


@pytest.fixture
def proposer():  # type: ignore[no-untyped-def]
    return fake_proposer


@pytest.fixture
def new_record():  # type: ignore[no-untyped-def]
    return make_record


@pytest.fixture
def open_session(study_corpus: Corpus):  # type: ignore[no-untyped-def]
    """Open (or resume) an appraisal of STUDY with the fake proposer."""
    from appraise.review import AssessSession

    def opener(reviewer: str = "ann", rubric: str = "rob2", **kwargs):  # type: ignore[no-untyped-def]
        record = study_corpus.read_record(STUDY)
        kwargs.setdefault("proposer", fake_proposer)
        return AssessSession.open(
            study_corpus,
            STUDY,
            rubric,
            reviewer=reviewer,
            record=record,
            document=record_document(record),
            **kwargs,
        )

    return opener
