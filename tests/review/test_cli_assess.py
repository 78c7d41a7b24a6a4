"""`appraise assess` driven through its prompts, as a reviewer at the terminal would."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.files import load_model
from appraise.models import Appraisal
from tests.conftest import shared_path

STUDY = "10.1000/trial.1"


@pytest.fixture
def run(study_corpus: Corpus, monkeypatch: pytest.MonkeyPatch, capsys):  # type: ignore[no-untyped-def]
    """Run `appraise ARGS --corpus C` with ``replies`` typed at the prompts, one per line."""

    def runner(args: list[str], replies: list[str] | None = None) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{r}\n" for r in replies or [])))
        code = main([*args, "--corpus", str(study_corpus.root)])
        out, err = capsys.readouterr()
        return code, out, err

    monkeypatch.setenv("APPRAISE_REVIEWER", "ann")
    return runner


def stored(corpus: Corpus, reviewer: str = "ann", result: str = "study") -> Appraisal:
    return load_model(corpus.appraisal_path(STUDY, "rob2", result, reviewer), Appraisal)


LOW_REST = [
    "N",
    "N",
    "Y",
    "",  # D2: 2.1, 2.2, 2.6, judgement
    "Y",
    "",  # D3
    "N",
    "N",
    "N",
    "",  # D4
    "Y",
    "N",
    "N",
    "",  # D5
    "",
]  # overall


def test_a_whole_appraisal_at_the_prompts(run, study_corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    replies = [
        "",  # 1.1: accept the detector's proposal
        "c a trials unit held the list",  # comment on 1.2, then answer it
        "PY",
        "q Outcome assessors were unaware of allocation.",  # a quote for 1.3
        "N",
        "High",  # override D1's proposed Low ...
        "",  # ... a reason is required: asked again
        "the trial report contradicts the abstract",
        "b",  # back from 2.1 to D1: its override and reason are kept on Enter
        "",
        *LOW_REST,
    ]
    code, out, err = run(["assess", STUDY, "--rubric", "rob2"], replies)
    assert code == 0, err
    assert "conflicts of interest: The authors declare no competing interests." in out
    assert "registered: ISRCTN ISRCTN12345678" in out
    assert "proposed:" in out and "“Participants were randomised" in out
    assert "quote kept (found in Abstract)" in out
    assert "High (overrides Low" in out
    saved = stored(study_corpus)
    assert saved.status == "complete"
    assert saved.answers["1.1"].source == "proposed" and saved.answers["1.1"].confirmed
    assert saved.answers["1.2"].comment == "a trials unit held the list"
    assert saved.answers["1.3"].quotes[-1].section == "Abstract"
    d1 = saved.domains["D1"]
    assert (d1.proposed, d1.judgement) == ("Low", "High")
    assert d1.override_reason == "the trial report contradicts the abstract"
    assert saved.overall.judgement == "High"
    assert f"saved: {study_corpus.appraisal_path(STUDY, 'rob2', 'study', 'ann')} (complete)" in out


def test_save_and_quit_then_resume_where_left(run, study_corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        ["assess", STUDY, "-r", "rob2", "--result", "PHQ-9, 12 weeks"], ["N", "Y", "s"]
    )
    assert code == 0 and "(in-progress;" in out
    first = stored(study_corpus, result="phq-9-12-weeks")
    assert first.answers["1.1"].answer == "N" and first.answers["1.1"].proposed == "Y"
    code, out, _ = run(
        ["assess", STUDY, "-r", "rob2", "--result", "PHQ-9, 12 weeks"], ["N", "", *LOW_REST]
    )
    assert code == 0
    asked = [line.split(" [")[0] for line in out.splitlines() if " [Y/PY/PN/N/NI]" in line]
    assert asked[0].endswith("1.3") and not any(a.endswith("1.1") for a in asked)
    final = stored(study_corpus, result="phq-9-12-weeks")
    assert final.status == "complete" and final.answers["1.1"].answer == "N"
    assert final.result.outcome == "PHQ-9" and final.result.timepoint == "12 weeks"


def test_no_input_never_overwrites_the_reviewers_answers(run, study_corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    run(["assess", STUDY, "-r", "rob2"], ["N", "s"])
    code, out, _ = run(["assess", STUDY, "-r", "rob2", "--no-input"])
    assert code == 0 and "proposed, not confirmed" in out
    saved = stored(study_corpus)
    assert (saved.answers["1.1"].answer, saved.answers["1.1"].source) == ("N", "reviewer")
    assert saved.answers["1.2"].source == "proposed" and not saved.answers["1.2"].confirmed


def test_answers_from_a_file(run, study_corpus: Corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps(
            {
                "1.1": "Y",
                "1.2": "Y",
                "1.3": {"answer": "N", "comment": "Table 1 balanced"},
                "2.1": "N",
                "2.2": "N",
                "2.6": "Y",
                "3.1": "Y",
                "4.1": "N",
                "4.2": "N",
                "4.3": "N",
                "5.1": "Y",
                "5.2": "N",
                "5.3": "N",
                "domains": {"D5": {"judgement": "Some concerns", "reason": "registered late"}},
            }
        )
    )
    code, _out, err = run(
        ["assess", STUDY, "-r", "rob2", "--answers", str(answers), "--reviewer", "bob"]
    )
    assert code == 0, err
    saved = stored(study_corpus, reviewer="bob")
    assert saved.status == "complete" and saved.overall.judgement == "Some concerns"
    assert saved.answers["1.3"].comment == "Table 1 balanced"
    assert all(saved.answers[q].confirmed for q in ("1.1", "2.6", "5.3"))
    assert saved.domains["D5"].override_reason == "registered late"


def test_bad_input_is_one_line_with_a_fix(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = tmp_path / "answers.yaml"
    answers.write_text("'1.1': maybe\n")
    code, _out, err = run(["assess", STUDY, "-r", "rob2", "--answers", str(answers)])
    assert code == 2 and err.count("\n") == 1
    assert "'maybe' is not an answer to question 1.1 (type one of Y / PY / PN / N / NI)" in err
    code, _, err = run(["assess", STUDY, "-r", "rob3"])
    assert code == 2 and "unknown rubric 'rob3'" in err
    code, _, err = run(["assess", STUDY, "-r", "rob2", "--reviewer", "consensus"])
    assert code == 2 and "appraise consensus" in err


def test_a_wrong_reply_is_explained_and_asked_again(run, study_corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(["assess", STUDY, "-r", "rob2"], ["maybe", "PN", "s"])
    assert code == 0 and "'maybe' is not an answer to 1.1" in err
    assert stored(study_corpus).answers["1.1"].answer == "PN"


def test_end_of_input_keeps_everything_answered(run, study_corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(["assess", STUDY, "-r", "rob2"], ["N", "N"])
    assert code == 130 and "everything saved before now is kept" in err
    assert {q: a.answer for q, a in stored(study_corpus).answers.items() if a.confirmed} == {
        "1.1": "N",
        "1.2": "N",
    }


def test_a_real_full_text_is_read_attached_and_quoted_verbatim(run, study_corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    from appraise.documents import read_document
    from appraise.evidence import document_with_record
    from appraise.review import check_corpus

    paper = shared_path(
        "fixtures", "europepmc", "fulltextxml", "PMC13254492_rct_bcpt_coi-untyped-sec.xml"
    )
    code, _, err = run(["assess", STUDY, "-r", "rob2", "--no-input", "--text", str(paper)])
    assert code == 0, err
    # Quotes are spans of the study's document: the file, then what only the record holds.
    record = study_corpus.read_record(STUDY)
    text = document_with_record(read_document(paper), record).text
    assert text.startswith(read_document(paper).text)
    saved = stored(study_corpus)
    quotes = [q for a in saved.answers.values() for q in a.quotes]
    assert quotes and all(text[q.start : q.end] == q.text for q in quotes)
    assert "randomised" in saved.answers["1.1"].quotes[0].text.lower()
    assert (study_corpus.documents_dir / "10.1000_trial.1.xml").is_file()
    assert check_corpus(study_corpus) == []
    # Resumed without --text, the attached full text is read again: same proposals.
    code, _, _ = run(["assess", STUDY, "-r", "rob2", "--no-input"])

    def proposals(appraisal: Appraisal) -> dict[str, tuple[str, list[str]]]:
        return {q: (a.answer, [x.text for x in a.quotes]) for q, a in appraisal.answers.items()}

    assert code == 0 and proposals(stored(study_corpus)) == proposals(saved)


def test_without_result_the_one_appraised_result_is_resumed(run, study_corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    run(["assess", STUDY, "-r", "rob2", "--result", "PHQ-9, 12 weeks"], ["N", "s"])
    code, _out, err = run(["assess", STUDY, "-r", "rob2", "--no-input"])
    assert code == 0, err
    assert sorted(p.name for p in study_corpus.appraisal_paths()) == [
        "rob2--phq-9-12-weeks--ann.yaml"
    ]
    assert stored(study_corpus, result="phq-9-12-weeks").answers["1.1"].answer == "N"
    assert 'resuming your rob2 appraisal of "PHQ-9, 12 weeks"' in err
    # Another reviewer has nothing yet: a whole-study appraisal of their own.
    code, _, _ = run(["assess", STUDY, "-r", "rob2", "--no-input", "--reviewer", "bob"])
    assert code == 0 and stored(study_corpus, reviewer="bob").reviewer == "bob"


def test_without_result_several_results_are_named_not_guessed(run, study_corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    for result in ("PHQ-9, 12 weeks", "GAD-7, 12 weeks"):
        run(["assess", STUDY, "-r", "rob2", "--result", result, "--no-input"])
    code, _out, err = run(["assess", STUDY, "-r", "rob2", "--no-input"])
    assert code == 2 and err.count("\n") == 1
    assert (
        'ann has 2 rob2 appraisals of 10.1000/trial.1: "GAD-7, 12 weeks"; "PHQ-9, 12 weeks"' in err
    )
    assert "--result" in err and len(study_corpus.appraisal_paths()) == 2


def test_the_count_of_questions_to_confirm_matches_the_list(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(["assess", STUDY, "-r", "rob2", "--no-input"])
    line = next(line for line in out.splitlines() if "still to confirm" in line)
    count, _, listed = line.partition(" question(s) still to confirm: ")
    listed_ids = listed.rstrip(")").split(", ")
    assert code == 0 and int(count.rsplit(" ", 1)[-1]) == len(listed_ids) > 12
    assert listed_ids[0] == "1.1" and "5.3" in listed_ids


def test_a_comment_typed_then_back_is_shown_on_return_and_saved(run, study_corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    replies = ["", "c the list was held off site", "b", "", "s"]  # 1.1, comment 1.2, back, 1.1
    code, out, _ = run(["assess", STUDY, "-r", "rob2"], replies)
    assert code == 0
    after_comment = out.split("comment kept", 1)[1]
    assert "the list was held off site" in after_comment  # shown when 1.2 is asked again
    assert stored(study_corpus).answers["1.2"].comment is not None
    assert "the list was held off site" in (stored(study_corpus).answers["1.2"].comment or "")


@pytest.fixture
def nothing_proposed(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proposal at all, as in a consensus for a question that newly applies: a comment
    typed there has no answer to be saved with until the question is answered."""
    monkeypatch.setattr(
        "appraise.review.proposals.evidence_proposals", lambda document, record, engine: {}
    )


def test_a_comment_on_an_unanswered_question_is_kept_when_the_reviewer_stops(  # type: ignore[no-untyped-def]
    run, study_corpus: Corpus, nothing_proposed: None
) -> None:
    code, _out, err = run(["assess", STUDY, "-r", "rob2"], ["c randomised by a trials unit", "s"])
    assert code == 0 and "kept as drafts until answered: what you typed on 1.1" in err
    held = stored(study_corpus)
    assert "1.1" not in held.answers
    assert held.drafts["1.1"].comment == "randomised by a trials unit"
    # resumed, the draft moves onto the answer the reviewer gives
    code, _out, _err = run(["assess", STUDY, "-r", "rob2"], ["Y", "s"])
    assert code == 0
    resumed = stored(study_corpus)
    assert resumed.answers["1.1"].comment == "randomised by a trials unit"
    assert resumed.drafts == {}


def test_end_of_input_keeps_a_comment_that_had_no_answer(  # type: ignore[no-untyped-def]
    run, study_corpus: Corpus, nothing_proposed: None
) -> None:
    code, _out, _err = run(["assess", STUDY, "-r", "rob2"], ["c a note"])
    assert code == 130
    assert stored(study_corpus).drafts["1.1"].comment == "a note"
