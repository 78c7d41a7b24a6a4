"""The one-pass cue scan gives exactly the matches `finditer` gives, for every detector pattern."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from appraise.documents import read_document
from appraise.evidence import (
    blinding,
    cues,
    design,
    interests,
    measurement,
    raters,
    registration,
    schedule,
    signals,
    text,
)
from appraise.evidence.cues import _IGNORECASE_FOLD, CueScan, folded, plan
from appraise.evidence.document import translate_present
from appraise.sources.registrations import ANY_REGISTRY

MODULES = (blinding, design, interests, measurement, raters, registration, schedule, signals, text)
PATTERNS = [
    value
    for module in MODULES
    for value in vars(module).values()
    if isinstance(value, re.Pattern) and isinstance(value.pattern, str)
]
# Case, dotted and dotless i, the long s, the Kelvin sign, Arabic-Indic digits, dashes.
TRICKY = (
    "Participants were RANDOMISED (n = 40) by a computer-generated list; ALLOCATION was "
    "concealed. 12 weeks after treatment, ſham-controlled, \u0130TT analysis, 1\u212a. "
    "Thirty-six patients (\u0661\u0662 %) dropped out; NCT01234567 registered 2 March 2010."
)


def _spans(matches: list[re.Match[str]]) -> list[tuple[int, int, tuple[str | None, ...]]]:
    return [(m.start(), m.end(), m.groups()) for m in matches]


def test_the_detectors_patterns_are_collected() -> None:
    assert len(PATTERNS) > 60
    assert sum(plan(p) is not None for p in PATTERNS) > len(PATTERNS) // 2


@pytest.mark.parametrize("name", ["PMC1201146.xml", "10.1371_journal.pmed.1001518.xml"])
def test_matches_equal_finditer_on_real_texts(shared: Path, name: str) -> None:
    search_text = read_document(shared / "data" / "oa-trials" / name).search_text
    scan = CueScan(search_text)
    for pattern in PATTERNS:
        assert _spans(scan.matches(pattern)) == _spans(list(pattern.finditer(search_text))), (
            pattern.pattern[:80]
        )


def test_matches_equal_finditer_on_case_and_unicode_variants() -> None:
    scan = CueScan(TRICKY)
    for pattern in [*PATTERNS, ANY_REGISTRY]:
        assert _spans(scan.matches(pattern)) == _spans(list(pattern.finditer(TRICKY)))


def test_fold_keeps_offsets_and_covers_what_ignorecase_equates() -> None:
    assert len(folded(TRICKY)) == len(TRICKY)
    letter = re.compile("[a-z]", re.IGNORECASE)
    equated = {c for c in range(128, 0x110000) if letter.fullmatch(chr(c))}
    assert equated == set(_IGNORECASE_FOLD)
    assert folded("\u0661\u212a") == "1k"


def test_a_sentence_without_a_needed_literal_cannot_match() -> None:
    scan = CueScan(TRICKY)
    at = TRICKY.index("NCT")
    assert scan.may_match(ANY_REGISTRY, at - 5, at + 12)
    assert not scan.may_match(ANY_REGISTRY, 0, 40)


def test_a_pattern_without_literals_runs_as_before() -> None:
    pattern = re.compile(r"\b[A-Z]\w+\b")
    assert plan(pattern) is None
    assert _spans(CueScan(TRICKY).matches(pattern)) == _spans(list(pattern.finditer(TRICKY)))


def test_gaps_of_words_are_bounded_by_the_longest_stretch_without_spaces() -> None:
    # '(?:\w+ ){0,3}?' has no fixed length, but no word outruns the text's longest token.
    pattern = re.compile(r"\b(?:randomi[sz]ed|allocated) (?:\w+ ){0,3}?by (?:a |an )?computer\b")
    how = plan(pattern)
    assert how is not None and how.reach is not None
    long_word = "x" * 3000
    text = (
        f"Patients were randomised {long_word} by computer. They were allocated in two "
        "blocks by a computer, and randomized by an independent computer programme."
    )
    scan = CueScan(text)
    assert _spans(scan.matches(pattern)) == _spans(list(pattern.finditer(text)))
    assert len(scan.matches(pattern)) == 2


def test_accented_and_symbol_literals_are_required_like_ascii_ones() -> None:
    pattern = re.compile(r"\b[A-Z][\w-]*[®™]|\bna[ïi]ve\b", re.IGNORECASE)
    assert plan(pattern) is not None
    text = "Assessors were NAÏVE to allocation; Zoloft® tablets; naive raters; Brand™."
    assert _spans(CueScan(text).matches(pattern)) == _spans(list(pattern.finditer(text)))


def test_folding_the_characters_present_equals_translating_every_one() -> None:
    table = str.maketrans({"\u2010": "-", "\u00a0": " ", "\u2019": "'"})
    text = "single\u2010blind,\u00a0assessors\u2019 ratings; caf\u00e9 \u2010"
    assert translate_present(text, table) == text.translate(table)
    assert translate_present("plain ASCII", table) == "plain ASCII"


def test_the_looser_pattern_stands_in_for_most_detector_patterns() -> None:
    assert sum(cues._LOOSE(p) is not None for p in PATTERNS) > len(PATTERNS) * 0.9
    # Hyperscan 5.4.12 found nothing here; every match must be found.
    pattern = re.compile(r"\b\d{2,5} (?:(?:persons?|refugees?|soldiers?) )?recruited\b", re.I)
    text = "no deaths among the 500 recruited participa"
    assert _spans(CueScan(text).matches(pattern)) == [(20, 33, ())]


def test_without_re2_the_literal_prefilter_gives_the_same_matches(
    shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    search_text = read_document(shared / "data" / "oa-trials" / "PMC1201146.xml").search_text
    with_re2 = CueScan(search_text)
    expected = {id(p): _spans(with_re2.matches(p)) for p in PATTERNS}
    monkeypatch.setattr(cues, "_LOOSE", cues._PerPattern(lambda pattern: None))
    without = CueScan(search_text)
    assert all(_spans(without.matches(p)) == expected[id(p)] for p in PATTERNS)


def test_literals_that_arrive_after_a_scan_are_found_in_that_document() -> None:
    # A process's first document meets its detectors' patterns one by one: only the new
    # literals are scanned for, and a pattern first seen late still gets every match.
    text = "Zebrafish were studied. The quokka arm and the Quokkas arm; zebrafish study ended."
    scan = CueScan(text)
    assert _spans(scan.matches(PATTERNS[0])) == _spans(list(PATTERNS[0].finditer(text)))
    for source in (r"\bzebrafish (?:trial|study)\b", r"\bquokka\w* arm\b"):
        late = re.compile(source, re.IGNORECASE)
        assert plan(late) is not None
        assert _spans(scan.matches(late)) == _spans(list(late.finditer(text)))
        assert scan.matches(late)
