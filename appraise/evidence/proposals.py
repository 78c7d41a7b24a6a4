"""Proposed answers to a rubric's questions, each with verbatim quotes, and the findings behind
them (instruments, conflicts of interest, allegiance, attrition, registrations).

A proposal is only a proposal: the reviewer-workflow code decides how it meets answers a
reviewer already gave. Questions without a detector are proposed as NI and say so, rather
than guessed; questions that do not apply given the other proposals are NA, by the rubric's
own ``applies_if``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from appraise.evidence import blinding, design, interests, measurement
from appraise.evidence import registration as registration_module
from appraise.evidence.document import Document, Sentence
from appraise.evidence.ranker import default_ranker
from appraise.evidence.signals import NO_INFORMATION, Context, Detector, Signal
from appraise.evidence.text import Hit
from appraise.models.appraisal import Quote
from appraise.models.record import StudyRecord
from appraise.models.rubric import NOT_APPLICABLE, Question, Rubric
from appraise.rubrics.engine import cached_engine, compile_condition

NO_DETECTOR = "no detector for this question; answer by hand"
NOT_A_TRIAL = "the document reads as a review (or its protocol), not a trial report"
NO_OWN_STUDY = (
    "the text does not describe a study of its own (no methods section, no account of "
    "recruiting or allocating participants): what it says about trials is about others"
)
# Statements about the document itself, which a review has too.
ANY_DOCUMENT = frozenset(
    {"coi_present", "coi_declared", "coi_undeclared", "funding", "registration"}
)
MAX_QUOTES = 5
_DIRECTION = {"Y": "yes", "PY": "yes", "N": "no", "PN": "no"}

DETECTORS: dict[str, Detector] = {
    "randomisation": design.randomisation,
    "concealment": design.concealment,
    "baseline": design.baseline,
    "itt_analysis": design.itt_analysis,
    "missing_data_handling": design.missing_data_handling,
    "attrition": design.attrition,
    "non_starters": design.non_starters,
    "completion_definition": design.completion_definition,
    "fidelity": design.fidelity,
    "dose": design.dose,
    "followup": design.followup,
    "participant_blinding": blinding.participant_blinding,
    "personnel_blinding": blinding.personnel_blinding,
    "assessor_blinding": blinding.assessor_blinding,
    "participant_awareness": blinding.participant_awareness,
    "personnel_awareness": blinding.personnel_awareness,
    "assessor_awareness": blinding.assessor_awareness,
    "assessor_independence": blinding.assessor_independence,
    "assessor_rated": measurement.assessor_rated,
    "diagnostic_interview_baseline": measurement.diagnostic_interview_baseline,
    "diagnostic_interview_end": measurement.diagnostic_interview_end,
    "diagnostic_interview_followup": measurement.diagnostic_interview_followup,
    "allegiance_developer": interests.allegiance_developer,
    "allegiance_training": interests.allegiance_training,
    "allegiance_employment": interests.allegiance_employment,
    "allegiance_programme": interests.allegiance_programme,
    "coi_present": interests.coi_present,
    "coi_declared": interests.coi_declared,
    "coi_undeclared": interests.coi_undeclared,
    "funding": interests.funding,
    "registration": registration_module.registration,
}

# For rubrics judged directly (RoB 1): a detector's Y means the safeguard held.
_JUDGED_POSITIVE = ("Low",)
_JUDGED_NEGATIVE = ("High", "Serious")
_JUDGED_UNKNOWN = ("Unclear", "No information")


@dataclass
class Proposal:
    question: str
    domain: str
    answer: str | None
    confidence: float
    quotes: list[Quote] = field(default_factory=list)
    detector: str | None = None
    comment: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "domain": self.domain,
            "answer": self.answer,
            "confidence": round(self.confidence, 2),
            "quotes": [
                {
                    "text": q.text,
                    "section": q.section,
                    "start": q.start,
                    "end": q.end,
                    "file_start": q.file_start,
                    "file_end": q.file_end,
                }
                for q in self.quotes
            ],
            "detector": self.detector,
            "comment": self.comment,
        }


@dataclass
class ProposalSet:
    rubric: str
    options: dict[str, str]
    document: Document
    proposals: list[Proposal]
    findings: dict[str, Any]

    def get(self, question: str) -> Proposal | None:
        return next((p for p in self.proposals if p.question == question), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "rubric": self.rubric,
            "options": self.options,
            "proposals": [p.to_json() for p in self.proposals],
            "findings": self.findings,
            "document": {
                "source": self.document.source,
                "characters": len(self.document.text),
                "sections": [
                    {"title": s.title, "kind": s.kind, "start": s.start, "end": s.end}
                    for s in self.document.sections
                ],
                "problems": self.document.problems,
            },
        }


# Where the most specific account of a trial's conduct is: its methods (and the statements it
# makes of itself), then results, then the abstract's summary, a discussion, the title last.
_SPECIFICITY = {
    "methods": 0,
    "coi": 0,
    "funding": 0,
    "registration": 0,
    "results": 1,
    "other": 1,
    "body": 1,
    "abstract": 2,
    "discussion": 3,
    "conclusion": 3,
    "introduction": 3,
    "title": 4,
}
# A structured abstract's inline heading at the start of a sentence ('Results: A response rate
# of 15% ...'), kept out of the quote.
_INLINE_HEADING = re.compile(
    r"(?:Background|Objectives?|Aims?|Purpose|Methods?|Design|Setting|Participants|"
    r"Interventions?|Measurements?|Main outcome measures?|Outcomes?|Results?|Findings|"
    r"Conclusions?|Interpretation|Limitations|Trial registration|Methods and findings)"
    r"\s*[:.]\s+(?=[A-Z0-9])"
)


def evidence_sentences(evidence: tuple[Hit | Sentence, ...]) -> list[Sentence]:
    """The detector's evidence as whole sentences, each once, the title left out when anything
    else speaks."""
    sentences: dict[int, Sentence] = {}
    for item in evidence:
        sentence = item.sentence if isinstance(item, Hit) else item
        sentences.setdefault(sentence.start, sentence)
    found = list(sentences.values())
    if any(s.kind != "title" for s in found):
        found = [s for s in found if s.kind != "title"]
    return found


def by_specificity(sentences: list[Sentence]) -> list[Sentence]:
    """Methods before the abstract, the title last: what a methodologist would quote."""
    return sorted(sentences, key=lambda s: (_SPECIFICITY.get(s.kind, 2), s.start))[:MAX_QUOTES]


def quotes_for(
    document: Document,
    evidence: tuple[Hit | Sentence, ...],
    detector: str | None = None,
    answer: str | None = None,
) -> list[Quote]:
    """Whole sentences, each once, the one a reviewer would cite first.

    For the detectors the sentence ranker knows (``ranker.FAMILY_OF_DETECTOR``) its learned
    score orders the evidence and cuts the unlikely sentences; when the detector gives an answer
    it may add the best sentence the detector did not cite, if that sentence read alone does not
    point the other way. Otherwise the most specific first (methods before the abstract, the
    title only when nothing else speaks)."""
    found = evidence_sentences(evidence)
    ranker = default_ranker()
    directed = _DIRECTION.get(answer or "")
    if detector is not None and ranker.knows(detector) and (found or directed):
        chosen = ranker.choose(
            document,
            found,
            detector,
            add=directed is not None,
            agrees=lambda s: _agrees(document, s, detector, directed),
        )
    else:
        chosen = by_specificity(found)
    quotes = []
    for s in chosen:
        heading = _INLINE_HEADING.match(document.text, s.start, s.end)
        quotes.append(
            located_quote(document, heading.end() if heading else s.start, s.end, s.section)
        )
    return quotes


def _agrees(document: Document, sentence: Sentence, detector: str, direction: str | None) -> bool:
    """Whether the detector, reading the sentence alone in its section, does not answer the
    other way: a quote the ranker adds must not contradict the proposal."""
    key = (detector, sentence.start, sentence.end)
    answer = document.answers_alone.get(key)
    if answer is None:
        alone = Document.from_sections(
            [(sentence.section, sentence.kind, document.text[sentence.start : sentence.end])],
            source="quote",
        )
        answer = document.answers_alone[key] = DETECTORS[detector](Context(alone)).answer
    got = _DIRECTION.get(answer)
    return got is None or got == direction


def located_quote(document: Document, start: int, end: int, section: str | None) -> Quote:
    """The span as a quote, with where it lies in the reviewer's own file when read from one."""
    text = document.text[start:end]
    in_file = document.original_span(text)
    return Quote(
        text=text,
        section=section,
        start=start,
        end=end,
        source=document.source,
        file_start=in_file[0] if in_file else None,
        file_end=in_file[1] if in_file else None,
    )


