"""corpus/iapt says what the seed commentaries say: every answer of the seeds' appraisals cites
the seed sentence it rests on, verbatim, at the offsets it gives (or is NI/NA)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraise.corpus import Corpus

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
IAPT = Corpus(ROOT / "corpus" / "iapt")

pytestmark = pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"needs the seed commentaries in {SEEDS}"
)


def _seed_appraisals() -> list:
    return [s for s in IAPT.iter_appraisals() if s.appraisal.reviewer == "seed-commentaries"]


def test_every_cited_seed_sentence_is_in_its_seed_file_at_its_offsets() -> None:
    cited = 0
    for stored in _seed_appraisals():
        for qid, answer in stored.appraisal.answers.items():
            for quote in answer.quotes:
                assert quote.source and quote.source.startswith("../shared/seeds/"), qid
                text = (ROOT / quote.source).read_text("utf-8")
                assert quote.start is not None and quote.end is not None
                assert text[quote.start : quote.end] == quote.text, (stored.path, qid)
                cited += 1
    assert cited >= 60


def test_every_answer_the_seeds_give_cites_a_seed_sentence() -> None:
    for stored in _seed_appraisals():
        for qid, answer in stored.appraisal.answers.items():
            if answer.answer not in ("NI", "NA"):
                assert answer.quotes, f"{stored.path}: {qid} {answer.answer} cites no seed"
            assert answer.comment, f"{stored.path}: {qid} has no comment"


def test_the_seeds_verdict_on_scott_2018_is_an_override_beside_kelletts() -> None:
    """The rubric's High for the critic's own study is not shown as the seeds' judgement: the
    seeds' verdict is an override with their reason, and Kellett et al.'s verdict is theirs."""
    by_reviewer = {
        s.appraisal.reviewer: s.appraisal
        for s in IAPT.iter_appraisals(study="10.1177/1359105318755264")
    }
    seeds = by_reviewer["seed-commentaries"]
    assert seeds.domains["D1"].proposed == "High"
    assert seeds.domains["D1"].judgement == "Some concerns"
    assert "extraordinary" in (seeds.domains["D1"].override_reason or "")
    assert seeds.overall.judgement != "High"
    kellett = by_reviewer["kellett-2021"]
    assert kellett.overall.judgement == "High"
    assert "seed 001" in (kellett.overall.override_reason or "")


def test_replication_is_not_a_per_study_domain() -> None:
    for stored in IAPT.iter_appraisals(rubric="psychotherapy"):
        assert "D8" not in stored.appraisal.domains
        assert not {"8.1", "8.2"} & set(stored.appraisal.answers)
