"""Every combination of Yes/No/NI answers for every domain of the Metapsy RoB tool, and every
combination of domain judgements for its overall rule, checked against decision tables.

The tables are written here from the algorithms as shared/DOMAIN.md 2.2 states them (the
metapsyTools implementation, createRobRatings), independently of the rule lists in
rubrics/metapsy-rob.yaml. Each table must be a partition of the answers it covers; answers no
row covers are the tool's own gaps and must come out with no judgement, reported as not
covered (never guessed).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import pytest

from appraise.rubrics import Engine, load_rubric

YES, NO, NI = "Yes", "No", "NI"
ANSWERS = (YES, NO, NI)
SC = "Some concerns"
NOT_COVERED = None  # the tool gives no rating


def cell(spec: str) -> set[str]:
    """'No|NI' -> {'No', 'NI'}; '-' matches any answer."""
    return set(ANSWERS) if spec == "-" else set(spec.split("|"))


def lookup(
    table: list[tuple[str | None, ...]], qids: tuple[str, ...], given: Mapping[str, str]
) -> str | None:
    rows = [
        row
        for row in table
        if all(given[q] in cell(str(c)) for q, c in zip(qids, row[:-1], strict=True))
    ]
    assert len(rows) <= 1, f"decision table is not a partition at {dict(given)}: {rows}"
    return rows[0][-1] if rows else NOT_COVERED


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_rubric("metapsy-rob"))


def check_every_combination(
    engine: Engine, domain: str, qids: tuple[str, ...], table: list[tuple[str | None, ...]]
) -> dict[str | None, int]:
    seen: dict[str | None, int] = {}
    for combo in itertools.product(ANSWERS, repeat=len(qids)):
        given = dict(zip(qids, combo, strict=True))
        expected = lookup(table, qids, given)
        got = engine.evaluate(given).domains[domain]
        assert got.judgement == expected, (domain, given, got.rule)
        assert got.not_covered == (expected is NOT_COVERED), (domain, given)
        assert not got.missing, (domain, given, got.missing)
        seen[expected] = seen.get(expected, 0) + 1
    return seen


# --- D1: items 1-4 ------------------------------------------------------------------------
# 2 No -> High; 2 NI and (3 No or 4 No) -> High; 2 NI otherwise -> SC;
# 2 Yes and 1 No -> SC; 2 Yes and (3 No or 4 No) -> SC; 2 Yes otherwise -> Low.
D1 = ("d1_1", "d1_2", "d1_3", "d1_4")
D1_TABLE: list[tuple[str | None, ...]] = [
    # 1        2      3         4         judgement
    ("-", "No", "-", "-", "High"),
    ("-", "NI", "No", "-", "High"),
    ("-", "NI", "Yes|NI", "No", "High"),
    ("-", "NI", "Yes|NI", "Yes|NI", SC),
    ("No", "Yes", "-", "-", SC),
    ("Yes|NI", "Yes", "No", "-", SC),
    ("Yes|NI", "Yes", "Yes|NI", "No", SC),
    ("Yes|NI", "Yes", "Yes|NI", "Yes|NI", "Low"),
]


def test_d1_every_combination(engine: Engine) -> None:
    seen = check_every_combination(engine, "D1", D1, D1_TABLE)
    assert sum(seen.values()) == 3**4 and NOT_COVERED not in seen


# --- D2: items 5-9 ------------------------------------------------------------------------
# 5 Yes and 6 Yes -> Low; otherwise with 7 Yes/NI: 8 Yes -> Low, 8 No/NI and 9 Yes -> SC,
# 8 No/NI and 9 No/NI -> High; 7 No -> High.
D2 = ("d2_5", "d2_6", "d2_7", "d2_8", "d2_9")
D2_TABLE: list[tuple[str | None, ...]] = [
    # 5        6        7         8        9         judgement
    ("Yes", "Yes", "-", "-", "-", "Low"),
    ("No|NI", "-", "Yes|NI", "Yes", "-", "Low"),
    ("Yes", "No|NI", "Yes|NI", "Yes", "-", "Low"),
    ("No|NI", "-", "Yes|NI", "No|NI", "Yes", SC),
    ("Yes", "No|NI", "Yes|NI", "No|NI", "Yes", SC),
    ("No|NI", "-", "Yes|NI", "No|NI", "No|NI", "High"),
    ("Yes", "No|NI", "Yes|NI", "No|NI", "No|NI", "High"),
    ("No|NI", "-", "No", "-", "-", "High"),
    ("Yes", "No|NI", "No", "-", "-", "High"),
]


def test_d2_every_combination(engine: Engine) -> None:
    seen = check_every_combination(engine, "D2", D2, D2_TABLE)
    assert sum(seen.values()) == 3**5 and NOT_COVERED not in seen


# --- D3: items 10-14 ----------------------------------------------------------------------
# 10 Yes -> Low; else 11 No/NI: SC if at least two of 12-14 are Yes, otherwise High.
# 11 Yes with 10 not Yes: no rule (metapsyTools gives no rating).
D3 = ("d3_10", "d3_11", "d3_12", "d3_13", "d3_14")
D3_TABLE: list[tuple[str | None, ...]] = [
    # 10       11       12       13       14       judgement
    ("Yes", "-", "-", "-", "-", "Low"),
    ("No|NI", "No|NI", "Yes", "Yes", "-", SC),
    ("No|NI", "No|NI", "Yes", "No|NI", "Yes", SC),
    ("No|NI", "No|NI", "No|NI", "Yes", "Yes", SC),
    ("No|NI", "No|NI", "Yes", "No|NI", "No|NI", "High"),
    ("No|NI", "No|NI", "No|NI", "Yes", "No|NI", "High"),
    ("No|NI", "No|NI", "No|NI", "No|NI", "-", "High"),
]


def test_d3_every_combination_and_the_uncovered_case(engine: Engine) -> None:
    seen = check_every_combination(engine, "D3", D3, D3_TABLE)
    # 10 No/NI (2) x 11 Yes (1) x 12-14 anything (27): the tool's own gap.
    assert seen[NOT_COVERED] == 2 * 27


def test_d3_uncovered_case_is_reported_not_guessed(engine: Engine) -> None:
    answers = {"d3_10": NO, "d3_11": YES, "d3_12": YES, "d3_13": YES, "d3_14": YES}
    result = engine.evaluate(answers)
    assert result.domains["D3"].judgement is None and result.not_covered == ["D3"]
    assert result.to_json()["not_covered"] == ["D3"]
    assert "no rule covers" in (result.domains["D3"].rule or "")


# --- D4: items 15-18 ----------------------------------------------------------------------
# Only self-report (16 Yes, 17 No) -> Low; assessor-rated involved (17 Yes, 16 Yes or No):
# 18 Yes -> Low, 18 No/NI -> High. Item 15 does not enter. 16 No with 17 No, or 16/17 NI:
# no rule (metapsyTools gives no rating).
D4 = ("d4_15", "d4_16", "d4_17", "d4_18")
D4_TABLE: list[tuple[str | None, ...]] = [
    # 15     16          17      18        judgement
    ("-", "Yes", "No", "-", "Low"),
    ("-", "Yes|No", "Yes", "Yes", "Low"),
    ("-", "Yes|No", "Yes", "No|NI", "High"),
]


def test_d4_every_combination(engine: Engine) -> None:
    seen = check_every_combination(engine, "D4", D4, D4_TABLE)
    # covered: 3*(3 + 2*1 + 2*2) = 27 of 81
    assert seen[NOT_COVERED] == 81 - 27


# --- D5: items 19-24 ----------------------------------------------------------------------
# 19 No/NI -> SC; else 21 No/NI -> SC; else 22 Yes -> High if 24 No, else Low;
# 22 NI -> High if 24 No, else SC; 22 No -> High. Items 20 and 23 do not enter.
D5 = ("d5_19", "d5_20", "d5_21", "d5_22", "d5_23", "d5_24")
D5_TABLE: list[tuple[str | None, ...]] = [
    # 19       20    21       22      23    24         judgement
    ("No|NI", "-", "-", "-", "-", "-", SC),
    ("Yes", "-", "No|NI", "-", "-", "-", SC),
    ("Yes", "-", "Yes", "Yes", "-", "No", "High"),
    ("Yes", "-", "Yes", "Yes", "-", "Yes|NI", "Low"),
    ("Yes", "-", "Yes", "NI", "-", "No", "High"),
    ("Yes", "-", "Yes", "NI", "-", "Yes|NI", SC),
    ("Yes", "-", "Yes", "No", "-", "-", "High"),
]


def test_d5_every_combination(engine: Engine) -> None:
    seen = check_every_combination(engine, "D5", D5, D5_TABLE)
    assert sum(seen.values()) == 3**6 and NOT_COVERED not in seen


# --- overall ------------------------------------------------------------------------------
def expected_overall(labels: tuple[str | None, ...]) -> str | None:
    """All Low -> Low; any High or more than two SC -> High; otherwise SC; none while a domain
    is unrated."""
    if None in labels:
        return None
    if all(label == "Low" for label in labels):
        return "Low"
    if "High" in labels or labels.count(SC) > 2:
        return "High"
    return SC


def test_overall_every_combination_of_domain_judgements(engine: Engine) -> None:
    for labels in itertools.product(("Low", SC, "High", None), repeat=5):
        domains = dict(zip(("D1", "D2", "D3", "D4", "D5"), labels, strict=True))
        got, _ = engine.overall_from(domains)
        assert got == expected_overall(labels), domains


def test_three_some_concerns_make_high_and_two_do_not(engine: Engine) -> None:
    three = {"D1": SC, "D2": SC, "D3": SC, "D4": "Low", "D5": "Low"}
    assert engine.overall_from(three)[0] == "High"
    assert engine.overall_from({**three, "D3": "Low"})[0] == SC


def test_a_high_domain_gives_no_overall_while_another_is_unrated(engine: Engine) -> None:
    assert engine.overall_from({"D1": "High", "D2": "Low", "D3": "Low", "D4": "Low"}) == (
        None,
        None,
    )


def test_a_missing_answer_is_reported_never_guessed(engine: Engine) -> None:
    result = engine.evaluate({"d1_2": YES, "d1_3": YES, "d1_4": YES})
    assert result.domains["D1"].judgement is None
    assert "d1_1" in result.domains["D1"].missing
    # Concealment failed settles domain 1 on its own.
    assert engine.evaluate({"d1_2": NO}).domains["D1"].judgement == "High"


def test_answers_are_the_tools_words_in_any_case(engine: Engine) -> None:
    assert engine.evaluate({"d5_19": "ni"}).domains["D5"].judgement == SC
    with pytest.raises(Exception, match="answer 'PY' to question d5_19 is not allowed"):
        engine.evaluate({"d5_19": "PY"})
