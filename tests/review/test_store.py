"""Appraisal files survive a killed writer and concurrent writers, and never lose answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from appraise.corpus import Corpus
from appraise.files import load_model
from appraise.models import Answer, Appraisal
from appraise.review import AppraisalFile, ConflictError

ROOT = Path(__file__).resolve().parents[2]


def blank(study: str = "ref:study-1") -> Appraisal:
    return Appraisal(study=study, rubric="rob2", rubric_version="2019-08-22", reviewer="ann")


def answered(appraisal: Appraisal, qid: str, value: str) -> Appraisal:
    answer = Answer(answer=value, source="reviewer", confirmed=True)
    return appraisal.model_copy(update={"answers": {**appraisal.answers, qid: answer}})


def test_changes_by_another_writer_are_merged(corpus: Corpus) -> None:
    path = corpus.appraisal_path("ref:study-1", "rob2", "study", "ann")
    AppraisalFile.open(corpus, path).save(blank())
    mine, theirs = AppraisalFile.open(corpus, path), AppraisalFile.open(corpus, path)
    mine.save(answered(mine.base, "1.1", "Y"))
    theirs.save(answered(theirs.base, "1.2", "N"))
    mine.save(answered(mine.base, "1.3", "PN"))
    stored = load_model(path, Appraisal).answers
    assert {q: a.answer for q, a in stored.items()} == {"1.1": "Y", "1.2": "N", "1.3": "PN"}


def test_the_same_answer_changed_differently_stops_with_a_clear_message(corpus: Corpus) -> None:
    path = corpus.appraisal_path("ref:study-1", "rob2", "study", "ann")
    AppraisalFile.open(corpus, path).save(blank())
    mine, theirs = AppraisalFile.open(corpus, path), AppraisalFile.open(corpus, path)
    theirs.save(answered(theirs.base, "1.1", "Y"))
    with pytest.raises(ConflictError, match=r"question 1\.1 was changed by another") as caught:
        mine.save(answered(mine.base, "1.1", "N"))
    assert "resumes from the saved file" in str(caught.value)
    assert load_model(path, Appraisal).answers["1.1"].answer == "Y"


def _start(script: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


# Appraises study after study with rob1 through the real session, printing each answer only
# after the session's save has returned.
WRITER = """
    import sys
    from appraise.corpus import Corpus
    from appraise.review import AssessSession
    corpus = Corpus(sys.argv[1])
    for n in range(10_000):
        session = AssessSession.open(corpus, f"ref:study-{n}", "rob1", reviewer="ann")
        while (step := session.current) is not None:
            if step.kind == "question":
                session.answer("High" if n % 2 else "Low")
            else:
                session.accept()
            print(session.path, step.id, flush=True)
"""


def test_a_killed_writer_loses_nothing_it_saved(corpus: Corpus) -> None:
    writer = _start(WRITER, str(corpus.root))
    saved: list[tuple[str, str]] = []
    assert writer.stdout is not None
    while len(saved) < 60:
        line = writer.stdout.readline()
        assert line, writer.stderr.read() if writer.stderr else "writer stopped"
        path, qid = line.split()
        saved.append((path, qid))
    os.kill(writer.pid, signal.SIGKILL)
    rest, _ = writer.communicate()
    saved.extend(tuple(line.split()) for line in rest.splitlines())  # type: ignore[misc]
    assert writer.returncode == -signal.SIGKILL
    files = corpus.appraisal_paths()
    appraisals = {str(p): load_model(p, Appraisal) for p in files}  # every file still parses
    for path, qid in saved:
        stored = appraisals[path]
        if qid == "Overall":
            assert stored.overall.judgement is not None and stored.status == "complete"
        else:
            assert stored.answers[qid].confirmed, (path, qid)


# Two processes answer different questions of the same appraisal file at the same time.
CONCURRENT = """
    import sys
    from appraise.corpus import Corpus
    from appraise.models import Answer
    from appraise.review import AppraisalFile
    corpus, prefix = Corpus(sys.argv[1]), sys.argv[2]
    path = corpus.appraisal_path("ref:study-1", "rob2", "study", "ann")
    file = AppraisalFile.open(corpus, path)
    for i in range(25):
        answer = Answer(answer="Y", source="reviewer", confirmed=True)
        base = file.base
        file.save(base.model_copy(update={"answers": {**base.answers, f"{prefix}{i}": answer}}))
"""


def test_two_writers_on_one_file_keep_both_sets_of_answers(corpus: Corpus) -> None:
    path = corpus.appraisal_path("ref:study-1", "rob2", "study", "ann")
    AppraisalFile.open(corpus, path).save(blank())
    writers = [_start(CONCURRENT, str(corpus.root), prefix) for prefix in ("a", "b")]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    stored = load_model(path, Appraisal)
    assert set(stored.answers) == {f"{p}{i}" for p in "ab" for i in range(25)}
