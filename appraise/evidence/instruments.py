"""A lexicon of mental-health outcome measures: who produces the score, and where they are named.

The data live in ``instruments.yaml`` next to this module. ``classify`` answers for one name a
user typed; ``find_instruments`` finds every mention in a document with one pass over its words
(Aho-Corasick automata, so time is linear in the text and independent of the lexicon's
size).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import ahocorasick
import yaml

from appraise.evidence.document import Document, Sentence, translate_present

Kind = Literal["self-report", "clinician-rated", "diagnostic-interview", "unknown"]
KINDS: tuple[str, ...] = ("self-report", "clinician-rated", "diagnostic-interview")

# Trailing tokens that name a version or form without changing who rates: -5, -II, -IV, -R ...
# Rater-changing suffixes (-S, -SR, -I, -C) are never stripped: they are separate entries.
_VERSION_TOKEN = re.compile(
    r"^(?:\d{1,3}|II|III|IV|V|R|TR|RV|CV|PL|E|L|DSM\d*|[A-Z]?\d{1,3}[A-Z]?)$"
)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_MEASURING_WORDS = re.compile(
    r"\b(?:scales?|interview\w*|questionnaires?|inventor(?:y|ies)|measur\w*|scor\w*|checklists?|"
    r"assess\w*|instruments?|rated|rating|administered|screen\w*|diagnos\w*|eligib\w*|"
    r"criteria|evaluat\w*)\b",
    re.IGNORECASE,
)
# Rules for names the lexicon does not know, from the words instruments use to describe
# themselves; first match wins, self-report first ("Self-Rating Depression Scale").
_HEURISTICS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"self[- ]?(?:report|rat|administ|assess)|questionnaire|-SR\b", re.I),
        "self-report",
    ),
    (
        re.compile(
            r"diagnostic interview|(?<!semi-)structured (?:clinical )?interview|interview schedule",
            re.I,
        ),
        "diagnostic-interview",
    ),
    (
        re.compile(
            r"clinician|observer|interviewer|clinical rating|-CR\b|\binterview\b|"
            r"rated by (?:a |the )?(?:clinician|assessor|rater)s?",
            re.I,
        ),
        "clinician-rated",
    ),
    (re.compile(r"inventory|checklist|\bsurvey\b|\bdiary\b", re.I), "self-report"),
)
# A bare 'scale' or 'rating scale' says nothing of who rates (HAM-D and Zung are both
# 'rating scales'), so such names stay unknown.


@dataclass(frozen=True)
class Instrument:
    name: str
    full: str
    kind: str
    names: tuple[str, ...]
    mine: bool = True

    @property
    def rater(self) -> str:
        """'self-report' or 'clinician', as Metapsy's `rating` column records it."""
        return "self-report" if self.kind == "self-report" else "clinician"


@dataclass(frozen=True)
class InstrumentMatch:
    name: str
    kind: str
    matched: str | None  # the lexicon entry, or "rule: ..." for a heuristic, or None

    @property
    def rater(self) -> str | None:
        if self.kind == "unknown":
            return None
        return "self-report" if self.kind == "self-report" else "clinician"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "matched": self.matched}


@dataclass(frozen=True)
class InstrumentMention:
    instrument: Instrument
    start: int
    end: int
    sentence: Sentence


