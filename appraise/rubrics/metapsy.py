"""The Metapsy RoB tool's items computed from a Metapsy database row (as metapsyTools'
createRobRatings computes them). Pure: numbers in, Yes / No / NI with the reason out.

- item 3 (d1_3): the randomised numbers fit the planned allocation ratio; a one-sample test of
  arm 1's share against the ratio (R's prop.test, with its continuity correction), p < 0.01 -> No;
- item 4 (d1_4): baseline severity balanced; the standardised mean difference at baseline
  (Hedges' g) tested against zero, p < 0.01 (its 99% interval excludes 0) -> No;
- item 10 (d3_10): attrition under 5% in both arms -> Yes;
- item 12 (d3_12): at least 40 randomised; metapsyTools tests arm 1 only, and so does this;
- item 13 (d3_13): attrition at most 30% in both arms -> Yes;
- items 16/17 (d4_16, d4_17): self-report -> 16 Yes, 17 No; another rater -> 16 No, 17 Yes.

Whatever a computation needs and the row lacks gives NI, never a guess.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from scipy import stats

from appraise.errors import InputError

YES, NO, NI = "Yes", "No", "NI"
ALPHA = 0.01  # the tool's threshold for items 3 and 4
NEARLY_ALL = 0.05  # item 10: attrition below this in both arms
MOST = 0.30  # item 13: attrition at most this in both arms
LARGE_ARM = 40  # item 12: randomised in arm 1

_RATIO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:to|:)\s*(\d+(?:\.\d+)?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Computed:
    """One item's answer and why."""

    answer: str
    reason: str


def _known(*values: float | None) -> bool:
    return all(v is not None and not math.isnan(v) for v in values)


def parse_ratio(text: str | None) -> tuple[float, float] | None:
    """'1 to 1', '2:1', '1to2' -> (a, b); anything else -> None (metapsyTools: NA)."""
    if text is None:
        return None
    match = _RATIO.match(text)
    if not match:
        return None
    a, b = float(match.group(1)), float(match.group(2))
    return (a, b) if a > 0 and b > 0 else None


def proportion_test_p(successes: float, total: float, expected: float) -> float:
    """Two-sided p of R's one-sample prop.test(x, n, p) with Yates' continuity correction."""
    deviation = abs(successes - total * expected)
    correction = min(0.5, deviation)
    statistic = (deviation - correction) ** 2 / (total * expected * (1 - expected))
    return float(stats.chi2.sf(statistic, df=1))


def item_3_allocation_ratio(
    randomised_1: float | None, randomised_2: float | None, ratio: str | None
) -> Computed:
    planned = parse_ratio(ratio)
    if not _known(randomised_1, randomised_2) or planned is None:
        missing = "the allocation ratio" if planned is None else "the randomised numbers"
        return Computed(NI, f"item 3 not computed: the database does not give {missing}")
    assert randomised_1 is not None and randomised_2 is not None
    total = randomised_1 + randomised_2
    if total <= 0:
        return Computed(NI, "item 3 not computed: no participants randomised")
    share = planned[0] / (planned[0] + planned[1])
    p = proportion_test_p(randomised_1, total, share)
    answer = NO if p < ALPHA else YES
    return Computed(
        answer,
        f"item 3 computed: {randomised_1:g} of {total:g} randomised to arm 1 against a planned "
        f"{planned[0]:g}:{planned[1]:g} ratio, one-sample proportion test p = {p:.3g} "
        f"({'<' if p < ALPHA else '>='} {ALPHA})",
    )


def hedges_g(
    mean_1: float, sd_1: float, n_1: float, mean_2: float, sd_2: float, n_2: float
) -> tuple[float, float]:
    """Hedges' g (arm 1 minus arm 2, pooled SD) and its standard error."""
    pooled = math.sqrt(((n_1 - 1) * sd_1**2 + (n_2 - 1) * sd_2**2) / (n_1 + n_2 - 2))
    correction = 1 - 3 / (4 * (n_1 + n_2) - 9)
    g = (mean_1 - mean_2) / pooled * correction
    se = math.sqrt((n_1 + n_2) / (n_1 * n_2) + g**2 / (2 * (n_1 + n_2)))
    return g, se


def item_4_baseline_balance(
    mean_1: float | None,
    sd_1: float | None,
    n_1: float | None,
    mean_2: float | None,
    sd_2: float | None,
    n_2: float | None,
) -> Computed:
    if not _known(mean_1, sd_1, n_1, mean_2, sd_2, n_2):
        return Computed(NI, "item 4 not computed: baseline means, SDs or numbers not given")
    assert mean_1 is not None and sd_1 is not None and n_1 is not None
    assert mean_2 is not None and sd_2 is not None and n_2 is not None
    if n_1 < 2 or n_2 < 2 or (sd_1 <= 0 and sd_2 <= 0):
        return Computed(NI, "item 4 not computed: baseline SDs or numbers too small to test")
    g, se = hedges_g(mean_1, sd_1, n_1, mean_2, sd_2, n_2)
    p = float(2 * stats.norm.sf(abs(g) / se))
    answer = NO if p < ALPHA else YES
    return Computed(
        answer,
        f"item 4 computed: baseline SMD g = {g:.2f} (SE {se:.2f}), p = {p:.3g} "
        f"({'<' if p < ALPHA else '>='} {ALPHA})",
    )


