"""Two `appraise assess --answers` runs on one appraisal at once: every answer is kept.

Issue 19: run on different questions of one study, one side's answers were lost in 20 of 50
runs ("question 1.1 was changed by another process") because stored proposals were treated as
a reviewer's edits. A reviewer's answer beats a proposal; two reviewers' different answers to
the same question stop with a conflict that names the question.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from appraise.corpus import AppraisalFile, ConflictError, Corpus
from appraise.files import load_model
from appraise.models import Answer, Appraisal
from tests.review.conftest import LOW_EVERYWHERE, STUDY, make_record

ROOT = Path(__file__).resolve().parents[2]
FIRST = {q: a for q, a in LOW_EVERYWHERE.items() if q < "3"}
SECOND = {q: a for q, a in LOW_EVERYWHERE.items() if q >= "3"}


def _assess(corpus: Corpus, answers: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "APPRAISE_REVIEWER": "ann"}
    args = ["assess", STUDY, "-r", "rob2", "-c", str(corpus.root), "--answers", str(answers)]
    return subprocess.Popen(
        [sys.executable, "-m", "appraise", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_concurrent_assess_runs_on_different_questions_keep_both(tmp_path: Path) -> None:
    files = []
    for name, answers in (("first", FIRST), ("second", SECOND)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(answers), encoding="utf-8")
        files.append(path)
    for run in range(3):
        corpus = Corpus(tmp_path / f"corpus-{run}")
        corpus.write_record(make_record())
        runs = [_assess(corpus, path) for path in files]
        for process in runs:
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
        (path,) = corpus.appraisal_paths()
        stored = load_model(path, Appraisal).answers
        given = {q: a.answer for q, a in stored.items() if a.confirmed}
        assert given == LOW_EVERYWHERE, f"run {run}"


def _proposal(value: str) -> Answer:
    return Answer(answer=value, source="proposed", confirmed=False, detector="d")


def _given(value: str) -> Answer:
    return Answer(answer=value, source="reviewer", confirmed=True)


def _with(appraisal: Appraisal, answers: dict[str, Answer]) -> Appraisal:
    return appraisal.model_copy(update={"answers": {**appraisal.answers, **answers}})


def test_a_reviewers_answer_beats_a_stored_proposal(corpus: Corpus) -> None:
    path = corpus.appraisal_path(STUDY, "rob2", "study", "ann")
    blank = Appraisal(study=STUDY, rubric="rob2", rubric_version="2019-08-22", reviewer="ann")
    mine = AppraisalFile.open(corpus, path)  # opened before the other process wrote anything
    theirs = AppraisalFile.open(corpus, path)
    theirs.save(_with(blank, {"1.1": _given("N"), "2.1": _proposal("NI")}))
    saved = mine.save(_with(blank, {"1.1": _proposal("Y"), "2.1": _given("Y")}))
    assert {q: (a.answer, a.confirmed) for q, a in saved.answers.items()} == {
        "1.1": ("N", True),
        "2.1": ("Y", True),
    }


def test_two_reviewer_answers_to_one_question_conflict_loudly(corpus: Corpus) -> None:
    path = corpus.appraisal_path(STUDY, "rob2", "study", "ann")
    blank = Appraisal(study=STUDY, rubric="rob2", rubric_version="2019-08-22", reviewer="ann")
    mine, theirs = AppraisalFile.open(corpus, path), AppraisalFile.open(corpus, path)
    theirs.save(_with(blank, {"1.1": _given("N")}))
    with pytest.raises(ConflictError, match=r"question 1\.1 .*\(N there, Y here\)"):
        mine.save(_with(blank, {"1.1": _given("Y")}))
    assert load_model(path, Appraisal).answers["1.1"].answer == "N"
