"""The Metapsy RoB items computed from database fields (appraise.rubrics.metapsy), against
hand-worked values and the thresholds of metapsyTools' createRobRatings."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from appraise.errors import InputError
from appraise.rubrics import Engine, load_rubric
from appraise.rubrics.metapsy import (
    RowFacts,
    attrition_items,
    computed_items,
    hedges_g,
    item_3_allocation_ratio,
    item_4_baseline_balance,
    item_12_large_trial,
    parse_ratio,
    proportion_test_p,
    rater_items,
)


def test_proportion_test_matches_rs_prop_test_with_continuity_correction() -> None:
    # R: prop.test(30, 100, p = 0.5) gives X-squared = 15.21, df = 1.
    assert proportion_test_p(30, 100, 0.5) == pytest.approx(stats.chi2.sf(15.21, 1))
    # A share exactly on the ratio: no evidence against it.
    assert proportion_test_p(50, 100, 0.5) == 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 to 1", (1.0, 1.0)),
        ("2:1", (2.0, 1.0)),
        ("1to2", (1.0, 2.0)),
        ("equal", None),
        (None, None),
    ],
)
def test_allocation_ratios_are_read_as_metapsytools_reads_them(
    text: str | None, expected: tuple[float, float] | None
) -> None:
    assert parse_ratio(text) == expected


def test_item_3_no_when_the_numbers_stray_from_the_planned_ratio() -> None:
    assert item_3_allocation_ratio(49, 49, "1 to 1").answer == "Yes"
    assert item_3_allocation_ratio(70, 30, "1 to 1").answer == "No"  # p < 0.0001
    # The same numbers fit a planned 2:1 allocation.
    assert item_3_allocation_ratio(70, 30, "2 to 1").answer == "Yes"
    # Near the threshold: 63 of 100 under 1:1: X-squared = 12.5**2 / 25 = 6.25, p = 0.0124.
    near = item_3_allocation_ratio(63, 37, "1:1")
    assert near.answer == "Yes" and "p = 0.0124" in near.reason


def test_item_3_ni_without_a_ratio_or_the_numbers() -> None:
    assert item_3_allocation_ratio(49, 49, None).answer == "NI"
    assert "allocation ratio" in item_3_allocation_ratio(49, 49, None).reason
    assert item_3_allocation_ratio(49, None, "1 to 1").answer == "NI"
    assert item_3_allocation_ratio(float("nan"), 49, "1 to 1").answer == "NI"


def test_hedges_g_by_hand() -> None:
    g, se = hedges_g(10, 2, 20, 9, 2, 20)
    # d = 0.5, J = 1 - 3/(4*40 - 9) = 0.98013
    assert g == pytest.approx(0.5 * (1 - 3 / 151))
    assert se == pytest.approx(math.sqrt(40 / 400 + g**2 / 80))


def test_item_4_baseline_balance_on_the_ptsd_databases_first_row() -> None:
    # Acarturk 2016: baseline 59.69 (13.65, 49) vs 62.55 (12.46, 49).
    balanced = item_4_baseline_balance(59.69, 13.65, 49, 62.55, 12.46, 49)
    assert balanced.answer == "Yes" and "g = -0.22" in balanced.reason
    assert item_4_baseline_balance(30, 5, 60, 25, 5, 60).answer == "No"
    assert item_4_baseline_balance(30, 5, 60, None, 5, 60).answer == "NI"
    assert item_4_baseline_balance(30, 0, 1, 25, 0, 1).answer == "NI"


def test_attrition_thresholds_are_strict_under_5_and_at_most_30_percent() -> None:
    items = attrition_items(2, 4, 50, 50)  # 4% and 8%
    assert (items["d3_10"].answer, items["d3_13"].answer) == ("No", "Yes")
    assert attrition_items(2, 2, 50, 50)["d3_10"].answer == "Yes"  # 4% in both
    assert attrition_items(15, 15, 50, 50)["d3_13"].answer == "Yes"  # exactly 30%
    assert attrition_items(16, 15, 50, 50)["d3_13"].answer == "No"  # 32%
    assert attrition_items(None, 2, 50, 50)["d3_10"].answer == "NI"
    assert attrition_items(2, 2, 50, None)["d3_13"].answer == "NI"


def test_attrition_larger_than_the_randomised_number_is_an_input_error() -> None:
    with pytest.raises(InputError, match="attrition in arm 2 .60. is not fewer than the 50"):
        attrition_items(2, 60, 50, 50)


def test_item_12_tests_arm_1_only_as_metapsytools_does() -> None:
    assert item_12_large_trial(40).answer == "Yes"
    assert item_12_large_trial(39).answer == "No"
    assert "arm 1 only" in item_12_large_trial(40).reason
    assert item_12_large_trial(None).answer == "NI"


def test_items_16_and_17_from_the_rating_column() -> None:
    assert {k: v.answer for k, v in rater_items("self-report").items()} == {
        "d4_16": "Yes",
        "d4_17": "No",
    }
    assert {k: v.answer for k, v in rater_items("clinician").items()} == {
        "d4_16": "No",
        "d4_17": "Yes",
    }
    assert {v.answer for v in rater_items(None).values()} == {"NI"}


def test_computed_items_feed_the_engine() -> None:
    facts = RowFacts(
        randomised_1=60, randomised_2=58, ratio="1 to 1", lost_1=1, lost_2=2, rating="self-report"
    )
    items = computed_items(facts)
    assert list(items) == ["d1_3", "d1_4", "d3_10", "d3_12", "d3_13", "d4_16", "d4_17"]
    answers = {k: v.answer for k, v in items.items()}
    assert answers["d1_4"] == "NI"  # no baseline data
    evaluation = Engine(load_rubric("metapsy-rob")).evaluate(answers)
    assert evaluation.domains["D3"].judgement == "Low"  # under 5% attrition in both arms
    assert evaluation.domains["D4"].judgement == "Low"  # self-report only
    assert evaluation.domains["D1"].judgement is None  # concealment is a reviewer's call
    assert evaluation.overall is None
