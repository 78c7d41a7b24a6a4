"""Who produced the primary outcome: the participants themselves (a questionnaire, a diary, a
self-reported count) or someone or something else (a clinician, an interviewer, an observer,
a laboratory, a registry).

RoB 2 4.3 turns on it (for a self-reported outcome the participant is the assessor, aware when
participants were aware) and so does the psychotherapy rubric's 1.1. The primary outcome's own
sentences decide; the instrument lexicon names what the words do not; a report that says of
itself that its outcomes rest on self-report ('this study relied on self-reported outcomes',
often in its limitations) decides when the primary outcome's sentences say nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appraise.evidence.document import Sentence
from appraise.evidence.instruments import InstrumentMention
from appraise.evidence.signals import Context
from appraise.evidence.text import Hit, find

_I = re.IGNORECASE

_PRIMARY = re.compile(
    r"\b(?:primary|main|principal) (?:outcomes?|end ?points?|measures?|efficacy (?:outcome|"
    r"measure|variable)s?|variables?)\b",
    _I,
)
_SELF_REPORT = re.compile(
    r"\b(?:self-?(?:report\w*|rated|rating|assess\w*|administered|completed|monitor\w*)|"
    r"patient-?reported|patients?['’]? (?:global )?(?:assessment|rating|report)s?|"
    r"questionnaires?|surveys?|diar(?:y|ies)|"
    r"(?:reported|completed|filled (?:in|out)|rated) by (?:the )?(?:participants?|patients?|"
    r"subjects?|respondents?)|(?:participants?|patients?) (?:filled|completed|reported|rated))\b",
    _I,
)
_ASSESSOR = re.compile(
    r"\b(?:clinician-?(?:rated|administered|assessed)|observer-?rated|interview(?:er)?-?(?:rated|"
    r"based|administered)|(?:structured|clinical|diagnostic) interviews?|"
    r"(?:rated|assessed|measured|recorded|determined|diagnosed|examined|scored|administered) by "
    r"(?:the |a |an |trained |blinded |independent )*(?:[\w-]+ ){0,2}?(?:clinicians?|raters?|"
    r"interviewers?|assessors?|nurses?|nursing staff|physicians?|doctors?|psychiatrists?|"
    r"psychologists?|staff|investigators?|research assistants?|observers?|parents?|teachers?|"
    r"CMAs?|laborator\w+)|(?:parents?|teachers?|observers?) (?:filled|completed|rated)|"
    r"rating scales? (?:\w+ ){0,3}?administered)\b",
    _I,
)
# Outcomes nobody rates from what the participant says: deaths, diagnoses, laboratory values.
_OBJECTIVE = re.compile(
    r"\b(?:death|deaths|mortality|survival|died|diagnosed|incidence|(?:new|incident) cases|"
    r"cases of|laborator\w+|"
    r"cultures?|temperature|blood|serum|plasma|urine|saliva\w*|cotinine|carbon monoxide|"
    r"exhaled CO|biochemical\w*|registr(?:y|ies)|(?:medical|hospital|health|clinical|case|"
    r"patient|GP|pharmacy|prescription|school|police|court|administrative|dental|"
    r"electronic health) records|infections?|complications|"
    r"phlebitis|hospitali[sz]ations?|readmissions?|performance test|accelerometer\w*|"
    r"radiograph\w*|x-rays?|weight(?![- ]related)|BMI|blood pressure)\b",
    _I,
)
# Words of an objective outcome used of something else: the population ('patients diagnosed
# with depression'), a self-report ('the incidence of self-reported binge eating').
_NOT_OBJECTIVE = re.compile(
    r"(?:\b(?:patients|participants|people|adults|children|adolescents|women|men|individuals|"
    r"those|persons|veterans|students|youth|subjects)(?: [\w-]+){0,2} diagnosed|"
    r"\bincidence of (?:[\w-]+ )?self-?report\w*)",
    _I,
)


def _objective(text: str, start: int, end: int) -> bool:
    for match in _OBJECTIVE.finditer(text, start, end):
        word = match.group(0).lower()
        if word == "diagnosed" or word == "incidence":
            window = text[max(start, match.start() - 60) : match.end() + 30]
            if _NOT_OBJECTIVE.search(window):
                continue
        return True
    return False


# A report's word on its own outcomes: 'all assessment was self-rated', 'outcomes are based
# on self-report', 'the use of a brief self-report questionnaire'.
_SELF_REPORT_STUDY = re.compile(
    r"\b(?:(?:outcomes?|measures?|assessments?|data|findings|results) (?:\w+ ){0,3}?(?:were|was|"
    r"are|is) (?:\w+ ){0,2}?(?:(?:based|reliant) on (?:[\w'’]+ ){0,2}?self-?report\w*|"
    r"self-?(?:rated|reported))|"
    r"(?:relied|relies|rely|reliance) (?:\w+ ){0,2}?on self-?report\w*|"
    r"(?:use|used) of (?:a |an )?(?:\w+ )?self-?report\w*|all (?:outcomes?|measures?|"
    r"assessments?) (?:were|was) self-?\w+|self-?report(?:ed)? (?:questionnaires?|measures?|"
    r"outcomes?|data)|(?:participants|patients|subjects) (?:\w+ ){0,2}?(?:filled in|filled out|"
    r"completed|returned) (?:the |their )?(?:\w+ )?questionnaires|"
    # The passive: 'questionnaires were completed online at each time point'.
    r"questionnaires (?:were|was) (?:\w+ )?(?:completed|filled in|filled out|returned|"
    r"self-administered))\b",
    _I,
)
# A self-report checked by a measurement: 'abstinence was validated through salivary analysis'.
_VERIFIED = re.compile(
    r"\b(?:(?:validated|verified|confirmed) (?:\w+ ){0,3}?(?:by|through|with|using) (?:\w+ ){0,2}?"
    r"(?:saliva\w*|cotinine|carbon monoxide|CO|urine|breath|biochemical\w*|laborator\w+)|"
    r"biochemically (?:validated|verified|confirmed))\b",
    _I,
)


@dataclass(frozen=True)
class Rating:
    """Evidence that the primary outcome is self-reported, and that someone else rated it."""

    self_report: tuple[Hit | Sentence, ...]
    assessor: tuple[Hit | Sentence, ...]
    from_primary: bool  # read from sentences naming the primary outcome

    @property
    def only_self_report(self) -> bool:
        return bool(self.self_report) and not self.assessor


def _own(sentence: Sentence) -> bool:
    return sentence.kind in ("abstract", "methods", "results", "other", "body") and (
        not sentence.cites_other_trial
    )


def _rating(ctx: Context) -> Rating:
    from appraise.evidence.measurement import outcome_instruments

    text = ctx.document.search_text
    primary = list(dict.fromkeys(h.sentence for h in find(ctx.document, _PRIMARY, _own)))
    instruments = outcome_instruments(ctx)

    def read(sentences: list[Sentence], mentions: list[InstrumentMention]) -> Rating:
        self_report: list[Hit | Sentence] = []
        assessor: list[Hit | Sentence] = []
        for sentence in sentences:
            if _SELF_REPORT.search(text, sentence.start, sentence.end):
                self_report.append(sentence)
            if _ASSESSOR.search(text, sentence.start, sentence.end) or _objective(
                text, sentence.start, sentence.end
            ):
                assessor.append(sentence)
        for mention in mentions:
            side = self_report if mention.instrument.kind == "self-report" else assessor
            if mention.sentence not in side:
                side.append(mention.sentence)
        return Rating(tuple(self_report), tuple(assessor), bool(sentences))

    in_primary = [m for m in instruments if m.sentence in primary]
    rating = read(primary, in_primary)
    if rating.self_report or rating.assessor:
        verified = tuple(find(ctx.document, _VERIFIED, _own)[:1])
        return Rating(rating.self_report, rating.assessor + verified, True)
    rating = read([], instruments)
    if rating.self_report or rating.assessor:
        return rating
    stated = find(ctx.document, _SELF_REPORT_STUDY)
    return Rating(tuple(stated[:2]), (), False)


def outcome_rating(ctx: Context) -> Rating:
    return ctx.once("outcome_rating", _rating)
