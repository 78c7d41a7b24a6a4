"""Small, linear-time helpers the detectors share: finding cue phrases in sentences, telling
whether a cue is negated, and reading numbers written as words or digits.

Every pattern here is a plain alternation of words with bounded gaps (no nested quantifiers),
so matching is linear in the text; sentences are searched one by one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from appraise.evidence.document import Document, Sentence

# Lists and statements about the study, not its own account of methods and results.
LIST_KINDS = frozenset({"authors", "funding", "registration", "references", "coi"})
# An introduction describes other studies; what it says of blinding is not this trial's.
NOT_THIS_TRIAL = frozenset({"introduction", "background"})

_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|nobody|none|without|cannot|unable|impossible|lack(?:ed|ing)?|"
    r"absence)\b"
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


def is_narrative(sentence: Sentence) -> bool:
    """The study's own text (not author lists, references, COI, funding or introduction)."""
    return sentence.kind not in LIST_KINDS and sentence.kind not in NOT_THIS_TRIAL


def anywhere(sentence: Sentence) -> bool:
    return True


def find(
    document: Document,
    pattern: re.Pattern[str],
    where: Callable[[Sentence], bool] = is_narrative,
) -> list[Hit]:
    """Every match of ``pattern`` lying within one sentence that ``where`` accepts.

    The pattern's matches over the whole text come from the document's one-pass cue scan
    (``appraise.evidence.cues``): linear in the text, the same matches as ``finditer``.
    """
    hits: list[Hit] = []
    for match in document.cues.matches(pattern):
        sentence = document.sentence_at(match.start())
        if sentence is None or not where(sentence):
            continue
        # Within the sentence, or running on only into the space after it.
        if (
            match.end() <= sentence.end
            or document.search_text[sentence.end : match.end()].isspace()
        ):
            end = min(match.end(), sentence.end)
            hits.append(Hit(sentence, match.start(), end, match.group(0)))
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
    comma = text.rfind(",", begin, start)  # 'assessors, who were not involved, were blind'
    words = _WORD.findall(text[max(begin, comma + 1) : start])[-window:]
    return any(_NEGATION.fullmatch(w) or w.lower().endswith(("n't", "n’t")) for w in words)


# 'Fidelity was not assessed', 'an ITT analysis was not performed', 'blinding was impossible'.
_NEGATED_AFTER = re.compile(
    r"\s*(?:\w+\s+){0,4}?(?:was|were|is|are|could|can|would|has been|have been|had been)\s+"
    r"(?:not|never|impossible|unfeasible|infeasible|broken)\b|\s*(?:\w+\s+){0,4}?"
    r"(?:was|were|is|are) (?:neither|no longer)\b",
    re.IGNORECASE,
)


def negated_after(text: str, sentence: Sentence, end: int) -> bool:
    """A negated verb within a few words after a cue, in the same clause."""
    stop = clause_end(text, sentence, end)
    return bool(_NEGATED_AFTER.match(text, end, stop))


def negated(text: str, hit: Hit) -> bool:
    """Negated before ('not blinded') or after ('blinding was not possible') the cue."""
    return is_negated(text, hit.sentence, hit.start) or negated_after(text, hit.sentence, hit.end)


def section_weight(sentence: Sentence) -> float:
    """Methods speak for the trial; a discussion may speak of other trials."""
    return {"methods": 1.0, "abstract": 0.9, "results": 0.9, "title": 0.9}.get(sentence.kind, 0.7)
