"""Who produced the primary outcome: what a report says of its own data."""

from __future__ import annotations

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
