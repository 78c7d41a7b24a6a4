"""Claims made by guidelines and reviews, and what they cite."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from appraise.models.base import Strict

CitationKind = Literal["supports", "weakens", "mentions"]


class Citation(Strict):
    target: str = Field(description="A DOI (or pmid:/ref: id) or claim:ID for another claim.")
    kind: CitationKind = "supports"
    weight: float | None = Field(default=None, ge=0, description="e.g. meta-analytic weight.")
    cited_by_source: bool = Field(
        default=True,
        description="False for evidence the appraiser adds that the claim's source did not cite "
        "(a weakening study left out is Greenberg's citation bias).",
    )
    note: str | None = None


class MadeIn(Strict):
    source: str = Field(description="Guideline, review or report making the claim.")
    section: str | None = None
    id: str | None = Field(default=None, description="DOI or study id of that source, if any.")
    url: str | None = None
    year: int | None = None


class Claim(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    text: str
    made_in: MadeIn
    cites: list[Citation] = Field(default_factory=list)
    disputed_by: list[str] = Field(default_factory=list, description="Who disputes it, e.g. seeds.")
    notes: str | None = None


class ClaimsFile(Strict):
    claims: list[Claim]

    @model_validator(mode="after")
    def _unique_ids(self) -> ClaimsFile:
        seen: set[str] = set()
        for claim in self.claims:
            if claim.id in seen:
                raise ValueError(f"claim id '{claim.id}' is used twice; claim ids must be unique")
            seen.add(claim.id)
        return self
