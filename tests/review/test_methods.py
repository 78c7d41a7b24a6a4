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
    # Reviewers per study, not a total that reads as per study ("by 2 reviewers").
    assert (
        "Each study was appraised independently by two reviewers; disagreements were resolved "
        "by consensus."
    ) in text
    assert "to 1 study (Guided self-help for depression: a randomised trial (2020))." in text
    assert ("Of 26 signalling-question answers, 2 were first proposed automatically") in text
    assert "reviewers confirmed 1 of these unchanged and changed 1." in text
    assert "The other 24 were answered by reviewers directly." in text
    assert "reviewers overrode 1 of 10, each with a stated reason." in text
    assert "retrieved from Crossref (2026-03-02) and PubMed (2026-03-02)." in text


def test_unconfirmed_proposals_are_counted_as_such(open_session, study_corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    open_session(reviewer="robot")  # --no-input: proposals only
    text = methods_paragraph(study_corpus, "rob2")
    assert "Each study was appraised by one reviewer." in text
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


def test_reviewers_per_study_are_read_from_the_data(corpus: Corpus, new_record) -> None:  # type: ignore[no-untyped-def]
    pairs = {"ref:a": ("ann", "bob"), "ref:b": ("bob", "cat"), "ref:c": ("ann", "cat")}
    for study, reviewers in pairs.items():
        corpus.write_record(new_record(study))
        for reviewer in reviewers:
            AssessSession.open(corpus, study, "rob2", reviewer=reviewer).apply_answers(
                LOW_EVERYWHERE
            )
    text = methods_paragraph(corpus)
    assert (
        "Each study was appraised independently by two of three reviewers; disagreements are "
        "resolved by consensus (0 of 3 so far)."
    ) in text
    corpus.write_record(new_record("ref:d"))
    AssessSession.open(corpus, "ref:d", "rob2", reviewer="ann").apply_answers(LOW_EVERYWHERE)
    assert (
        "Of 4 studies, 3 were appraised by two reviewers and 1 by one reviewer "
        "(three reviewers in all)"
    ) in methods_paragraph(corpus)


def test_one_sentence_per_rubric_names_its_studies_and_profiles_only_where_they_exist(
    corpus: Corpus, new_record
) -> None:  # type: ignore[no-untyped-def]
    from tests.review.test_agreement import appraise_rob1

    for study in ("ref:a", "ref:b"):
        corpus.write_record(new_record(study))
    AssessSession.open(corpus, "ref:a", "rob2", reviewer="ann").apply_answers(LOW_EVERYWHERE)
    appraise_rob1(corpus, "ref:b", "ann", "Low")
    text = methods_paragraph(corpus)
    assert text.startswith("Risk of bias was assessed with two tools, applied with appraise")
    assert text.count("Risk of bias was assessed") == 1
    rob1 = text[text.index("Cochrane risk-of-bias tool (RoB 1") :]
    assert "version" in rob1.split(" was applied")[0] and "profile" not in rob1.split(".")[0]
    assert "was applied to 1 study (Guided self-help" in rob1
    assert "cochrane profile, effect of assignment" in text


def test_the_shipped_iapt_corpus_names_the_psychotherapy_rubric_without_a_profile() -> None:
    from tests.conftest import ROOT

    text = methods_paragraph(Corpus(ROOT / "corpus" / "iapt"))
    assert "conflicts), version 2.0 (appraise project rubric" in text
    assert "version 2.0, cochrane profile" not in text
    assert "was applied to 6 studies (Kip 2020, " in text
    assert "2019-08-22, cochrane profile, effect of assignment" in text


def test_proposals_all_confirmed_read_as_such(open_session, study_corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    session = open_session(reviewer="ann")
    session.answer()  # Enter on 1.1 (Y) and on 1.2 (PY): both proposals confirmed
    session.answer()
    text = methods_paragraph(study_corpus, "rob2")
    assert "2 were first proposed automatically" in text
    assert "reviewers confirmed every one unchanged" in text and "changed 0" not in text
