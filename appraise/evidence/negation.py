"""Negation scope from NegEx (negspacy), read only for the sentences a cue fired in.

The detectors find their cues with regular expressions over the whole text (fast); whether a
cue is negated ('participants were not blinded', 'blinding was not possible', 'neither
participants nor therapists were blind') is then asked of NegEx, the published algorithm for
it (Chapman et al. 2001), as negspacy implements it: negation phrases that act on what follows
or precedes them, up to a term that ends their scope ('but', 'whereas', 'which' ...), and
pseudo-negations that look like one and are not ('not only'). Its clinical English term set
is extended with the phrases trial reports use of blinding ('could not be', 'impossible to').

spaCy's blank English tokenizer is all it needs (no model download); it runs on a handful of
sentences per document, so throughput stays that of the regex scan.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

# How far a negation reaches, in words (NegEx's window is five terms; eight lets 'no one
# involved in the trial was blinded' and 'neither participants nor their therapists were
# blind' reach).
SCOPE_WORDS = 8

# Phrases trial reports negate a statement with, beyond NegEx's clinical term set.
_PRECEDING = [
    "neither",
    "nor",
    "unable to",
    "impossible to",
    "not possible to",
    "not feasible to",
    "could not",
    "can not",
    "no longer",
    "lack of",
    "none of",
    "nobody",
    "no one",
]
_FOLLOWING = [
    "was not possible",
    "were not possible",
    "not possible",
    "was impossible",
    "impossible",
    "not feasible",
    "was unfeasible",
    "was infeasible",
    "could not be",
    "cannot be",
    "can not be",
    "was unable",
    "were unable",
    "is not",
    "are not",
    "would not",
    "could not",
    "was never",
    "were never",
    "has not been",
    "have not been",
    "had not been",
]
_PSEUDO = [
    "not only",
    "whether or not",
    "if not",
    "not all",
    "no difference",
    "no differences",
    "was not broken",
    "were not broken",
    "was never broken",
    "not compromised",
    # Remission read off an interview: 'no longer meeting criteria for PTSD on the CAPS-5'.
    "no longer meeting",
    "no longer meet",
    "no longer met",
    "no longer fulfilling",
    "no longer fulfilled",
    "no longer fulfil",
    "no longer qualifying",
    "no longer qualified",
    "no longer satisfying",
    "no longer satisfied",
]
# Where a negation's scope ends: a new clause, often with its own subject, or the comma that
# closes an inserted one ('the coordinator, who was not involved in treatment, was blind').
_TERMINATION = [
    "whereas",
    "while",
    "although",
    "though",
    ";",
    "who",
    ", and the",
    "except",
    ", was",
    ", were",
    ", had",
    ", is",
    ", are",
]
# Clinical findings phrases of the term set that mean something else in a methods section.
_DROPPED = {"versus", "free", "doubt", "evaluate for", "declined", "unlikely", "free of", "ro"}


@cache
def _terms() -> dict[str, list[str]]:
    """NegEx's clinical English term set, with the trial-report phrases above."""
    from negspacy.termsets import termset

    terms = termset("en_clinical").get_patterns()
    extra = {
        "preceding_negations": _PRECEDING,
        "following_negations": _FOLLOWING,
        "pseudo_negations": _PSEUDO,
        "termination": _TERMINATION,
    }
    return {
        key: [t for t in dict.fromkeys([*values, *extra[key]]) if t not in _DROPPED]
        for key, values in terms.items()
    }


@cache
def _triggers() -> re.Pattern[str]:
    """Any negation phrase: without one in the window NegEx has nothing to negate with, and
    the sentence need not be tokenised."""
    terms = _terms()
    phrases = sorted(
        {*terms["preceding_negations"], *terms["following_negations"]}, key=len, reverse=True
    )
    return re.compile(
        r"(?<![\w'’])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![\w'’])", re.I
    )


@cache
def _negex() -> tuple[Any, Any]:
    """The tokenizer and the NegEx component, built once (spaCy imports in about 1 s)."""
    import spacy
    from negspacy.negation import Negex

    patterns = _terms()
    nlp = spacy.blank("en")
    negex = Negex(nlp, "negex", neg_termset=patterns, ent_types=["CUE"], extension_name="negex")
    return nlp, negex


@lru_cache(maxsize=4096)
def negated_spans(sentence: str, spans: tuple[tuple[int, int], ...]) -> tuple[bool, ...]:
    """Whether each span of ``sentence`` (offsets into it) lies in a negation's scope."""
    from spacy.tokens import Span

    nlp, negex = _negex()
    doc = nlp.make_doc(sentence)
    for token in doc:  # one sentence: NegEx reads its scope within sentences
        token.is_sent_start = token.i == 0
    ents = []
    for start, end in spans:
        span = doc.char_span(start, end, label="CUE", alignment_mode="expand")
        ents.append(span)
    # Overlapping cues cannot all be entities at once: read each on its own.
    out = []
    for span in ents:
        if span is None:
            out.append(False)
            continue
        doc.ents = [Span(doc, span.start, span.end, label="CUE")]
        out.append(bool(negex(doc).ents[0]._.negex))
    return tuple(out)


_WORD = re.compile(r"\S+")


def negated_in(text: str, sentence_start: int, sentence_end: int, start: int, end: int) -> bool:
    """Whether the cue at ``start:end`` of the document's text is negated within its sentence,
    reading NegEx's scope as the published algorithm does: a few words either side of the cue
    (negspacy itself reads to the sentence's end, so that 'a programmer not involved in the
    study, and both participants and assistants were blind' would read as not blind)."""
    before = [m.start() for m in _WORD.finditer(text, sentence_start, start)]
    after = [m.end() for m in _WORD.finditer(text, end, sentence_end)]
    begin = before[-SCOPE_WORDS] if len(before) >= SCOPE_WORDS else sentence_start
    # Two words more after, so that a pseudo-negation ('was not broken') is seen whole.
    stop = after[SCOPE_WORDS + 1] if len(after) > SCOPE_WORDS + 1 else sentence_end
    if not _triggers().search(text, begin, stop):
        return False
    return negated_spans(text[begin:stop], ((start - begin, end - begin),))[0]
