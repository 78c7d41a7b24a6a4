"""A lexicon of mental-health outcome measures: who produces the score, and where they are named.

The data live in ``instruments.yaml`` next to this module. ``classify`` answers for one name a
user typed; ``find_instruments`` finds every mention in a document with one pass over its words
(a token trie, so time is linear in the text and independent of the lexicon's size).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml

from appraise.evidence.document import Document, Sentence

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
    r"assess\w*|instruments?|rated|rating|administered|screen\w*)\b",
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
            r"diagnostic interview|structured (?:clinical )?interview|interview schedule", re.I
        ),
        "diagnostic-interview",
    ),
    (re.compile(r"clinician|observer|interviewer|clinical rating", re.I), "clinician-rated"),
    (re.compile(r"inventory|checklist", re.I), "self-report"),
)


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


@cache
def _fold_char(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if len(base) == 1 else char


def _fold(text: str) -> str:
    """Accents off (Åsberg -> Asberg), one character for one, so offsets stay valid."""
    return text if text.isascii() else "".join(_fold_char(c) for c in text)


def _key(name: str) -> str:
    """Case, spaces, hyphens, dots and slashes ignored: 'HAM-D 17' -> 'HAMD17'."""
    return "".join(_TOKEN.findall(_fold(name))).upper()


def _is_abbreviation(alias: str) -> bool:
    words = _TOKEN.findall(alias)
    return len(words) <= 3 and not any(w[1:].islower() and len(w) > 3 for w in words)


class Lexicon:
    def __init__(self, data: dict[str, Any]) -> None:
        self.instruments = [
            Instrument(e["name"], e["full"], e["kind"], tuple(e["names"]), e.get("mine", True))
            for e in data["instruments"]
        ]
        self.ambiguous = frozenset(data.get("ambiguous_in_text", []))
        self._by_key: dict[str, Instrument] = {}
        # Token tries for running text: abbreviations case-sensitive, full names by lower case.
        self._abbrev_trie: dict[str, Any] = {}
        self._name_trie: dict[str, Any] = {}
        for inst in self.instruments:
            if inst.kind not in KINDS:
                raise ValueError(f"instrument {inst.name}: unknown kind {inst.kind}")
            for alias in (inst.name, *inst.names):
                self._by_key.setdefault(_key(alias), inst)
                if not inst.mine:
                    continue
                tokens = _TOKEN.findall(_fold(alias))
                if _is_abbreviation(alias):
                    _trie_add(self._abbrev_trie, tokens, (inst, alias))
                else:
                    _trie_add(self._name_trie, [t.lower() for t in tokens], (inst, alias))

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

    def mentions(self, document: Document) -> list[InstrumentMention]:
        """Every instrument named in the document, in text order, each with its sentence."""
        out: list[InstrumentMention] = []
        for sentence in document.sentences:
            text = document.text[sentence.start : sentence.end]
            words = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(_fold(text))]
            i = 0
            while i < len(words):
                found = _walk(self._abbrev_trie, words, i, text, fold=False) or _walk(
                    self._name_trie, words, i, text, fold=True
                )
                if not found:
                    i += 1
                    continue
                j, (inst, alias) = found
                if alias in self.ambiguous and not _MEASURING_WORDS.search(text):
                    i += 1
                    continue
                end = words[j - 1][2]
                # Absorb a trailing version (BDI-II, CAPS-5) into the quoted span.
                while (
                    j < len(words)
                    and text[end : words[j][1]] in ("-", "–")
                    and (_VERSION_TOKEN.match(words[j][0]))
                ):
                    end = words[j][2]
                    j += 1
                out.append(
                    InstrumentMention(
                        inst, sentence.start + words[i][1], sentence.start + end, sentence
                    )
                )
                i = j
        return out


def _trie_add(trie: dict[str, Any], tokens: list[str], value: tuple[Instrument, str]) -> None:
    node = trie
    for token in tokens:
        node = node.setdefault(token, {})
    node.setdefault("", value)


def _walk(
    trie: dict[str, Any], words: list[tuple[str, int, int]], i: int, text: str, *, fold: bool
) -> tuple[int, tuple[Instrument, str]] | None:
    """Longest lexicon entry starting at word i; words must be joined by a short separator."""
    node = trie
    best: tuple[int, tuple[Instrument, str]] | None = None
    j = i
    while j < len(words):
        if j > i and len(text[words[j - 1][2] : words[j][1]]) > 2:
            break
        token = words[j][0].lower() if fold else words[j][0]
        node = node.get(token)  # type: ignore[assignment]
        if node is None:
            break
        j += 1
        if "" in node:
            best = (j, node[""])
    if best and not fold:
        # An abbreviation must end at a word boundary: 'PCL' is not the start of 'PCLX'.
        end = words[best[0] - 1][2]
        if end < len(text) and text[end].isalnum():
            return None
    return best


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
