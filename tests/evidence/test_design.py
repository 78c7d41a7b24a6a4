"""Sequence generation, concealment, baseline, analysis, attrition, fidelity, dose, follow-up."""

from __future__ import annotations

import pytest

from appraise.evidence import design
from tests.evidence.helpers import context


@pytest.mark.parametrize(
    ("sentences", "answer"),
    [
        (["Participants were randomised using a computer-generated random number sequence."], "Y"),
        (["Randomisation was stratified by site using permuted blocks."], "PY"),
        (["Patients were randomly assigned to the two groups."], "NI"),
        (["Patients were allocated alternately to the two groups."], "N"),
        (["Allocation was by date of birth; those randomised on even dates got CBT."], "N"),
        (["The weather was fine."], "NI"),
    ],
)
def test_randomisation(sentences: list[str], answer: str) -> None:
    assert design.randomisation(context(*sentences)).answer == answer


def test_randomised_without_a_method_is_ni_but_quotes_the_sentence() -> None:
    signal = design.randomisation(context("Patients were randomly assigned to two groups."))
    assert signal.answer == "NI"
    assert signal.evidence and "not described" in (signal.comment or "")


@pytest.mark.parametrize(
    ("sentence", "answer"),
    [
        ("Allocation was concealed using a central web-based randomisation system.", "Y"),
        ("Allocation used sequentially numbered, sealed, opaque envelopes.", "Y"),
        ("Allocation was placed in sealed envelopes.", "PY"),
        ("The allocation sequence was concealed from recruiters.", "PY"),
        ("Allocation was not concealed; an open random allocation list was used.", "N"),
        ("Patients were randomised.", "NI"),
    ],
)
def test_concealment(sentence: str, answer: str) -> None:
    assert design.concealment(context(sentence)).answer == answer


def test_baseline_balance_and_imbalance() -> None:
    balanced = context("There were no significant differences between groups at baseline.")
    assert design.baseline(balanced).answer == "PN"
    unbalanced = context("The groups differed significantly at baseline in age.")
    assert design.baseline(unbalanced).answer == "NI"  # chance or a problem: a reviewer decides


@pytest.mark.parametrize(
    ("sentence", "answer"),
    [
        ("Analyses followed the intention-to-treat principle.", "Y"),
        ("A modified intention-to-treat analysis was used.", "PY"),
        ("Only participants who completed treatment were analysed (per-protocol).", "PN"),
        ("An intention-to-treat analysis was not performed.", "NI"),
    ],
)
def test_itt_analysis(sentence: str, answer: str) -> None:
    assert design.itt_analysis(context(sentence)).answer == answer


@pytest.mark.parametrize(
    ("sentences", "answer", "percent"),
    [
        (
            [
                "A total of 120 participants were randomised.",
                "Of these, 12 participants dropped out before the end of treatment.",
            ],
            "PN",
            10.0,
        ),
        (["The drop-out rate was 32%."], "N", 32.0),
        (
            [
                "A total of 3849 patients underwent randomization, and 3836 (1277 in one group and "
                "2559 in the others) were included in the full analysis."
            ],
            "Y",
            13 / 3849 * 100,
        ),
        (["All participants completed the study."], "Y", 0.0),
        (["85% of participants completed the post-treatment assessment."], "N", 15.0),
    ],
)
def test_attrition_from_numbers(sentences: list[str], answer: str, percent: float) -> None:
    ctx = context(*sentences)
    assert design.attrition(ctx).answer == answer
    dropout = design.attrition_facts(ctx).dropout_percent
    assert dropout is not None and dropout == pytest.approx(percent, abs=0.1)


def test_attrition_without_numbers_is_ni() -> None:
    assert design.attrition(context("Participants were followed up.")).answer == "NI"


def test_missing_data_handling() -> None:
    itt = context("We used intention-to-treat analyses with multiple imputation.")
    assert design.missing_data_handling(itt).answer == "PY"
    completers = context("Only completers analysis was reported.")
    assert design.missing_data_handling(completers).answer == "PN"


def test_non_starters_completion_fidelity_dose_followup() -> None:
    ctx = context(
        "Eight participants did not start treatment.",
        "Treatment completion was defined as attending at least 2 of 12 sessions.",
        "All sessions were audio-recorded and 20% were rated for adherence and competence.",
        "Participants attended a mean of 9.4 sessions.",
        "Outcomes were assessed at post-treatment and at 12-month follow-up.",
    )
    assert design.non_starters(ctx).answer == "Y"
    completion = design.completion_definition(ctx)
    assert completion.answer == "PN" and "lenient" in (completion.comment or "")
    assert design.fidelity(ctx).answer == "Y"
    assert design.dose(ctx).answer == "Y"
    assert design.followup(ctx).answer == "Y"


def test_short_follow_up_and_strict_completion() -> None:
    ctx = context(
        "A 3-month follow-up was conducted.",
        "Completion was defined as attending at least 10 of 12 sessions.",
    )
    assert design.followup(ctx).answer == "N"  # under six months after treatment (issue 13)
    assert design.completion_definition(ctx).answer == "PY"


def test_fidelity_explicitly_not_checked() -> None:
    ctx = context("Treatment fidelity was not assessed or rated.")
    assert design.fidelity(ctx).answer == "N"


def test_randomised_and_analysed_per_arm() -> None:
    ctx = context(
        "Participants were randomised to CBT (n = 40) or wait-list (n = 38).",
        "At post-treatment, 35 in the CBT group and 36 in the wait-list group were analysed.",
    )
    facts = design.attrition_facts(ctx).to_json()
    assert facts["per_arm"] == [
        {"arm": "CBT", "randomised": 40, "analysed": 35},
        {"arm": "wait-list", "randomised": 38, "analysed": 36},
    ]
    signal = design.attrition(ctx)
    assert signal.answer == "PN"  # 7 of 78 (9%) missing
    assert "CBT 35/40" in (signal.comment or "")
