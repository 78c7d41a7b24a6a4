"""An appraisal: one reviewer's answers and judgements for one result of one study."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from appraise.models.base import Strict

SCHEMA_VERSION = 1

AnswerSource = Literal["proposed", "reviewer", "imported", "consensus"]


class Quote(Strict):
    """A verbatim span of the study's text and where it was found."""

    text: str
    section: str | None = Field(default=None, description="Abstract, Methods, COI statement...")
    start: int | None = Field(default=None, description="Character offset in that text.")
    end: int | None = None
    source: str | None = Field(default=None, description="Where the text came from: pubmed...")
    file_start: int | None = Field(
        default=None,
        description="Character offset of the quote in the reviewer's own file (text, Markdown, "
        "JATS XML) named by source, where it was found there.",
    )
    file_end: int | None = None


class Draft(Strict):
    """What a reviewer typed on a question before answering it: saved at once, and moved onto
    the answer when it is given."""

    comment: str | None = None
    quotes: list[Quote] = Field(default_factory=list)


class Answer(Strict):
    answer: str = Field(description="Y, PY, PN, N, NI or NA (or a judgement word for RoB 1).")
    source: AnswerSource
    confirmed: bool = Field(
        default=False, description="A reviewer accepted or gave this answer (not just proposed)."
    )
    proposed: str | None = Field(
        default=None,
        description="What was proposed automatically, kept when a reviewer changed it.",
    )
    confidence: float | None = Field(default=None, ge=0, le=1)
    detector: str | None = None
    quotes: list[Quote] = Field(default_factory=list)
    comment: str | None = None


# The overall judgement's name wherever domains and the overall are listed together (tables,
# figures, robvis files, the session's steps, agreement and consensus).
OVERALL = "Overall"


class Judgement(Strict):
    """A domain (or overall) judgement: what the rules propose, and what the reviewer decided."""

    proposed: str | None = Field(
        default=None, description="From the rubric's rules; None if incomplete."
    )
    rule: str | None = Field(default=None, description="The rule that fired.")
    judgement: str | None = Field(default=None, description="Final: the proposal or an override.")
    override_reason: str | None = None
    support: str | None = Field(default=None, description="Support for judgement, in words.")

    @property
    def overridden(self) -> bool:
        return self.judgement is not None and self.judgement != self.proposed


class ResultAssessed(Strict):
    outcome: str | None = None
    timepoint: str | None = None
    label: str = Field(
        default="study", description="'outcome, time point' as the reviewer gave it."
    )
    # The result's effect size, for a forest plot beside the judgements (all optional).
    measure: str | None = Field(default=None, description="e.g. Hedges' g, SMD, OR, RR.")
    estimate: float | None = Field(default=None, description="The effect size.")
    ci_low: float | None = Field(default=None, description="Lower bound of its 95% CI.")
    ci_high: float | None = Field(default=None, description="Upper bound of its 95% CI.")

    @model_validator(mode="after")
    def _interval_holds_the_estimate(self) -> ResultAssessed:
        low, high, estimate = self.ci_low, self.ci_high, self.estimate
        if (low is None) != (high is None):
            raise ValueError("give both ci_low and ci_high, or neither")
        if low is not None and high is not None:
            if estimate is None:
                raise ValueError("a confidence interval needs its estimate")
            if not low <= estimate <= high:
                raise ValueError(
                    f"estimate {self.estimate} lies outside its interval "
                    f"[{self.ci_low}, {self.ci_high}]"
                )
        return self


class Appraisal(Strict):
    schema_version: int = SCHEMA_VERSION
    study: str = Field(description="The study's canonical id (see appraise.ids).")
    rubric: str
    rubric_version: str
    rubric_file_version: int = 1
    profile: str = "cochrane"
    options: dict[str, str] = Field(default_factory=dict, description="e.g. effect: assignment")
    result: ResultAssessed = Field(default_factory=ResultAssessed)
    reviewer: str
    status: Literal["in-progress", "complete"] = "in-progress"
    context: dict[str, str] = Field(default_factory=dict, description="e.g. rater: self-report")
    answers: dict[str, Answer] = Field(default_factory=dict)
    drafts: dict[str, Draft] = Field(
        default_factory=dict,
        description="Comments and quotes typed on questions not answered yet, by question id.",
    )
    domains: dict[str, Judgement] = Field(default_factory=dict)
    overall: Judgement = Field(default_factory=Judgement)
    weight: float | None = Field(default=None, description="e.g. meta-analytic weight, for plots.")
    tool: str | None = Field(default=None, description="appraise version that last wrote the file.")
    created: datetime | None = None
    updated: datetime | None = None
    notes: str | None = None

    @model_serializer(mode="wrap")
    def _without_empty_drafts(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # With no drafts the key is left out, so files written before drafts existed (and
        # every file without one) stay byte for byte as they were.
        data: dict[str, Any] = handler(self)
        if not data.get("drafts"):
            data.pop("drafts", None)
        return data
