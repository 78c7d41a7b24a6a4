"""Follow-up (psychotherapy 7.1) and the interview schedule (2.1-2.3), on constructed
sentences for each miss issue 13 names, and on real dev texts of ../shared/data/oa-trials."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraise.documents import read_document
from appraise.evidence import design, measurement
from appraise.evidence.signals import Context
from tests.evidence.helpers import context

OA_TRIALS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "oa-trials"


def test_a_schedule_ending_at_post_treatment_is_no_follow_up() -> None:
    ctx = context(
        "Participants were assessed at baseline and post-treatment with the BDI-II.",
    )
    assert design.followup(ctx).answer == "N"


def test_follow_up_under_six_months_after_the_end_is_no() -> None:
    ctx = context("Outcomes were assessed at post-treatment and 3 months post-treatment.")
    signal = design.followup(ctx)
    assert signal.answer == "N" and "under six" in (signal.comment or "")


def test_six_months_after_the_end_is_yes() -> None:
    ctx = context("Six months after the intervention, a follow-up interview was conducted.")
    assert design.followup(ctx).answer == "Y"


def test_six_months_after_randomisation_of_a_12_week_treatment_is_three_after_the_end() -> None:
    ctx = context(
        "Participants received a 12-week programme of guided self-help.",
        "Outcomes were assessed 6 months after randomisation.",
    )
    signal = design.followup(ctx)
    assert signal.answer == "N", signal.comment
    one_year = context(
        "Participants received a 12-week programme of guided self-help.",
        "Outcomes were assessed at 12 months after randomisation.",
    )
    assert design.followup(one_year).answer == "Y"


def test_a_planned_follow_up_is_not_an_assessment() -> None:
    ctx = context(
        "Assessments took place at post-treatment and 3 months post-treatment.",
        "A 1-year follow-up assessment is currently underway.",
    )
    assert design.followup(ctx).answer == "N"


def test_start_anchored_points_without_a_treatment_length_stay_open_when_long() -> None:
    ctx = context("Mortality was assessed at 24 months after randomisation.")
    assert design.followup(ctx).answer == "NI"
    short = context("Questionnaires were completed 6 weeks post-baseline.")
    assert design.followup(short).answer == "N"


# --- diagnostic interviews -------------------------------------------------------------------

_TRIAL = (
    "We randomly assigned 120 adults to guided self-help or a waiting list.",
    "Participants were eligible if they were aged 18 or over and scored 10 or more on the PHQ-9.",
    "Outcomes were the PHQ-9 and GAD-7, completed online at baseline and post-treatment.",
)


def _full(*sentences: str) -> Context:
    # Enough body text to count as a full text (signals.FULL_TEXT_MINIMUM).
    filler = "The sessions followed the published workbook chapter by chapter. " * 50
    return context(*sentences, filler)


def test_only_self_report_and_no_interview_named_is_no_by_absence() -> None:
    ctx = _full(*_TRIAL)
    for detector in (
        measurement.diagnostic_interview_baseline,
        measurement.diagnostic_interview_end,
        measurement.diagnostic_interview_followup,
    ):
        signal = detector(ctx)
        assert signal.answer == "N"
        assert "concluded from absence" in (signal.comment or "")
        assert "self-report" in (signal.comment or "")


def test_an_abstract_alone_concludes_nothing_from_absence() -> None:
    ctx = context(*_TRIAL)
    signal = measurement.diagnostic_interview_baseline(ctx)
    assert signal.answer == "PN" and "absence" not in (signal.comment or "")


def test_a_medical_entry_with_no_psychiatric_measure_is_no_with_a_comment() -> None:
    ctx = _full(
        "We randomly assigned 200 patients with knee osteoarthritis to gel or placebo.",
        "Patients were eligible if they had radiologically confirmed osteoarthritis.",
    )
    signal = measurement.diagnostic_interview_baseline(ctx)
    assert signal.answer == "N" and "not a psychiatric diagnosis" in (signal.comment or "")


def test_an_interview_not_repeated_at_the_end_is_no() -> None:
    ctx = context(
        "Diagnosis was established with the SCID-5 at baseline.",
        "The diagnostic interview was not repeated at the end of treatment.",
    )
    assert measurement.diagnostic_interview_baseline(ctx).answer == "Y"
    assert measurement.diagnostic_interview_end(ctx).answer == "N"


def test_an_interview_at_baseline_only_is_no_later() -> None:
    ctx = context("The MINI was administered at baseline only.")
    assert measurement.diagnostic_interview_end(ctx).answer == "N"
    assert measurement.diagnostic_interview_followup(ctx).answer == "N"


def test_a_follow_up_of_self_report_only_rules_out_the_follow_up_interview_alone() -> None:
    ctx = context(
        "Diagnoses were established using structured clinical interviews at pre- and "
        "post-treatment, whereas the 3 month follow-up assessment exclusively comprised "
        "self-report measures.",
    )
    assert measurement.diagnostic_interview_end(ctx).answer == "Y"
    assert measurement.diagnostic_interview_followup(ctx).answer == "N"


def test_only_questionnaires_at_follow_up_rule_out_the_follow_up_interview() -> None:
    ctx = context(
        "The CIS-R was given before and after treatment; at the follow-up only "
        "questionnaires were sent.",
    )
    assert measurement.diagnostic_interview_end(ctx).answer == "Y"
    assert measurement.diagnostic_interview_followup(ctx).answer == "N"


def test_no_longer_meeting_criteria_on_an_interview_is_the_interview_given() -> None:
    # Remission read off the interview, not a denial that it was given (NegEx pseudo-negation).
    ctx = context(
        "Recovery meant no longer meeting criteria for GAD on the ADIS at post-treatment."
    )
    assert measurement.diagnostic_interview_end(ctx).answer == "Y"


def test_a_listed_schedule_without_the_interview_is_probably_no() -> None:
    ctx = context(
        "Diagnosis at entry was confirmed with the MINI.",
        "At post-treatment the BDI-II and the GAD-7 were completed.",
    )
    assert measurement.diagnostic_interview_end(ctx).answer == "PN"


needs_texts = pytest.mark.skipif(not OA_TRIALS.is_dir(), reason="needs ../shared/data/oa-trials")


@needs_texts
@pytest.mark.parametrize(
    ("name", "end", "follow_up", "seven_one"),
    [
        # dev texts: SCID at entry, post-treatment battery without it, no follow-up
        ("PMC3421236.xml", "N", "N", "N"),
        # SCID at pre and post, a 3-month follow-up of self-report only
        ("PMC3698199.xml", "Y", "N", "N"),
        # week 52 after a quit date; treatment up to 22 weeks
        ("PMC4884360.xml", None, None, "Y"),
        # self-report questionnaires only, 28-day follow-up
        ("PMC5847600.xml", "N", "N", "N"),
    ],
)
def test_real_dev_texts(name: str, end: str | None, follow_up: str | None, seven_one: str) -> None:
    ctx = Context(read_document(OA_TRIALS / name))
    direction = {"Y": "yes", "PY": "yes", "N": "no", "PN": "no"}
    if end:
        got = measurement.diagnostic_interview_end(ctx).answer
        assert direction.get(got) == direction[end]
    if follow_up:
        got = measurement.diagnostic_interview_followup(ctx).answer
        assert direction.get(got) == direction[follow_up]
    assert design.followup(ctx).answer == seven_one


def test_an_unanchored_follow_up_that_falls_short_from_the_start_stays_open() -> None:
    ctx = context(
        "Participants received a 12-week programme of group CBT.",
        "Outcomes were assessed at the six-month follow-up.",
    )
    signal = design.followup(ctx)
    assert signal.answer == "NI" and "from the start" in (signal.comment or "")


def test_weekly_sessions_give_the_treatments_length() -> None:
    ctx = context(
        "Participants received 12 weekly sessions of CBT.",
        "Outcomes were assessed at the 6-month follow-up.",
    )
    assert design.followup(ctx).answer == "NI"  # 6 months, or 3 after the end: not said
    longer = context(
        "Eight sessions over 10 weeks were offered.",
        "Outcomes were assessed at the 12-month follow-up.",
    )
    assert design.followup(longer).answer == "Y"


def test_an_interview_named_by_what_it_is_counts_as_an_interview() -> None:
    ctx = context(
        "Psychosis risk was established with the Structured Interview for Psychosis-risk "
        "States at entry."
    )
    assert measurement.diagnostic_interview_baseline(ctx).answer == "Y"


def test_an_unanchored_six_month_follow_up_with_no_treatment_length_stays_open() -> None:
    ctx = context("The 6-month follow-up questionnaires were returned by 80 of the 96 mothers.")
    signal = design.followup(ctx)
    assert signal.answer == "NI" and "not found" in (signal.comment or "")
    longer = context("The 18-month follow-up questionnaires were returned by 80 mothers.")
    assert design.followup(longer).answer == "Y"


def test_a_time_point_with_its_dates_in_brackets_keeps_its_anchor() -> None:
    ctx = context(
        "The course ran for 8 weeks.",
        "Everyone was surveyed again 6 months (between May and June) after randomisation.",
    )
    signal = design.followup(ctx)
    assert signal.answer == "N", signal.comment


def test_a_report_that_counts_from_baseline_counts_its_unanchored_follow_up_so() -> None:
    ctx = context(
        "Post-treatment assessment was held 10 weeks after baseline.",
        "Anxiety fell further by the six-month follow-up.",
    )
    signal = design.followup(ctx)
    assert signal.answer == "N", signal.comment  # six months from baseline: ~3.7 after the end


def test_treatment_that_lasts_the_whole_observation_leaves_no_follow_up() -> None:
    ctx = context(
        "Members received the home visits until the end of the study.",
        "Hospital admissions were counted over 36 months after enrolment.",
    )
    signal = design.followup(ctx)
    assert signal.answer == "N" and "as long as" in (signal.comment or "")


def test_the_schedule_quoted_is_the_sentence_saying_who_was_assessed_when() -> None:
    filler = " Sessions were held in a community hall near the clinic." * 60
    ctx = context(
        "The sample size gave 80% power for a difference of 3 points on the BDI-II measured "
        "after the treatment.",
        "Participants were assessed with the BDI-II at baseline and at post-treatment.",
        filler,
    )
    signal = measurement.diagnostic_interview_end(ctx)
    assert signal.answer == "N" and "absence" in (signal.comment or "")
    first = signal.evidence[0]
    sentence = first.sentence if hasattr(first, "sentence") else first
    assert ctx.document.quote(sentence).startswith("Participants were assessed")  # type: ignore[arg-type]


def test_an_interview_denied_at_both_later_points_is_no_at_both() -> None:
    ctx = context(
        "Diagnosis was established with the SCID-I at intake.",
        "At post-treatment and follow-up, the SCID-I was not readministered.",
    )
    assert measurement.diagnostic_interview_end(ctx).answer == "N"
    assert measurement.diagnostic_interview_followup(ctx).answer == "N"


def test_a_negated_interview_is_not_read_as_given_at_the_times_its_sentence_names() -> None:
    ctx = context(
        "Diagnosis was established with the SCID-I at intake.",
        "At post-treatment and follow-up, only the BDI-II was administered; the SCID-I was not "
        "readministered.",
    )
    assert measurement.diagnostic_interview_end(ctx).answer not in ("Y", "PY")
    assert measurement.diagnostic_interview_followup(ctx).answer == "N"


@pytest.mark.parametrize(
    ("sentences", "answer"),
    [
        # An observation period anchored at the end of treatment.
        (["Families were followed for three years after finishing the programme."], "Y"),
        # 'N months later' after the end of treatment named in the same sentence.
        (["Mood was rated at the end of the 8-week course and again 9 months later."], "Y"),
        (["Mood was rated at the end of the 8-week course and once more 6 weeks later."], "N"),
        # Time points listed after baseline count from the start.
        (
            [
                "The training ran for 6 weeks.",
                "Questionnaires were filled in at baseline and at 10 weeks.",
            ],
            "N",
        ),
        (
            [
                "The training ran for 6 weeks.",
                "Questionnaires were filled in at baseline, 10 weeks and 12 months.",
            ],
            "Y",
        ),
        # Schedules that end when treatment does.
        (["Measures were taken at baseline, mid-treatment and post-treatment."], "N"),
        (["Children were tested before and directly after the training."], "N"),
        (["Symptoms were recorded only at the end of the therapy."], "N"),
        (["Stress was measured pre- and post-treatment."], "N"),
        (["Stress was measured pre- and post-treatment and at 12-month follow-up."], "Y"),
        (["Our trial lacked a longer-term follow-up."], "N"),
        # A word between the time and 'follow-up'.
        (["The 10-week course was followed by a 9-month naturalistic follow-up."], "Y"),
        # 'followed up at', a label in brackets, 'later' after 'after treatment'.
        (["Families were followed up at 18 months."], "Y"),
        (["Ten weekly sessions were given; families were followed up at 2 months."], "N"),
        (["Scores were taken at baseline (T0) and at the 12-month (T2) follow-up."], "Y"),
        (["Mood was rated before treatment, after treatment and again 8 months later."], "Y"),
        # The treatment's length from how its sessions ran: 6 months from the start of a
        # 10-week course is under six months after its end.
        (
            [
                "Groups met once a week for 10 weeks.",
                "Outcomes were measured at baseline and 6 months after randomisation.",
            ],
            "N",
        ),
        (
            [
                "The course consisted of eight weekly 90-minute sessions.",
                "Outcomes were measured 12 months after randomisation.",
            ],
            "Y",
        ),
    ],
)
def test_follow_up_wordings(sentences: list[str], answer: str) -> None:
    assert design.followup(context(*sentences)).answer == answer


@pytest.mark.parametrize(
    ("sentence", "answer"),
    [
        ("Assessments took place at baseline and at the end of the 8-week treatment.", "N"),
        # A later point after it is not the end of the schedule.
        (
            "Assessments took place at baseline and at the end of the 8-week treatment and "
            "12 months later.",
            "Y",
        ),
    ],
)
def test_the_end_of_a_treatment_of_given_length_ends_the_schedule(
    sentence: str, answer: str
) -> None:
    assert design.followup(context(sentence)).answer == answer
