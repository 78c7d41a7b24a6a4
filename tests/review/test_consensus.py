"""The consensus of two reviewers asks only about their disagreements."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.files import load_model
from appraise.models import Appraisal
from appraise.review import AssessSession, check_corpus, consensus_session
from tests.review.conftest import LOW_EVERYWHERE

STUDY = "10.1000/trial.1"
BOB = {
    **LOW_EVERYWHERE,
    "1.1": {"answer": "Y", "comment": "computer list"},
    "1.2": "N",
    "4.3": "PY",
    "4.4": "N",
    "domains": {"D5": {"judgement": "Some concerns", "reason": "late registration"}},
}


@pytest.fixture
def two_appraisals(study_corpus: Corpus) -> Corpus:
    for reviewer, answers in (("ann", LOW_EVERYWHERE), ("bob", BOB)):
        AssessSession.open(study_corpus, STUDY, "rob2", reviewer=reviewer).apply_answers(answers)
    return study_corpus


def test_only_disagreements_are_asked(two_appraisals: Corpus) -> None:
    session = consensus_session(two_appraisals, STUDY, "rob2")
    asked = []
    replies = {"1.2": "PY", "4.3": "N"}
    while (step := session.current) is not None:
        asked.append(step.id)
        if step.kind == "question":
            assert set(step.alternatives) == {"ann", "bob"}
            session.answer(replies[step.id])
        else:
            session.accept()
    assert asked == ["1.2", "D1", "4.3", "D4", "D5", "Overall"]
    saved = load_model(session.path, Appraisal)
    assert saved.reviewer == "consensus" and saved.status == "complete"
    assert {a.source for a in saved.answers.values()} == {"consensus"}
    assert saved.answers["1.1"].comment == "bob: computer list"
    assert saved.domains["D2"].judgement == "Low"  # agreed, never asked
    assert saved.domains["D5"].judgement == "Low" and saved.overall.judgement == "Low"
    assert "Consensus of ann and bob" in saved.notes
    assert check_corpus(two_appraisals) == []


def test_judgement_steps_show_each_reviewers_decision(two_appraisals: Corpus) -> None:
    session = consensus_session(two_appraisals, STUDY, "rob2")
    session.answer("N")  # 1.2
    session.accept()  # D1 High
    session.answer("PY")  # 4.3 now leads to 4.4, which only bob answered
    assert session.current.id == "4.4" and set(session.current.alternatives) == {"bob"}
    session.answer("N")
    session.accept()  # D4
    d5 = session.current
    assert d5.id == "D5" and d5.alternatives["bob"].override_reason == "late registration"
    session.override("Some concerns", "late registration; outcome unchanged from protocol")
    session.accept()  # overall
    saved = load_model(session.path, Appraisal)
    assert saved.domains["D5"].override_reason.startswith("late registration")
    assert saved.overall.judgement == "High"


def test_consensus_command_with_prompts_and_resume(
    two_appraisals: Corpus, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stdin", io.StringIO("Y\n\ns\n"))
    args = ["consensus", STUDY, "--rubric", "rob2", "--corpus", str(two_appraisals.root)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "ann: Y" in out and "bob: N" in out and "(in-progress;" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("N\n\n\n\n"))
    assert main([*args, "--reviewers", "ann,bob"]) == 0
    out = capsys.readouterr().out
    assert "1.2 [" not in out and "4.3 [" in out
    saved = load_model(
        two_appraisals.appraisal_path(STUDY, "rob2", "study", "consensus"), Appraisal
    )
    assert saved.status == "complete" and saved.answers["1.2"].answer == "Y"


def test_consensus_from_an_answers_file(two_appraisals: Corpus, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    answers = tmp_path / "settled.yaml"
    answers.write_text("'1.2': PY\n'4.3': N\ndomains:\n  D5: Low\n")
    assert (
        main(
            [
                "consensus",
                STUDY,
                "-r",
                "rob2",
                "-c",
                str(two_appraisals.root),
                "--answers",
                str(answers),
            ]
        )
        == 0
    )
    saved = load_model(
        two_appraisals.appraisal_path(STUDY, "rob2", "study", "consensus"), Appraisal
    )
    assert saved.status == "complete" and saved.overall.judgement == "Low"


def test_a_consensus_needs_two_appraisals(study_corpus: Corpus) -> None:
    AssessSession.open(study_corpus, STUDY, "rob2", reviewer="ann").apply_answers(LOW_EVERYWHERE)
    with pytest.raises(InputError, match="found 1 \\(ann\\)"):
        consensus_session(study_corpus, STUDY, "rob2")
    with pytest.raises(Exception, match="no rob2 appraisal of 10.1000/trial.1 by zoe"):
        consensus_session(study_corpus, STUDY, "rob2", reviewers=["ann", "zoe"])


def test_rob1_consensus_asks_only_the_domains_judged_differently(study_corpus: Corpus) -> None:
    for reviewer, d3 in (("ann", "High"), ("bob", "Unclear")):
        AssessSession.open(study_corpus, STUDY, "rob1", reviewer=reviewer).apply_answers(
            {**{f"D{i}": "Low" for i in range(1, 8)}, "D3": d3}
        )
    session = consensus_session(study_corpus, STUDY, "rob1")
    assert session.current.id == "D3"
    assert {who: a.answer for who, a in session.current.alternatives.items()} == {
        "ann": "High",
        "bob": "Unclear",
    }
    session.answer("high")
    assert session.current.id == "Overall"
    session.accept()
    saved = load_model(session.path, Appraisal)
    assert saved.status == "complete" and saved.overall.judgement == "High"


def test_agreed_answers_keep_both_reviewers_quotes_and_comments(
    open_session,  # type: ignore[no-untyped-def]
    study_corpus: Corpus,
) -> None:
    """The evidence a manuscript cites survives the consensus: agreed answers carry every
    quote (each once) and each reviewer's comment, attributed."""
    for reviewer, extra_quote, note in (
        ("ann", "Outcome assessors were unaware of allocation.", "list held off site"),
        ("bob", None, "computer list"),
    ):
        session = open_session(reviewer)
        session.comment(note)  # on 1.1, before accepting the detector's Y
        if extra_quote:
            session.quote(extra_quote)
        session.answer()  # 1.1 Y
        session.apply_answers({**LOW_EVERYWHERE, "1.2": "Y" if reviewer == "ann" else "N"})
    consensus = consensus_session(study_corpus, STUDY, "rob2")
    agreed = consensus.appraisal.answers["1.1"]
    assert [q.text for q in agreed.quotes] == [
        "Participants were randomised by a computer-generated list held by a trials unit.",
        "Outcome assessors were unaware of allocation.",
    ]
    assert agreed.comment == "ann: list held off site\nbob: computer list"
    assert "randomised by a computer-generated list" in consensus.appraisal.domains["D1"].support


