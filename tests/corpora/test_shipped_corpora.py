"""The corpora shipped in corpus/: every file validates, every stored judgement is what the
rubric engine proposes, and every claim rests on works that are in the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraise.corpus import Corpus
from appraise.files import load_model
from appraise.ids import file_stem, parse_identifier
from appraise.models import Appraisal, StudyRecord
from appraise.rubrics import Engine, load_rubric

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ["iapt", "metapsy-ptsd"]


@pytest.fixture(params=CORPORA)
def shipped(request: pytest.FixtureRequest) -> Corpus:
    return Corpus(ROOT / "corpus" / request.param)


def test_every_record_validates_and_is_stored_under_its_id(shipped: Corpus) -> None:
    paths = shipped.record_paths()
    assert paths
    for path in paths:
        record = load_model(path, StudyRecord)
        assert path.stem == file_stem(record.id)
        assert str(parse_identifier(record.id)) == record.id
        assert record.sources, f"{path}: no provenance"
        assert set(record.sources) <= set(StudyRecord.model_fields)


def test_every_appraisal_validates_and_its_judgements_follow_from_its_answers(
    shipped: Corpus,
) -> None:
    stored = list(shipped.iter_appraisals())
    assert stored
    record_ids = {r.id for r in shipped.iter_records()}
    for item in stored:
        a = item.appraisal
        assert item.path == shipped.path_for(a)
        assert a.study in record_ids
        engine = Engine(load_rubric(a.rubric), profile=a.profile, options=a.options)
        if a.answers:
            evaluation = engine.evaluate({q: ans.answer for q, ans in a.answers.items()})
            for domain, result in evaluation.domains.items():
                judged = a.domains[domain]
                assert judged.proposed == result.judgement, (item.path, domain)
                # A reviewer's own verdict differs from the rules only with a written reason.
                if judged.judgement != result.judgement:
                    assert judged.override_reason, (item.path, domain)
            assert (a.status == "complete") == evaluation.complete
        finals = {d: j.judgement for d, j in a.domains.items()}
        if a.overall.judgement != engine.overall_from(finals)[0]:
            assert a.overall.override_reason, item.path
        else:
            assert a.overall.proposed == a.overall.judgement, item.path


def test_every_claim_cites_works_in_the_corpus(shipped: Corpus) -> None:
    claims = shipped.read_claims()
    assert claims is not None and claims.claims
    ids = {r.id for r in shipped.iter_records()}
    claim_ids = {c.id for c in claims.claims}
    for claim in claims.claims:
        assert claim.cites, claim.id
        for citation in claim.cites:
            target = citation.target
            if target.startswith("claim:"):
                assert target.removeprefix("claim:") in claim_ids
            else:
                assert target in ids, f"{claim.id} cites {target}, which has no record"


def test_corpus_info_names_a_rubric_and_the_licence(shipped: Corpus) -> None:
    info = shipped.info
    assert info.default_rubric in info.rubrics
    assert info.licence and info.attribution


def test_iapt_answers_each_say_which_seed_they_rest_on() -> None:
    corpus = Corpus(ROOT / "corpus" / "iapt")
    for item in corpus.iter_appraisals():
        a = item.appraisal
        # Besides the seeds' own appraisals: another party's verdict as a seed reports it.
        assert a.reviewer in ("seed-commentaries", "kellett-2021")
        for qid, answer in a.answers.items():
            assert answer.source == "reviewer" and answer.confirmed
            assert answer.comment, f"{item.path}: {qid} has no comment"
            if answer.answer not in ("NI", "NA"):
                assert "seed 00" in answer.comment, f"{item.path}: {qid} names no seed"


def test_iapt_records_keep_the_seeds_corrections() -> None:
    corpus = Corpus(ROOT / "corpus" / "iapt")
    simmonds = corpus.read_record("10.2196/17049")
    assert "10.2196/170490" in (simmonds.notes or "")
    wakefield = corpus.read_record("10.1111/bjc.12259")
    assert wakefield.pages == "1-37" and "10.1111/bjc.12268" in (wakefield.notes or "")
    kellett = corpus.read_record("10.1111/bjc.12268")
    assert kellett.authors[0].family == "Kellett"
    assert all(v == "manual" for r in corpus.iter_records() for v in r.sources.values())


def test_iapt_claims_are_disputed_and_wakefield_rests_on_a_high_risk_study() -> None:
    corpus = Corpus(ROOT / "corpus" / "iapt")
    claims = {c.id: c for c in corpus.read_claims().claims}  # type: ignore[union-attr]
    assert set(claims) == {
        "licbt-depression",
        "iapt-practice-based-evidence",
        "refugees-ptsd-depression",
        "digital-interventions-iapt",
        "cbt-me-cfs",
    }
    assert all(c.disputed_by for c in claims.values())
    wakefield = next(
        s.appraisal for s in corpus.iter_appraisals("psychotherapy", study="10.1111/bjc.12259")
    )
    assert set(j.judgement for j in wakefield.domains.values()) == {"High"}
    kinds = {c.target: c.kind for c in claims["iapt-practice-based-evidence"].cites}
    assert kinds["10.1111/bjc.12259"] == "supports"
    assert kinds["10.1177/1359105318755264"] == "weakens"


def test_metapsy_appraisals_are_imported_judgements_from_the_database() -> None:
    corpus = Corpus(ROOT / "corpus" / "metapsy-ptsd")
    stored = [s.appraisal for s in corpus.iter_appraisals("rob2")]
    # One appraisal per comparison: 131 comparisons of 102 studies.
    assert len(stored) == 131 and len({a.study for a in stored}) == 102
    for a in stored:
        assert isinstance(a, Appraisal)
        assert a.reviewer == "metapsy-database" and not a.answers
        assert all(j.proposed is None and j.judgement for j in a.domains.values())
        assert a.weight and a.weight > 0


def test_metapsy_results_carry_the_databases_effect_size_for_the_forest_plot(
    tmp_path: Path,
) -> None:
    from appraise.outputs.forest import draw_forest
    from appraise.outputs.matrix import build_matrix

    corpus = Corpus(ROOT / "corpus" / "metapsy-ptsd")
    stored = [s.appraisal for s in corpus.iter_appraisals("rob2")]
    # Acarturk 2016, EMDR vs waitlist on the IES: the database gives g 2,219 and se 0,307.
    acarturk = next(a for a in stored if a.study == "10.1017/s0033291716001070")
    result = acarturk.result
    assert (result.measure, result.estimate) == ("Hedges' g", 2.219)
    assert (result.ci_low, result.ci_high) == (round(2.219 - 1.959964 * 0.307, 4), 2.8207)
    assert all(a.result.estimate is not None for a in stored)
    forest = draw_forest(build_matrix(corpus), tmp_path / "forest.png")
    assert len(forest.rows) == 102 and not forest.left_out
    assert (tmp_path / "forest.png").stat().st_size > 10_000
