"""Who produced the primary outcome: what a report says of its own data."""

from __future__ import annotations

import pytest

from appraise.evidence.raters import outcome_rating
from tests.evidence.helpers import context


def test_data_selected_based_on_something_is_not_self_report() -> None:
    ctx = context("Heart-rate data were cleaned based on visual inspection of each trace.")
    assert outcome_rating(ctx).self_report == ()


def test_outcomes_based_on_self_report_are_self_report() -> None:
    ctx = context("All outcomes in this trial were based on participants' self-reports.")
    assert outcome_rating(ctx).only_self_report


def test_a_cognitive_test_given_by_an_assessor_is_assessor_rated() -> None:
    ctx = context("The primary outcome was cognition on the ADAS-Cog at 26 weeks.")
    rating = outcome_rating(ctx)
    assert rating.assessor and not rating.self_report


def test_mixed_measures_with_no_primary_outcome_named_leave_the_rater_open() -> None:
    from appraise.evidence.measurement import assessor_rated

    ctx = context(
        "Anxiety was measured with the Beck Anxiety Inventory and the Hamilton Anxiety Rating "
        "Scale at baseline and after treatment."
    )
    signal = assessor_rated(ctx)
    assert signal.answer == "NI" and signal.evidence
    # Named as the primary outcome, the rated measure makes it probably assessor-rated.
    ctx = context(
        "The primary outcomes were anxiety on the Hamilton Anxiety Rating Scale and the Beck "
        "Anxiety Inventory after treatment."
    )
    assert assessor_rated(ctx).answer == "PY"


def test_assessors_of_a_rated_primary_outcome_decide_awareness_beside_a_questionnaire() -> None:
    from appraise.evidence.blinding import assessor_awareness

    ctx = context(
        "The primary outcomes were memory on the ADAS-Cog and self-reported quality of life "
        "after 24 weeks.",
        "Patients were aware of their allocation.",
        "The research assistants who gave the ADAS-Cog were blind to allocation.",
    )
    assert assessor_awareness(ctx).answer == "N"
    # A questionnaire alone: the participant is the assessor, aware as the patients were.
    ctx = context(
        "The primary outcome was self-reported quality of life after 24 weeks.",
        "Patients were aware of their allocation.",
        "The research assistants who gave the interviews were blind to allocation.",
    )
    assert assessor_awareness(ctx).answer in ("Y", "PY")


@pytest.mark.parametrize(
    "sentence",
    [
        # Words of an objective outcome used of something else beside a questionnaire.
        "The primary outcome was worry on the PSWQ; cases were defined as a score above 50.",
        "The primary outcome was the GAD-7 in adults diagnosed with generalised anxiety.",
        "The primary outcome was the PHQ-9, with missing records imputed.",
        "The primary outcome was weight-related quality of life on a questionnaire.",
        "The primary outcome was the incidence of self-reported panic attacks.",
    ],
)
def test_incidental_objective_words_do_not_make_a_questionnaire_rated(sentence: str) -> None:
    from appraise.evidence.measurement import assessor_rated

    assert assessor_rated(context(sentence)).answer == "N"


def test_records_and_new_cases_are_still_objective() -> None:
    from appraise.evidence.measurement import assessor_rated

    for sentence in (
        "The primary outcome was days in hospital, taken from hospital records.",
        "The primary outcome was the number of new cases of malaria.",
    ):
        assert assessor_rated(context(sentence)).answer == "Y"


def test_blinded_staff_say_nothing_of_a_self_reported_primary_outcome() -> None:
    from appraise.evidence.blinding import assessor_awareness

    ctx = context(
        "The primary outcome was self-reported sleep quality after 8 weeks.",
        "Research assistants who collected the data were blind to allocation.",
    )
    signal = assessor_awareness(ctx)
    # Not N: the participant, not the research assistant, is the assessor of a questionnaire.
    assert signal.answer == "NI" and "participant is the assessor" in (signal.comment or "")


def test_questionnaires_completed_in_the_passive_are_self_report() -> None:
    ctx = context("Questionnaires were completed online at baseline and after 10 weeks.")
    assert outcome_rating(ctx).only_self_report
