"""The learned quote ranker: shipped as plain JSON, scored in one pass exactly as trained, and
never quoting a sentence that says the opposite of the proposal it supports."""

from __future__ import annotations

import json
import math
from functools import cache
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from appraise.documents import read_document
from appraise.evidence import Document, propose
from appraise.evidence.proposals import (
    DETECTORS,
    by_specificity,
    evidence_sentences,
    quotes_for,
)
from appraise.evidence.ranker import (
    FAMILY_OF_DETECTOR,
    MODEL_FILE,
    NOT_ADDED,
    default_ranker,
    question_features,
    sentence_features,
)
from appraise.evidence.signals import Context
from appraise.rubrics import load_rubric
from tests.conftest import ROOT, shared_path

DEV = sorted((ROOT / "benchmarks" / "labels" / "oa_trials" / "dev").glob("*.yaml"))
DIRECTION = {"Y": "yes", "PY": "yes", "N": "no", "PN": "no"}


@cache
def _dev_document(label: Path) -> Document:
    file = yaml.safe_load(label.read_text("utf-8"))["file"]
    return read_document(shared_path("data", "oa-trials", file))


def test_the_shipped_ranker_is_plain_json_with_a_model_per_family() -> None:
    data = json.loads(files("appraise.evidence").joinpath(MODEL_FILE).read_text("utf-8"))
    assert set(data["families"]) == set(FAMILY_OF_DETECTOR.values())
    assert 0 <= data["policy"]["cut"] <= 1 and 0 <= data["policy"]["add"] <= 1
    for model in data["families"].values():
        assert all(isinstance(w, float) for w in model["weights"].values())
    assert all(default_ranker().knows(d) for d in FAMILY_OF_DETECTOR)
    assert not default_ranker().knows("funding")


def test_one_pass_scores_equal_the_trained_features_summed() -> None:
    # The run-time lookup must see exactly the features the training script fitted on.
    document = _dev_document(DEV[0])
    ranker = default_ranker()
    weights = json.loads(files("appraise.evidence").joinpath(MODEL_FILE).read_text("utf-8"))
    for detector in ("randomisation", "assessor_awareness", "coi_declared"):
        model = weights["families"][FAMILY_OF_DETECTOR[detector]]
        cited = [s for s in document.sentences if s.kind == "methods"][:2]
        got = ranker.probabilities(document, detector, cited)
        for row, sentence in enumerate(document.sentences):
            if sentence.kind in NOT_ADDED and sentence not in cited:
                continue
            names = sentence_features(document, sentence) | set(
                question_features(detector, sentence in cited)
            )
            z = model["intercept"] + sum(model["weights"].get(n, 0.0) for n in names)
            assert got[row] == pytest.approx(1 / (1 + math.exp(-z)), abs=1e-9)


@pytest.mark.parametrize("label", DEV, ids=lambda p: p.stem)
def test_a_quote_the_detector_did_not_cite_never_points_the_other_way(label: Path) -> None:
    document = _dev_document(label)
    ctx = Context(document)
    for rubric in ("rob2", "psychotherapy"):
        for proposal in propose(document, load_rubric(rubric)).proposals:
            if proposal.detector not in FAMILY_OF_DETECTOR or not proposal.quotes:
                continue
            signal = DETECTORS[proposal.detector](ctx)
            cited = {s.start for s in evidence_sentences(signal.evidence)}
            for quote in proposal.quotes:
                sentence = document.sentence_at(quote.start)
                assert sentence is not None
                if sentence.start in cited:
                    continue
                # Added by the ranker: only to an answer that has a direction...
                assert proposal.answer in DIRECTION, (proposal.question, quote.text)
                alone = Document.from_sections(
                    [(sentence.section, sentence.kind, document.quote(sentence))], "quote"
                )
                got = DIRECTION.get(DETECTORS[proposal.detector](Context(alone)).answer)
                # ...and never one the detector, reading it alone, answers the other way.
                assert got in (None, DIRECTION[proposal.answer]), (proposal.question, quote.text)


def test_the_reviewers_sentence_comes_first_where_the_rules_missed_it() -> None:
    # PMC3564767: only self-report questionnaires; the rules quoted the screening assessments.
    document = _dev_document(next(p for p in DEV if p.stem == "PMC3564767"))
    proposal = propose(document, load_rubric("psychotherapy")).get("1.1")
    assert proposal is not None and proposal.answer in ("N", "PN")
    assert proposal.quotes[0].text == (
        "The measures were, however, based on self-report questionnaires."
    )
    assert len(proposal.quotes) <= default_ranker().policy.max_quotes


def test_a_detector_without_a_model_keeps_the_specificity_order() -> None:
    document = _dev_document(DEV[0])
    signal = DETECTORS["funding"](Context(document))
    expected = by_specificity(evidence_sentences(signal.evidence))
    got = quotes_for(document, signal.evidence, "funding", signal.answer)
    assert [q.end for q in got] == [s.end for s in expected]
    assert got


def test_no_evidence_and_no_answer_gives_no_quote() -> None:
    document = _dev_document(DEV[0])
    assert quotes_for(document, (), "randomisation", "NI") == []