class _FoldTable(dict[int, str]):
    """str.translate table that folds each character once, then remembers it."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        self[code] = folded = base if len(base) == 1 else char
        return folded


_FOLD_TABLE = _FoldTable()


def _fold(text: str) -> str:
    """Accents off (Åsberg -> Asberg), one character for one, so offsets stay valid; ASCII
    text is returned as it is."""
    return translate_present(text, _FOLD_TABLE)


def _key(name: str) -> str:
    """Case, spaces, hyphens, dots and slashes ignored: 'HAM-D 17' -> 'HAMD17'."""
    return "".join(_TOKEN.findall(_fold(name))).upper()


def _is_abbreviation(alias: str) -> bool:
    words = _TOKEN.findall(alias)
    return len(words) <= 3 and not any(w[1:].islower() and len(w) > 3 for w in words)


# Separators an abbreviation's parts may be written with: 'HAM-D', 'HAM D', 'HAM/D', 'HAM - D'.
_ABBREVIATION_SEPARATORS = (" ", "-", "/", " - ", ". ", ".")


def _variants(alias: str, abbreviation: bool) -> set[str]:
    """The spellings of an alias the text search looks for (folded; names lower-cased)."""
    tokens = _TOKEN.findall(_fold(alias))
    if not tokens:
        return set()
    if abbreviation and len(tokens) <= 3:
        out = {tokens[0]}
        for token in tokens[1:]:
            out = {o + sep + token for o in out for sep in _ABBREVIATION_SEPARATORS}
        return out
    if abbreviation:
        return {" ".join(tokens)}
    lower = _fold(alias).lower()
    return {" ".join(tokens).lower(), lower, lower.replace("-", " "), "-".join(tokens).lower()}


def _lower_same_length(text: str) -> str:
    """Lower case, one character for one, so offsets stay valid ('İ' lowers to two)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class Lexicon:
    def __init__(self, data: dict[str, Any]) -> None:
        self.instruments = [
            Instrument(e["name"], e["full"], e["kind"], tuple(e["names"]), e.get("mine", True))
            for e in data["instruments"]
        ]
        self.ambiguous = frozenset(data.get("ambiguous_in_text", []))
        self._by_key: dict[str, Instrument] = {}
        # Aho-Corasick automata for running text (one pass whatever the lexicon's size):
        # abbreviations case-sensitive, full names by lower case.
        self._abbreviations = ahocorasick.Automaton()
        self._names = ahocorasick.Automaton()
        for inst in self.instruments:
            if inst.kind not in KINDS:
                raise ValueError(f"instrument {inst.name}: unknown kind {inst.kind}")
            for alias in (inst.name, *inst.names):
                self._by_key.setdefault(_key(alias), inst)
                if not inst.mine:
                    continue
                abbreviation = _is_abbreviation(alias)
                automaton = self._abbreviations if abbreviation else self._names
                for spelling in _variants(alias, abbreviation):
                    if spelling not in automaton:
                        automaton.add_word(spelling, (len(spelling), inst, alias))
        for automaton in (self._abbreviations, self._names):
            if len(automaton):
                automaton.make_automaton()

    def lookup(self, name: str) -> Instrument | None:
        """The entry for a name, tolerating a trailing version or form (-5, -II, -R, -17)."""
        hit = self._by_key.get(_key(name))
        if hit:
            return hit
        tokens = _TOKEN.findall(_fold(name).upper())
        while len(tokens) > 1 and _VERSION_TOKEN.match(tokens[-1]):
            tokens.pop()
            if hit := self._by_key.get("".join(tokens)):
                return hit
        glued = re.fullmatch(r"([A-Z-]{2,}?)-?\d{1,3}", "".join(tokens))  # HAMD17, PHQ8
        if glued and (hit := self._by_key.get(glued.group(1))):
            return hit
        # A full name with a qualifier: 'Clinician-Administered PTSD Scale for DSM-5'.
        words = _TOKEN.findall(_fold(name).upper())
        for end in range(len(words) - 1, 2, -1):
            if hit := self._by_key.get("".join(words[:end])):
                return hit
        return None

    def classify(self, name: str) -> InstrumentMatch:
        inst = self.lookup(name)
        if inst:
            return InstrumentMatch(name, inst.kind, inst.name)
        for pattern, kind in _HEURISTICS:
            if found := pattern.search(name):
                return InstrumentMatch(name, kind, f"rule: '{found.group(0)}' in the name")
        return InstrumentMatch(name, "unknown", None)

    def _matches(self, text: str) -> list[tuple[int, int, Instrument, str]]:
        """Leftmost-longest lexicon matches in ``text`` that start and end at word edges."""
        folded = _fold(text)
        found: dict[int, tuple[int, Instrument, str]] = {}
        for automaton, haystack in (
            (self._abbreviations, folded),
            (self._names, _lower_same_length(folded)),
        ):
            if not len(automaton):
                continue
            for last, (length, inst, alias) in automaton.iter(haystack):
                start, end = last - length + 1, last + 1
                if (start > 0 and haystack[start - 1].isalnum()) or (
                    end < len(haystack) and haystack[end].isalnum()
                ):
                    continue
                if start not in found or found[start][0] < end:
                    found[start] = (end, inst, alias)
        out: list[tuple[int, int, Instrument, str]] = []
        reached = 0
        for start in sorted(found):
            end, inst, alias = found[start]
            if start >= reached:
                out.append((start, end, inst, alias))
                reached = end
        return out

    def mentions(self, document: Document) -> list[InstrumentMention]:
        """Every instrument named in the document, in text order, each with its sentence."""
        out: list[InstrumentMention] = []
        text = document.search_text
        measuring: dict[int, bool] = {}
        for start, end, inst, alias in self._matches(text):
            sentence = document.sentence_at(start)
            if sentence is None or end > sentence.end:
                continue
            if alias in self.ambiguous:
                if sentence.start not in measuring:
                    measuring[sentence.start] = bool(
                        _MEASURING_WORDS.search(text, sentence.start, sentence.end)
                    )
                if not measuring[sentence.start]:
                    continue
            # Absorb a trailing version (BDI-II, CAPS-5) into the quoted span.
            while (version := _TRAILING_VERSION.match(text, end, sentence.end)) and (
                _VERSION_TOKEN.match(version.group(1))
            ):
                end = version.end()
            out.append(InstrumentMention(inst, start, end, sentence))
        return out


_TRAILING_VERSION = re.compile(r"-([^\W_]+)\b")


@cache
def lexicon() -> Lexicon:
    source = files("appraise.evidence").joinpath("instruments.yaml").read_text(encoding="utf-8")
    return Lexicon(yaml.safe_load(source))


def classify(name: str) -> InstrumentMatch:
    """Who rates the instrument named ``name``: self-report, clinician-rated,
    diagnostic-interview, or unknown."""
    return lexicon().classify(name)


def find_instruments(document: Document) -> list[InstrumentMention]:
    return lexicon().mentions(document)