def _attrition(
    lost_1: float | None,
    lost_2: float | None,
    randomised_1: float | None,
    randomised_2: float | None,
) -> tuple[float, float] | None:
    if not _known(lost_1, lost_2, randomised_1, randomised_2):
        return None
    assert lost_1 is not None and lost_2 is not None
    assert randomised_1 is not None and randomised_2 is not None
    if randomised_1 <= 0 or randomised_2 <= 0:
        return None
    for arm, lost, randomised in ((1, lost_1, randomised_1), (2, lost_2, randomised_2)):
        if lost >= randomised or lost < 0:
            raise InputError(
                f"attrition in arm {arm} ({lost:g}) is not fewer than the {randomised:g} "
                "randomised",
                fix="attr_arm columns hold the number lost to follow-up, rand_arm the number "
                "randomised",
            )
    return lost_1 / randomised_1, lost_2 / randomised_2


def attrition_items(
    lost_1: float | None,
    lost_2: float | None,
    randomised_1: float | None,
    randomised_2: float | None,
) -> dict[str, Computed]:
    """Items 10 and 13 from the numbers lost and randomised in each arm."""
    shares = _attrition(lost_1, lost_2, randomised_1, randomised_2)
    if shares is None:
        reason = "not computed: attrition or randomised numbers not given"
        return {
            "d3_10": Computed(NI, "item 10 " + reason),
            "d3_13": Computed(NI, "item 13 " + reason),
        }
    first, second = shares
    told = f"attrition {first:.1%} (arm 1) and {second:.1%} (arm 2)"
    nearly_all = first < NEARLY_ALL and second < NEARLY_ALL
    most = first <= MOST and second <= MOST
    return {
        "d3_10": Computed(
            YES if nearly_all else NO, f"item 10 computed: {told}; under 5% in both: {nearly_all}"
        ),
        "d3_13": Computed(
            YES if most else NO, f"item 13 computed: {told}; at most 30% in both: {most}"
        ),
    }


def item_12_large_trial(randomised_1: float | None) -> Computed:
    """At least 40 randomised, tested on arm 1 only as metapsyTools does."""
    if not _known(randomised_1):
        return Computed(NI, "item 12 not computed: randomised number in arm 1 not given")
    assert randomised_1 is not None
    answer = YES if randomised_1 >= LARGE_ARM else NO
    return Computed(
        answer,
        f"item 12 computed: {randomised_1:g} randomised in arm 1 (at least {LARGE_ARM}: "
        f"{answer}); metapsyTools tests arm 1 only, and so does this",
    )


def rater_items(rating: str | None) -> dict[str, Computed]:
    """Items 16 and 17 from the database's rating column."""
    if rating is None or not rating.strip():
        reason = "not computed: the rating column is empty"
        return {
            "d4_16": Computed(NI, "item 16 " + reason),
            "d4_17": Computed(NI, "item 17 " + reason),
        }
    self_report = rating.strip().lower().replace(" ", "-") == "self-report"
    told = f"rating '{rating.strip()}'"
    return {
        "d4_16": Computed(YES if self_report else NO, f"item 16 computed: {told}"),
        "d4_17": Computed(NO if self_report else YES, f"item 17 computed: {told}"),
    }


@dataclass(frozen=True)
class RowFacts:
    """The database fields the computed items read; None where the row has none."""

    randomised_1: float | None = None
    randomised_2: float | None = None
    ratio: str | None = None
    lost_1: float | None = None
    lost_2: float | None = None
    baseline_mean_1: float | None = None
    baseline_sd_1: float | None = None
    baseline_n_1: float | None = None
    baseline_mean_2: float | None = None
    baseline_sd_2: float | None = None
    baseline_n_2: float | None = None
    rating: str | None = None


def computed_items(facts: RowFacts) -> dict[str, Computed]:
    """Items 3, 4, 10, 12, 13, 16 and 17 for one comparison, in item order."""
    attrition = attrition_items(facts.lost_1, facts.lost_2, facts.randomised_1, facts.randomised_2)
    return {
        "d1_3": item_3_allocation_ratio(facts.randomised_1, facts.randomised_2, facts.ratio),
        "d1_4": item_4_baseline_balance(
            facts.baseline_mean_1,
            facts.baseline_sd_1,
            facts.baseline_n_1,
            facts.baseline_mean_2,
            facts.baseline_sd_2,
            facts.baseline_n_2,
        ),
        "d3_10": attrition["d3_10"],
        "d3_12": item_12_large_trial(facts.randomised_1),
        "d3_13": attrition["d3_13"],
        **rater_items(facts.rating),
    }