def run_detector(name: str, ctx: Context) -> Signal:
    """The named detector's signal; NI for trial questions when the document is a review."""
    if name not in ANY_DOCUMENT:
        if ctx.is_review:
            return Signal("NI", 0.5, (), NOT_A_TRIAL)
        if not ctx.reports_own_study and ctx.has_full_text:
            return Signal("NI", 0.5, (), NO_OWN_STUDY)
    return DETECTORS[name](ctx)


def _judged(question: Question, signal: Signal) -> tuple[str | None, float]:
    """A Y/N signal as a judgement word for rubrics judged directly."""

    def first(words: tuple[str, ...]) -> str | None:
        return next((w for w in words if w in question.options), None)

    if signal.answer in ("Y", "PY"):
        label = first(_JUDGED_POSITIVE)
    elif signal.answer in ("N", "PN"):
        label = first(_JUDGED_NEGATIVE)
    else:
        label = first(_JUDGED_UNKNOWN)
    weaker = 0.8 if signal.answer in ("PY", "PN") else 1.0
    return label, signal.confidence * weaker


def propose(
    document: Document,
    rubric: Rubric,
    *,
    record: StudyRecord | None = None,
    options: dict[str, str] | None = None,
) -> ProposalSet:
    """One proposal per question in force, in the order a reviewer meets them."""
    engine = cached_engine(rubric, options)
    ctx = Context(document, record)
    values: dict[str, str | None] = {}
    proposals: list[Proposal] = []
    for domain_id, question in engine.questions_in_order():
        applies = compile_condition(question.applies_if)(values) if question.applies_if else True
        if applies is False and question.applies_if is not None:
            proposal = Proposal(
                question.id,
                domain_id,
                NOT_APPLICABLE,
                0.9,
                [],
                question.detector,
                f"does not apply: {question.applies_if.describe()} does not hold",
            )
        elif question.detector is None:
            proposal = Proposal(
                question.id,
                domain_id,
                None if rubric.judged_directly else "NI",
                0.0,
                [],
                None,
                NO_DETECTOR,
            )
        else:
            if question.detector not in DETECTORS:
                proposal = Proposal(
                    question.id,
                    domain_id,
                    None if rubric.judged_directly else "NI",
                    0.0,
                    [],
                    question.detector,
                    f"unknown detector '{question.detector}'; answer by hand",
                )
            else:
                signal = run_detector(question.detector, ctx)
                answer, confidence = (
                    _judged(question, signal)
                    if rubric.judged_directly
                    else (signal.answer, signal.confidence)
                )
                comment = signal.comment or (NO_INFORMATION if signal.answer == "NI" else None)
                proposal = Proposal(
                    question.id,
                    domain_id,
                    answer,
                    confidence,
                    quotes_for(document, signal.evidence, question.detector, signal.answer),
                    question.detector,
                    comment,
                )
        values[question.id] = proposal.answer
        proposals.append(proposal)
    return ProposalSet(rubric.id, dict(engine.options), document, proposals, findings(ctx))