def test_a_comment_typed_while_settling_is_saved_with_the_answer(two_appraisals: Corpus) -> None:
    session = consensus_session(two_appraisals, STUDY, "rob2")
    assert session.current.id == "1.2"
    session.comment("checked the protocol together")
    session.back()  # going back and forth keeps it
    session.answer("N")  # bob's answer, which he gave without a comment
    saved = load_model(session.path, Appraisal)
    assert saved.answers["1.2"].source == "consensus"
    assert saved.answers["1.2"].comment == "checked the protocol together"


def test_settled_answers_inherit_quotes_from_the_reviewers_who_gave_them(
    open_session,  # type: ignore[no-untyped-def]
    study_corpus: Corpus,
) -> None:
    for reviewer, answer in (("ann", "Y"), ("bob", "PN")):
        session = open_session(reviewer)
        session.comment(f"{reviewer} read the methods")
        session.answer(answer)  # 1.1, with the detector's quote kept
        session.apply_answers({k: v for k, v in LOW_EVERYWHERE.items() if k != "1.1"})
    session = consensus_session(study_corpus, STUDY, "rob2")
    step = session.current
    assert step.id == "1.1" and step.default is None
    assert {w: a.answer for w, a in step.alternatives.items()} == {"ann": "Y", "bob": "PN"}
    assert all(a.quotes for a in step.alternatives.values())
    session.answer("PN")
    settled = load_model(session.path, Appraisal).answers["1.1"]
    assert settled.comment == "bob: bob read the methods"
    assert settled.quotes[0].text.startswith("Participants were randomised")


def test_context_answers_that_differ_are_asked_with_each_side(
    open_session,  # type: ignore[no-untyped-def]
    study_corpus: Corpus,
) -> None:
    for reviewer, rater in (("ann", "self-report"), ("bob", "assessor")):
        open_session(reviewer, profile="metapsy").apply_answers({**LOW_EVERYWHERE, "rater": rater})
    session = consensus_session(study_corpus, STUDY, "rob2")
    step = session.current
    assert (step.kind, step.id) == ("context", "rater")
    assert {w: a.answer for w, a in step.alternatives.items()} == {
        "ann": "self-report",
        "bob": "assessor",
    }
    session.answer("assessor")
    assert load_model(session.path, Appraisal).context == {"rater": "assessor"}
