"""The domain model: study records, rubrics, appraisals and claims (pydantic, strict)."""

from appraise.models.appraisal import (
    OVERALL,
    Answer,
    Appraisal,
    Draft,
    Judgement,
    Quote,
    ResultAssessed,
)
from appraise.models.claim import Citation, Claim, ClaimsFile, MadeIn
from appraise.models.record import (
    Author,
    Funder,
    Measure,
    Reference,
    Retrieval,
    Section,
    StudyRecord,
    TrialRegistration,
)
from appraise.models.rubric import Condition, Domain, Question, Rubric, Rule

__all__ = [
    "OVERALL",
    "Answer",
    "Appraisal",
    "Author",
    "Citation",
    "Claim",
    "ClaimsFile",
    "Condition",
    "Domain",
    "Draft",
    "Funder",
    "Judgement",
    "MadeIn",
    "Measure",
    "Question",
    "Quote",
    "Reference",
    "ResultAssessed",
    "Retrieval",
    "Rubric",
    "Rule",
    "Section",
    "StudyRecord",
    "TrialRegistration",
]
