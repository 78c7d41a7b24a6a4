"""A small RoB 2 corpus written through the Corpus API: records with authors, appraisals with
answers, quotes, a reviewer override, weights, one study with two reviewers and a consensus."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from appraise.corpus import Corpus
from appraise.models import Answer, Appraisal, Author, Judgement, Quote, StudyRecord

# study id, authors, year, domains D1..D5, overall, weight
STUDIES: list[tuple[str, list[tuple[str, str]], int, list[str], str, float]] = [
    (
        "10.1000/alpha",
        [("Smith", "Ann"), ("Jones", "Bo"), ("Lee", "Cy")],
        2019,
        ["Low", "Low", "Low", "Low", "Low"],
        "Low",
        30.0,
    ),
    (
        "10.1000/beta",
        [("Okafor", "Ngozi")],
        2015,
        ["Some concerns", "Low", "Low", "Low", "Low"],
        "Some concerns",
        20.0,
    ),
    (
        "10.1000/gamma",
        [("Smith", "Dan"), ("Wu", "Li"), ("Kay", "Al")],
        2019,
        ["Low", "High", "Low", "Some concerns", "Low"],
        "High",
        50.0,
    ),
    (
        "pmid:123456",
        [("García", "José"), ("Müller", "Jörg")],
        2021,
        ["Low", "Low", "Some concerns", "Low", "Low"],
        "Some concerns",
        0.0,
    ),
]
BASE_TIME = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _appraisal(
    study: str, domains: list[str], overall: str, weight: float, index: int, reviewer: str = "ann"
) -> Appraisal:
    answers: dict[str, Answer] = {}
    judgements = {
        f"D{i}": Judgement(proposed=word, judgement=word) for i, word in enumerate(domains, 1)
    }
    if index == 0:
        answers = {
            "1.1": Answer(
                answer="Y",
                source="reviewer",
                confirmed=True,
                quotes=[
                    Quote(
                        text="Randomisation used a computer-generated list & 50% blocks_of_4",
                        section="Methods",
                    )
                ],
            ),
            "1.2": Answer(
                answer="PY",
                source="reviewer",
                confirmed=True,
                comment="Sealed envelopes; opaque | sequential not stated",
            ),
            "1.3": Answer(answer="N", source="proposed"),
        }
        # D1 follows from the answers; the other domains, with none, are judged directly
        judgements.update(
            {d: Judgement(proposed=None, judgement=j.judgement) for d, j in judgements.items()}
        )
        judgements["D1"] = Judgement(
            proposed="Low",
            rule="D1 rule 3",
            judgement="Low",
            support="Central randomisation, {no} $imbalance$ #1 ~ok^",
        )
    if index == 2:
        judgements["D2"] = Judgement(
            proposed="Some concerns",
            judgement="High",
            override_reason="Half the control arm switched to drug",
        )
    return Appraisal(
        study=study,
        rubric="rob2",
        rubric_version="2019-08-22",
        reviewer=reviewer,
        status="complete",
        answers=answers,
        domains=judgements,
        overall=Judgement(proposed=overall, judgement=overall),
        weight=weight,
        created=BASE_TIME + timedelta(minutes=index),
    )


def build_corpus(corpus: Corpus) -> Corpus:
    for index, (study, authors, year, domains, overall, weight) in enumerate(STUDIES):
        corpus.write_record(
            StudyRecord(
                id=study,
                doi=study if study.startswith("10.") else None,
                pmid=study.split(":")[1] if study.startswith("pmid:") else None,
                title=f"Trial {index + 1} of a psychological therapy: {{braces}} & 100% care",
                authors=[Author(family=f, given=g) for f, g in authors],
                year=year,
                journal="Journal of Trials",
                volume="12",
                issue="3",
                pages=f"{100 + index}-110",
            )
        )
        corpus.write_appraisal(_appraisal(study, domains, overall, weight, index))
    # A second reviewer and a consensus for beta: the consensus must speak for the study.
    other = _appraisal("10.1000/beta", ["High"] * 5, "High", 20.0, 1, reviewer="bob")
    corpus.write_appraisal(other)
    consensus = _appraisal(
        "10.1000/beta",
        ["Some concerns", "Low", "Low", "Low", "Low"],
        "Some concerns",
        20.0,
        1,
        reviewer="consensus",
    )
    corpus.write_appraisal(consensus)
    return corpus


@pytest.fixture
def rob2_corpus(corpus: Corpus) -> Corpus:
    return build_corpus(corpus)
