"""What a detector returns: an answer to its question, how sure it is, and the sentences that
support it. Each detector's docstring says what its Y means."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from appraise.evidence.document import Document, Sentence
from appraise.evidence.text import Hit
from appraise.models.record import StudyRecord

NO_INFORMATION = "no information found"
_FLIP = {"Y": "N", "PY": "PN", "PN": "PY", "N": "Y", "NI": "NI"}


@dataclass(frozen=True)
class Signal:
    answer: str  # Y, PY, PN, N or NI, answering the detector's own question
    confidence: float
    evidence: tuple[Hit | Sentence, ...] = ()
    comment: str | None = None

    def inverted(self) -> Signal:
        """The same evidence answering the opposite question ('blinded?' -> 'aware?')."""
        return Signal(_FLIP[self.answer], self.confidence, self.evidence, self.comment)


def no_information(comment: str = NO_INFORMATION, confidence: float = 0.5) -> Signal:
    return Signal("NI", confidence, (), comment)


@dataclass
class Context:
    """One document (and its record, if any) with the shared analyses computed once."""

    document: Document
    record: StudyRecord | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, compute: Callable[[Context], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = compute(self)
        return self.cache[key]

    @cached_property
    def has_full_text(self) -> bool:
        """More than an abstract: enough body text that a missing statement is informative."""
        body = sum(s.end - s.start for s in self.document.sections if s.kind not in _NOT_BODY)
        return body >= FULL_TEXT_MINIMUM

    @cached_property
    def reports_own_study(self) -> bool:
        """A methods section, or sentences telling how this study recruited and allocated."""
        if any(s.kind == "methods" for s in self.document.sections):
            return True
        return bool(_OWN_STUDY.search(self.document.search_text))

    @cached_property
    def is_review(self) -> bool:
        """The title or abstract present a review (or its protocol), not a trial: its methods
        describe what eligible trials should do, which is no answer for this document."""
        opening = " ".join(
            self.document.search_text[s.start : s.end]
            for s in self.document.sentences
            if s.kind in ("title", "abstract")
        )[:6000]
        return bool(_REVIEW.search(opening)) and not _TRIAL_REPORT.search(opening)


# Characters of body text (beyond title, abstract and lists) that make a full text: a short
# paper's methods and results run to several thousand.
FULL_TEXT_MINIMUM = 3000
_NOT_BODY = frozenset(
    {"title", "abstract", "authors", "funding", "registration", "references", "coi"}
)
# How a report speaks of its own study: 'we randomised', 'patients were randomly assigned',
# 'this trial enrolled'. Commentaries and editorials discuss others' trials instead.
_OWN_STUDY = re.compile(
    r"\b(?:we|this (?:randomi[sz]ed |controlled |clinical |pilot |feasibility )?(?:trial|study)|"
    r"the (?:present|current) (?:trial|study))\b[^.;]{0,60}?\b(?:randomi[sz]\w*|recruit\w*|"
    r"enrol\w*|assign\w*|allocat\w*|conduct\w*|utili[sz]\w*|includ\w*|compar\w*|"
    r"evaluat\w*|test\w*)|"
    r"\b(?:participants|patients|subjects|volunteers|adults|children|women|men|veterans|clients)"
    r" (?:\w+ ){0,3}?(?:were|was) (?:randomly|randomi[sz]ed|recruited|enrol\w*|assigned|"
    r"allocated|included)",
    re.I,
)
_REVIEW = re.compile(
    r"\b(?:systematic|scoping|umbrella|narrative|literature) review|\bmeta-?analys[ie]s\b|"
    r"\b(?:this|our|the present) (?:\w+ )?review\b|\bwe (?:review|summari[sz]e)\b",
    re.I,
)
_TRIAL_REPORT = re.compile(
    r"\b(?:we|were|was) randomi[sz]ed|\brandomly (?:assigned|allocated)|"
    r"\bthis (?:randomi[sz]ed|controlled|clinical|pilot) (?:controlled )?trial\b",
    re.I,
)

Detector = Callable[[Context], Signal]
