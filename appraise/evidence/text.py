"""Small, linear-time helpers the detectors share: finding cue phrases in sentences, telling
whether a cue is negated, and reading numbers written as words or digits.

Every pattern here is a plain alternation of words with bounded gaps (no nested quantifiers),
so matching is linear in the text; sentences are searched one by one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from appraise.evidence.document import Document, Sentence

# Lists and statements about the study, not its own account of methods and results.
LIST_KINDS = frozenset({"authors", "funding", "registration", "references", "coi"})
# An introduction describes other studies; what it says of blinding is not this trial's.
NOT_THIS_TRIAL = frozenset({"introduction", "background"})

_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|without|cannot|unable|impossible|lack(?:ed|ing)?|absence)\b"
    r"|n['’]t\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(
    r";|:|\bbut\b|\bwhereas\b|\bwhile\b|\balthough\b|\bhowever\b|\bexcept\b", re.IGNORECASE
)
_WORD = re.compile(r"[\w'’-]+")

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "thirty-six": 36,
}
NUMBER = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"


def to_number(token: str) -> float | None:
    token = token.lower()
    if token in NUMBER_WORDS:
        return float(NUMBER_WORDS[token])
    try:
        return float(token)
    except ValueError:
        return None


@dataclass(frozen=True)
class Hit:
    """A cue found in a sentence: the sentence, and the cue's span in the document's text."""

    sentence: Sentence
    start: int
    end: int
    cue: str


def narrative(document: Document) -> Iterator[Sentence]:
    """Sentences of the study's own text (not author lists, references, COI or funding)."""
    return (
        s for s in document.sentences if s.kind not in LIST_KINDS and s.kind not in NOT_THIS_TRIAL
    )


def find(
    document: Document, pattern: re.Pattern[str], sentences: Iterable[Sentence] | None = None
) -> list[Hit]:
    """Every match of ``pattern`` in the given sentences (default: the narrative ones)."""
    hits: list[Hit] = []
    for sentence in narrative(document) if sentences is None else sentences:
        for match in pattern.finditer(document.search_text, sentence.start, sentence.end):
            hits.append(Hit(sentence, match.start(), match.end(), match.group(0)))
    return hits


def clause_start(text: str, sentence: Sentence, position: int) -> int:
    """Where the clause holding ``position`` begins (after ';', 'but', 'whereas' ...)."""
    start = sentence.start
    for brk in _CLAUSE_BREAK.finditer(text, sentence.start, position):
        start = brk.end()
    return start


def clause_end(text: str, sentence: Sentence, position: int) -> int:
    brk = _CLAUSE_BREAK.search(text, position, sentence.end)
    return brk.start() if brk else sentence.end


def is_negated(text: str, sentence: Sentence, start: int, window: int = 4) -> bool:
    """A negation among the ``window`` words before ``start``, within the same clause
    ('assessors were not blind', 'neither participants nor therapists could be masked')."""
    begin = clause_start(text, sentence, start)
    words = _WORD.findall(text[begin:start])[-window:]
    return any(_NEGATION.fullmatch(w) or w.lower().endswith(("n't", "n’t")) for w in words)


def section_weight(sentence: Sentence) -> float:
    """Methods speak for the trial; a discussion may speak of other trials."""
    return {"methods": 1.0, "abstract": 0.9, "results": 0.9, "title": 0.9}.get(sentence.kind, 0.7)
