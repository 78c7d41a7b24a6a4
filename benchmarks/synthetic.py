"""Synthetic inputs for the benchmarks: seeded random RoB 2 answer sets, and whole corpora of
study records with a reviewer's RoB 2 appraisal each, written with appraise's own library.

Seeded, so every run measures the same work. The records cite one another (each cites up to
30 earlier studies) so the citation edges and graphs built from them are realistic in shape.
"""

from __future__ import annotations

import atexit
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

from appraise.corpus import Corpus
from appraise.models import (
    Answer,
    Appraisal,
    Author,
    Judgement,
    Reference,
    ResultAssessed,
    StudyRecord,
)
from appraise.rubrics import Engine, load_rubric

FAMILIES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Evans"]
JOURNALS = ["Behav Res Ther", "J Consult Clin Psychol", "Br J Clin Psychol", "Psychol Med"]
TREATMENTS = ["guided self-help CBT", "prolonged exposure", "EMDR", "behavioural activation"]


def random_answer_sets(
    n: int, *, seed: int = 1, effect: str = "assignment"
) -> list[dict[str, str]]:
    """``n`` answer sets for RoB 2, every signalling question answered at random."""
    rng = random.Random(seed)
    engine = Engine(load_rubric("rob2"), options={"effect": effect})
    questions = [(q.id, list(q.options)) for _, q in engine.questions_in_order()]
    return [{qid: rng.choice(options) for qid, options in questions} for _ in range(n)]


def study_doi(index: int) -> str:
    return f"10.5555/bench.{index:06d}"


def synthetic_record(index: int, rng: random.Random) -> StudyRecord:
    treatment = rng.choice(TREATMENTS)
    cited = rng.sample(range(index), k=min(index, rng.randint(5, 30)))
    return StudyRecord(
        id=study_doi(index),
        doi=study_doi(index),
        title=f"A randomised trial of {treatment} for adults with depression ({index})",
        authors=[
            Author(family=rng.choice(FAMILIES), given=chr(65 + rng.randrange(26)))
            for _ in range(rng.randint(1, 8))
        ],
        journal=rng.choice(JOURNALS),
        year=rng.randint(1995, 2025),
        type="journal-article",
        abstract=(
            f"Background: we compared {treatment} with a waiting list. Methods: participants "
            f"were randomised by computer; outcomes were rated by masked assessors using the "
            f"SCID and the PHQ-9. Results: {rng.randint(40, 400)} participants were included."
        ),
        references=[Reference(doi=study_doi(i)) for i in sorted(cited)],
        sources={"title": "benchmark", "abstract": "benchmark"},
    )


def reviewer_appraisal(study: str, answers: dict[str, str], engine: Engine) -> Appraisal:
    """A complete appraisal as a reviewer would keep it: answers, and the rules' judgements."""
    evaluation = engine.evaluate(answers)
    return Appraisal(
        study=study,
        rubric=engine.rubric.id,
        rubric_version=engine.rubric.version,
        profile=engine.profile,
        options=dict(engine.options),
        result=ResultAssessed(outcome="Depression (PHQ-9)", timepoint="post", label="PHQ-9, post"),
        reviewer="benchmark",
        status="complete" if evaluation.complete else "in-progress",
        answers={
            q: Answer(answer=a, source="reviewer", confirmed=True) for q, a in answers.items()
        },
        domains={
            d: Judgement(proposed=r.judgement, rule=r.rule, judgement=r.judgement)
            for d, r in evaluation.domains.items()
        },
        overall=Judgement(
            proposed=evaluation.overall, rule=evaluation.overall_rule, judgement=evaluation.overall
        ),
        weight=round(random.Random(study).uniform(1, 40), 2),
    )


def write_corpus(root: Path, n_studies: int, *, seed: int = 11) -> Corpus:
    """A corpus of ``n_studies`` records, each with one RoB 2 appraisal."""
    rng = random.Random(seed)
    corpus = Corpus(root)
    engine = Engine(load_rubric("rob2"))
    for index, answers in enumerate(random_answer_sets(n_studies, seed=seed)):
        record = synthetic_record(index, rng)
        corpus.write_record(record)
        corpus.write_appraisal(reviewer_appraisal(record.id, answers, engine))
    return corpus


def corpus_size(root: Path) -> dict[str, Any]:
    files = [p for p in root.rglob("*.yaml") if ".appraise" not in p.parts]
    return {"files": len(files), "megabytes": round(sum(p.stat().st_size for p in files) / 1e6, 1)}


_CORPORA: dict[int, Corpus] = {}


def shared_corpus(n_studies: int) -> Corpus:
    """One generated corpus of this size per benchmark run, shared by the benchmarks that need
    it and removed when the run ends."""
    if n_studies not in _CORPORA:
        root = Path(tempfile.mkdtemp(prefix=f"appraise-bench-corpus-{n_studies}-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _CORPORA[n_studies] = write_corpus(root / "corpus", n_studies)
    return _CORPORA[n_studies]
