"""The methods paragraph says what a PRISMA 2020 item 11 reader needs, from the corpus."""

from __future__ import annotations

import pytest

from appraise import __version__
from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.errors import NotFoundError
from appraise.review import AssessSession, consensus_session, methods_paragraph
from tests.review.conftest import LOW_EVERYWHERE

STUDY = "10.1000/trial.1"


@pytest.fixture
def reviewed(open_session, study_corpus: Corpus) -> Corpus:  # type: ignore[no-untyped-def]
    # ann confirms the detector's 1.1 (Y) and changes its 1.2 (PY -> Y); bob answers alone
    # and overrides D5; the consensus settles the rest.
    open_session(reviewer="ann").apply_answers(LOW_EVERYWHERE)
    bob = AssessSession.open(study_corpus, STUDY, "rob2", reviewer="bob")
    bob.apply_answers({**LOW_EVERYWHERE, "domains": {"D5": {"judgement": "High", "reason": "x"}}})
    consensus_session(study_corpus, STUDY, "rob2").apply_answers({"domains": {"D5": "Low"}})
    return study_corpus


def test_the_paragraph_names_tool_rubric_reviewers_automation_and_retrieval(
    reviewed: Corpus,
) -> None:
    text = methods_paragraph(reviewed)
    assert f"applied with appraise {__version__}" in text
    assert (
        "RoB 2 (revised Cochrane risk-of-bias tool for randomised trials), version 2019-08-22"
        in text
    )
    assert "cochrane profile, effect of assignment" in text
    assert "BMJ 2019;366:l4898" in text
    assert (
        "1 study was appraised by 2 reviewers, two (or more) independently for each, with "
        "disagreements resolved by consensus (1 of 1 reconciled so far)"
    ) in text
    assert ("Of 26 signalling-question answers, 2 were first proposed automatically") in text
    assert "reviewers confirmed 1 of these unchanged and changed 1." in text
    assert "The other 24 were answered by reviewers directly." in text
    assert "reviewers overrode 1 of 10, each with a stated reason." in text
    assert "retrieved from Crossref (2026-03-02) and PubMed (2026-03-02)." in text


def test_unconfirmed_proposals_are_counted_as_such(open_session, study_corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    open_session(reviewer="robot")  # --no-input: proposals only
    text = methods_paragraph(study_corpus, "rob2")
    assert "1 study was appraised by one reviewer." in text
    assert "2 were first proposed automatically" in text and "2 remain unconfirmed" in text


def test_methods_command(reviewed: Corpus, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["methods", "--corpus", str(reviewed.root), "--rubric", "rob2"]) == 0
    assert capsys.readouterr().out.startswith("Risk of bias was assessed with RoB 2")
    with pytest.raises(NotFoundError, match="no appraisals with rubric rob1"):
        methods_paragraph(reviewed, "rob1")


def test_imported_judgements_are_named_with_their_source(study_corpus: Corpus) -> None:
    from appraise.models import Appraisal, Judgement

    study_corpus.write_appraisal(
        Appraisal(
            study=STUDY,
            rubric="rob2",
            rubric_version="2019-08-22",
            reviewer="metapsy-database",
            domains={f"D{i}": Judgement(judgement="Low") for i in range(1, 6)},
            overall=Judgement(judgement="Low"),
        )
    )
    text = methods_paragraph(study_corpus)
    assert (
        "Judgements for 1 study were imported without signalling-question answers "
        "(from metapsy-database)."
    ) in text
    assert "reviewers overrode" not in text
