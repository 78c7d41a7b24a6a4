"""The instrument lexicon: who rates each measure, and where measures are named in a text."""

from __future__ import annotations

import csv

import pytest

from appraise.evidence import Document, classify, find_instruments
from tests.conftest import shared_path


@pytest.mark.parametrize(
    ("name", "kind", "matched"),
    [
        ("PHQ-9", "self-report", "PHQ-9"),
        ("BDI-II", "self-report", "BDI"),
        ("HAM-D-17", "clinician-rated", "HAM-D"),
        ("HRSD24", "clinician-rated", "HAM-D"),
        ("MADRS", "clinician-rated", "MADRS"),
        ("MADRS-S", "self-report", "MADRS-S"),  # the self-rated version is its own entry
        ("Montgomery–Åsberg Depression Rating Scale", "clinician-rated", "MADRS"),
        ("CAPS-5", "diagnostic-interview", "CAPS"),
        ("PCL-M", "self-report", "PCL"),
        ("PSS-I", "diagnostic-interview", "PSS-I"),
        ("PSS-SR", "self-report", "PSS-SR"),
        ("SCID-5-RV", "diagnostic-interview", "SCID"),
        ("K-SADS-PL", "diagnostic-interview", "K-SADS"),
        ("Clinician-Administered PTSD Scale for DSM-5", "diagnostic-interview", "CAPS"),
        ("qids-sr16", "self-report", "QIDS-SR"),
    ],
)
def test_known_instruments_and_their_variants(name: str, kind: str, matched: str) -> None:
    match = classify(name)
    assert (match.kind, match.matched) == (kind, matched)


def test_unknown_names_say_unknown_or_follow_their_own_words() -> None:
    assert classify("XYZ-12").kind == "unknown"
    assert classify("XYZ-12").matched is None
    # (was the Brief Fear of Negative Evaluation questionnaire, which the lexicon now knows)
    rule = classify("Brief Worry Intrusions Questionnaire")
    assert rule.kind == "self-report"
    assert rule.matched is not None and rule.matched.startswith("rule:")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Quux Symptom Interview", "clinician-rated"),
        ("semi-structured interview for grief", "clinician-rated"),  # not a diagnosis
        ("Structured Clinical Interview for Grief Disorders", "diagnostic-interview"),
        ("XYZ-CR", "clinician-rated"),
        ("XYZ-SR", "self-report"),
        ("Sleep diary", "self-report"),
        ("Quux Rating Scale", "unknown"),  # 'scale' alone does not say who rates
        ("ASI", "unknown"),  # addiction severity (interview) or anxiety sensitivity (self)
    ],
)
def test_name_rules_read_the_name_and_say_unknown_rather_than_guess(name: str, kind: str) -> None:
    assert classify(name).kind == kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("WHODAS 2.0", "self-report"),
        ("Addiction Severity Index", "clinician-rated"),
        ("ASI-3", "self-report"),
        ("SCID-5-PD", "diagnostic-interview"),
        ("DAWBA", "diagnostic-interview"),
        ("Timeline Followback", "self-report"),
        ("SANS", "clinician-rated"),
        ("ADAS-Cog", "clinician-rated"),
        ("Mini-Mental State Examination", "clinician-rated"),
        ("MoCA", "clinician-rated"),
    ],
)
def test_lexicon_entries_added_for_issue_13(name: str, kind: str) -> None:
    match = classify(name)
    assert match.kind == kind and not (match.matched or "rule:").startswith("rule:")


def test_text_search_finds_spellings_across_separators_and_accents() -> None:
    doc = Document.from_sections(
        [
            (
                "Methods",
                "methods",
                "Depression was rated with the HAM D and the Montgomery–Åsberg Depression "
                "Rating Scale; participants completed the PHQ/9 and the BDI-II.",
            )
        ],
        source="test",
    )
    found = [(m.instrument.name, doc.text[m.start : m.end]) for m in find_instruments(doc)]
    assert found == [
        ("HAM-D", "HAM D"),
        ("MADRS", "Montgomery–Åsberg Depression Rating Scale"),
        ("PHQ-9", "PHQ/9"),
        ("BDI", "BDI-II"),
    ]


def test_every_metapsy_ptsd_instrument_has_the_right_rater() -> None:
    path = shared_path("data", "metapsy-ptsd", "data.csv")
    with path.open(encoding="utf-8") as handle:
        pairs = {(r["instrument"], r["rating"]) for r in csv.DictReader(handle, delimiter=";")}
    wrong = [
        (name, rating, classify(name).rater)
        for name, rating in sorted(pairs)
        if classify(name).rater != rating
    ]
    assert len(pairs) >= 16
    assert wrong == []


def test_mentions_in_text_are_verbatim_and_ambiguous_words_need_a_measuring_context() -> None:
    text = (
        "Diagnosis was confirmed with the Mini International Neuropsychiatric Interview and the "
        "CAPS‑5 at baseline. Depression was measured with the BDI-II. A brain SCAN was done. "
        "The core team met weekly."
    )
    doc = Document.from_sections([("Methods", "methods", text)], "t")
    found = [(m.instrument.name, doc.text[m.start : m.end]) for m in find_instruments(doc)]
    assert found == [
        ("MINI", "Mini International Neuropsychiatric Interview"),
        ("CAPS", "CAPS‑5"),
        ("BDI", "BDI-II"),
    ]


def test_an_ambiguous_abbreviation_counts_where_its_sentence_speaks_of_diagnosis() -> None:
    text = "The MINI was used to confirm eligibility. A SCAN of the brain followed."
    doc = Document.from_sections([("Methods", "methods", text)], "t")
    assert [m.instrument.name for m in find_instruments(doc)] == ["MINI"]
    text = "Eligible patients met DSM-5 criteria on the MINI."
    doc = Document.from_sections([("Methods", "methods", text)], "t")
    assert [m.instrument.name for m in find_instruments(doc)] == ["MINI"]


def test_lowercase_words_are_not_abbreviations() -> None:
    doc = Document.from_sections([("Methods", "methods", "We used a mini scan of the pcl.")], "t")
    assert find_instruments(doc) == []