def _signal_json(ctx: Context, signal: Signal, detector: str | None = None) -> dict[str, Any]:
    return {
        "answer": signal.answer,
        "comment": signal.comment,
        "quotes": [
            {"text": q.text, "section": q.section, "start": q.start, "end": q.end}
            for q in quotes_for(ctx.document, signal.evidence, detector, signal.answer)
        ],
    }


def findings(ctx: Context) -> dict[str, Any]:
    """What the text says, whatever the rubric: a reviewer's checklist with the evidence."""
    text = ctx.document.text
    coi_sentences = interests._coi_sentences(ctx)
    attrition = design.attrition_facts(ctx)
    return {
        "instruments": measurement.instrument_findings(ctx),
        "coi": {
            "statement": "present" if coi_sentences else "missing",
            "text": [text[s.start : s.end] for s in coi_sentences[:6]],
            "declared": _signal_json(ctx, interests.coi_declared(ctx), "coi_declared"),
            "interests": [
                {"who": i.who, "kinds": i.kinds, "text": text[i.sentence.start : i.sentence.end]}
                for i in interests.declared_interests(ctx)
            ],
        },
        "allegiance": [i.to_json(text) for i in interests.allegiance(ctx)],
        "funding": _signal_json(ctx, interests.funding(ctx)),
        "attrition": {
            **attrition.to_json(),
            "evidence": [text[h.sentence.start : h.sentence.end] for h in attrition.evidence],
            "analysis": _signal_json(ctx, design.itt_analysis(ctx)),
            "non_starters": _signal_json(ctx, design.non_starters(ctx)),
        },
        "randomisation": _signal_json(ctx, design.randomisation(ctx), "randomisation"),
        "concealment": _signal_json(ctx, design.concealment(ctx), "concealment"),
        "blinding": blinding.blinding(ctx).to_json(text),
        "registration": registration_module.registration_facts(ctx).to_json(),
    }
