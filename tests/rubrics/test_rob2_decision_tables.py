"""Every combination of answers for every RoB 2 domain, checked against the guidance.

The expected judgements are written here as decision tables taken from the algorithms in
shared/DOMAIN.md section 2.1 (the RoB 2 guidance's criteria tables), independently of the
rule lists in rubrics/rob2.yaml. Each table must be a partition: every combination of
effective answers matches exactly one row. Applicability of conditional questions is also
written out here from the official tool's "If ... to ..." wording.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

import pytest

from appraise.rubrics import Engine, load_rubric

Y, PY, PN, N, NI, NA = "Y", "PY", "PN", "N", "NI", "NA"
ANSWERS = (Y, PY, PN, N, NI)
YES = {Y, PY}
NO = {N, PN}
ANY = {Y, PY, PN, N, NI, NA}


def cell(spec: str) -> set[str]:
    """'Y*|NI' -> {'Y','PY','NI'}; '-' matches anything (including NA)."""
    if spec == "-":
        return ANY
    out: set[str] = set()
    for part in spec.split("|"):
        out |= {"Y*": YES, "N*": NO}.get(part, {part})
    return out


def lookup(table: list[tuple[str, ...]], qids: tuple[str, ...], eff: Mapping[str, str]) -> str:
    rows = [
        row for row in table if all(eff[q] in cell(c) for q, c in zip(qids, row[:-1], strict=True))
    ]
    assert len(rows) == 1, f"decision table is not a partition at {dict(eff)}: {rows}"
    return rows[0][-1]


SEVERITY = {"Low": 0, "Some concerns": 1, "High": 2}


def worst(*labels: str) -> str:
    return max(labels, key=SEVERITY.__getitem__)


def effective(
    given: Mapping[str, str], order: tuple[str, ...], applies: Mapping[str, Callable[..., bool]]
) -> dict[str, str]:
    """Answers as the algorithm sees them: NA wherever a question does not apply."""
    eff: dict[str, str] = {}
    for q in order:
        eff[q] = given[q] if applies.get(q, lambda e: True)(eff) else NA
    return eff


def check_domain(
    engine: Engine,
    domain: str,
    order: tuple[str, ...],
    values: Mapping[str, tuple[str, ...]],
    applies: Mapping[str, Callable[..., bool]],
    expected: Callable[[dict[str, str]], str],
) -> int:
    checked = 0
    for combo in itertools.product(*(values[q] for q in order)):
        given = dict(zip(order, combo, strict=True))
        eff = effective(given, order, applies)
        got = engine.evaluate(given).domains[domain]
        assert got.judgement == expected(eff), (domain, given, got.rule)
        checked += 1
    return checked


@pytest.fixture(scope="module")
def assignment() -> Engine:
    return Engine(load_rubric("rob2"), options={"effect": "assignment"})


@pytest.fixture(scope="module")
def adhering() -> Engine:
    return Engine(load_rubric("rob2"), options={"effect": "adhering"})


# --- D1 -----------------------------------------------------------------------------------
D1_TABLE = [
    # 1.1     1.2    1.3      judgement
    ("-", "N*", "-", "High"),
    ("N*", "Y*", "-", "Some concerns"),
    ("Y*|NI", "Y*", "N*|NI", "Low"),
    ("Y*|NI", "Y*", "Y*", "Some concerns"),
    ("-", "NI", "N*|NI", "Some concerns"),
    ("-", "NI", "Y*", "High"),
]


def test_d1_every_combination(assignment: Engine) -> None:
    order = ("1.1", "1.2", "1.3")
    n = check_domain(
        assignment,
        "D1",
        order,
        dict.fromkeys(order, ANSWERS),
        {},
        lambda eff: lookup(D1_TABLE, order, eff),
    )
    assert n == 5**3


# --- D2, effect of assignment ---------------------------------------------------------------
D2_PART_A = [
    # 2.1    2.2    2.3    2.4     2.5     judgement
    ("N*", "N*", "-", "-", "-", "Low"),
    ("Y*|NI", "-", "N*", "-", "-", "Low"),
    ("N*", "Y*|NI", "N*", "-", "-", "Low"),
    ("Y*|NI", "-", "NI", "-", "-", "Some concerns"),
    ("N*", "Y*|NI", "NI", "-", "-", "Some concerns"),
    ("Y*|NI", "-", "Y*", "N*", "-", "Some concerns"),
    ("N*", "Y*|NI", "Y*", "N*", "-", "Some concerns"),
    ("Y*|NI", "-", "Y*", "Y*|NI", "Y*", "Some concerns"),
    ("N*", "Y*|NI", "Y*", "Y*|NI", "Y*", "Some concerns"),
    ("Y*|NI", "-", "Y*", "Y*|NI", "N*|NI", "High"),
    ("N*", "Y*|NI", "Y*", "Y*|NI", "N*|NI", "High"),
]
D2_PART_B = [
    # 2.6     2.7     judgement
    ("Y*", "-", "Low"),
    ("N*|NI", "N*", "Some concerns"),
    ("N*|NI", "Y*|NI", "High"),
]
D2_ASSIGNMENT_APPLIES = {
    "2.3": lambda e: e["2.1"] in YES | {NI} or e["2.2"] in YES | {NI},
    "2.4": lambda e: e["2.3"] in YES,
    "2.5": lambda e: e["2.4"] in YES | {NI},
    "2.7": lambda e: e["2.6"] in NO | {NI},
}


def test_d2_assignment_every_combination(assignment: Engine) -> None:
    order = ("2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7")
    n = check_domain(
        assignment,
        "D2",
        order,
        dict.fromkeys(order, ANSWERS),
        D2_ASSIGNMENT_APPLIES,
        lambda eff: worst(lookup(D2_PART_A, order[:5], eff), lookup(D2_PART_B, order[5:], eff)),
    )
    assert n == 5**7


# --- D2, effect of adhering -----------------------------------------------------------------
D2_ADHERING = [
    # 2.1     2.2     2.3        2.4      2.5      2.6      judgement
    ("N*", "N*", "-", "NA|N*", "NA|N*", "-", "Low"),
    ("Y*|NI", "-", "NA|Y*", "NA|N*", "NA|N*", "-", "Low"),
    ("N*", "Y*|NI", "NA|Y*", "NA|N*", "NA|N*", "-", "Low"),
    # not Low on the first branch: failures or non-adherence that could matter
    ("N*", "N*", "-", "Y*|NI", "-", "Y*", "Some concerns"),
    ("N*", "N*", "-", "NA|N*", "Y*|NI", "Y*", "Some concerns"),
    ("N*", "N*", "-", "Y*|NI", "-", "N*|NI", "High"),
    ("N*", "N*", "-", "NA|N*", "Y*|NI", "N*|NI", "High"),
    ("Y*|NI", "-", "NA|Y*", "Y*|NI", "-", "Y*", "Some concerns"),
    ("Y*|NI", "-", "NA|Y*", "NA|N*", "Y*|NI", "Y*", "Some concerns"),
    ("Y*|NI", "-", "NA|Y*", "Y*|NI", "-", "N*|NI", "High"),
    ("Y*|NI", "-", "NA|Y*", "NA|N*", "Y*|NI", "N*|NI", "High"),
    ("N*", "Y*|NI", "NA|Y*", "Y*|NI", "-", "Y*", "Some concerns"),
    ("N*", "Y*|NI", "NA|Y*", "NA|N*", "Y*|NI", "Y*", "Some concerns"),
    ("N*", "Y*|NI", "NA|Y*", "Y*|NI", "-", "N*|NI", "High"),
    ("N*", "Y*|NI", "NA|Y*", "NA|N*", "Y*|NI", "N*|NI", "High"),
    # 2.3 N*/NI: important non-protocol interventions unbalanced, or unknown
    ("Y*|NI", "-", "N*|NI", "-", "-", "Y*", "Some concerns"),
    ("N*", "Y*|NI", "N*|NI", "-", "-", "Y*", "Some concerns"),
    ("Y*|NI", "-", "N*|NI", "-", "-", "N*|NI", "High"),
    ("N*", "Y*|NI", "N*|NI", "-", "-", "N*|NI", "High"),
]
D2_ADHERING_APPLIES = {
    "2.3": lambda e: e["2.1"] in YES | {NI} or e["2.2"] in YES | {NI},
    "2.6": lambda e: e["2.3"] in NO | {NI} or e["2.4"] in YES | {NI} or e["2.5"] in YES | {NI},
}


def test_d2_adhering_every_combination(adhering: Engine) -> None:
    order = ("2.1", "2.2", "2.3", "2.4", "2.5", "2.6")
    values = {
        "2.1": ANSWERS,
        "2.2": ANSWERS,
        "2.3": (*ANSWERS, NA),
        "2.4": (*ANSWERS, NA),
        "2.5": (*ANSWERS, NA),
        "2.6": ANSWERS,
    }
    n = check_domain(
        adhering,
        "D2",
        order,
        values,
        D2_ADHERING_APPLIES,
        lambda eff: lookup(D2_ADHERING, order, eff),
    )
    assert n == 5 * 5 * 6 * 6 * 6 * 5


# --- D3 -----------------------------------------------------------------------------------
D3_TABLE = [
    # 3.1     3.2      3.3      3.4      judgement
    ("Y*", "-", "-", "-", "Low"),
    ("N*|NI", "Y*", "-", "-", "Low"),
    ("N*|NI", "N*|NI", "N*", "-", "Low"),
    ("N*|NI", "N*|NI", "Y*|NI", "N*", "Some concerns"),
    ("N*|NI", "N*|NI", "Y*|NI", "Y*|NI", "High"),
]
D3_APPLIES = {
    "3.2": lambda e: e["3.1"] in NO | {NI},
    "3.3": lambda e: e["3.2"] in NO | {NI},
    "3.4": lambda e: e["3.3"] in YES | {NI},
}


def test_d3_every_combination(assignment: Engine) -> None:
    order = ("3.1", "3.2", "3.3", "3.4")
    n = check_domain(
        assignment,
        "D3",
        order,
        dict.fromkeys(order, ANSWERS),
        D3_APPLIES,
        lambda eff: lookup(D3_TABLE, order, eff),
    )
    assert n == 5**4


# --- D4 -----------------------------------------------------------------------------------
D4_TABLE = [
    # 4.1     4.2     4.3     4.4     4.5     judgement
    ("Y*", "-", "-", "-", "-", "High"),
    ("N*|NI", "Y*", "-", "-", "-", "High"),
    ("N*|NI", "N*", "N*", "-", "-", "Low"),
    ("N*|NI", "N*", "Y*|NI", "N*", "-", "Low"),
    ("N*|NI", "N*", "Y*|NI", "Y*|NI", "N*", "Some concerns"),
    ("N*|NI", "N*", "Y*|NI", "Y*|NI", "Y*|NI", "High"),
    ("N*|NI", "NI", "N*", "-", "-", "Some concerns"),
    ("N*|NI", "NI", "Y*|NI", "N*", "-", "Some concerns"),
    ("N*|NI", "NI", "Y*|NI", "Y*|NI", "N*", "Some concerns"),
    ("N*|NI", "NI", "Y*|NI", "Y*|NI", "Y*|NI", "High"),
]
D4_APPLIES = {
    "4.3": lambda e: e["4.1"] in NO | {NI} and e["4.2"] in NO | {NI},
    "4.4": lambda e: e["4.3"] in YES | {NI},
    "4.5": lambda e: e["4.4"] in YES | {NI},
}


def test_d4_every_combination(assignment: Engine) -> None:
    order = ("4.1", "4.2", "4.3", "4.4", "4.5")
    n = check_domain(
        assignment,
        "D4",
        order,
        dict.fromkeys(order, ANSWERS),
        D4_APPLIES,
        lambda eff: lookup(D4_TABLE, order, eff),
    )
    assert n == 5**5


# --- D5 -----------------------------------------------------------------------------------
D5_TABLE = [
    # 5.1     5.2      5.3      judgement
    ("-", "Y*", "-", "High"),
    ("-", "N*|NI", "Y*", "High"),
    ("-", "NI", "N*|NI", "Some concerns"),
    ("-", "N*", "NI", "Some concerns"),
    ("Y*", "N*", "N*", "Low"),
    ("N*|NI", "N*", "N*", "Some concerns"),
]


def test_d5_every_combination(assignment: Engine) -> None:
    order = ("5.1", "5.2", "5.3")
    n = check_domain(
        assignment,
        "D5",
        order,
        dict.fromkeys(order, ANSWERS),
        {},
        lambda eff: lookup(D5_TABLE, order, eff),
    )
    assert n == 5**3


# --- Overall, both profiles -----------------------------------------------------------------
LABELS = ("Low", "Some concerns", "High")


def expected_overall(domains: tuple[str, ...], profile: str) -> str:
    if "High" in domains:
        return "High"
    concerns = domains.count("Some concerns")
    if profile == "metapsy" and concerns > 2:
        return "High"
    return "Some concerns" if concerns else "Low"


@pytest.mark.parametrize("profile", ["cochrane", "metapsy"])
def test_overall_every_combination(profile: str) -> None:
    engine = Engine(load_rubric("rob2"), profile=profile)
    for combo in itertools.product(LABELS, repeat=5):
        labels = dict(zip(("D1", "D2", "D3", "D4", "D5"), combo, strict=True))
        assert engine.overall_from(labels)[0] == expected_overall(combo, profile), combo


def test_overall_from_answers_follows_the_domains() -> None:
    engine = Engine(load_rubric("rob2"), profile="metapsy")
    answers = {
        "1.1": Y,
        "1.2": NI,
        "1.3": N,  # D1 Some concerns
        "2.1": Y,
        "2.2": Y,
        "2.3": NI,
        "2.6": Y,  # D2 Some concerns
        "3.1": N,
        "3.2": N,
        "3.3": Y,
        "3.4": N,  # D3 Some concerns
        "4.1": N,
        "4.2": N,
        "4.3": N,
        "rater": "assessor",  # D4 Low (masked assessors)
        "5.1": Y,
        "5.2": N,
        "5.3": N,  # D5 Low
    }
    result = engine.evaluate(answers)
    assert [r.judgement for r in result.domains.values()] == [
        "Some concerns",
        "Some concerns",
        "Some concerns",
        "Low",
        "Low",
    ]
    assert result.overall == "High"  # more than two domains with some concerns
    assert Engine(load_rubric("rob2")).evaluate(answers).overall == "Some concerns"


# --- Metapsy profile, domain 4 --------------------------------------------------------------
@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"rater": "self-report", "4.1": N, "4.2": N, "4.3": Y, "4.4": Y, "4.5": Y}, "Low"),
        ({"rater": "self-report", "4.1": Y, "4.2": N}, "High"),
        ({"rater": "assessor", "4.1": N, "4.2": N, "4.3": Y}, "High"),
        ({"rater": "assessor", "4.1": N, "4.2": N, "4.3": PN}, "Low"),
        ({"rater": "assessor", "4.1": N, "4.2": N, "4.3": NI}, "Some concerns"),
    ],
)
def test_metapsy_profile_domain_4(answers: dict[str, str], expected: str) -> None:
    engine = Engine(load_rubric("rob2"), profile="metapsy")
    assert engine.evaluate(answers).domains["D4"].judgement == expected


def test_metapsy_profile_needs_to_know_who_rated_the_outcome() -> None:
    engine = Engine(load_rubric("rob2"), profile="metapsy")
    result = engine.evaluate({"4.1": N, "4.2": N, "4.3": Y})
    assert result.domains["D4"].judgement is None
    assert "rater" in result.domains["D4"].missing
