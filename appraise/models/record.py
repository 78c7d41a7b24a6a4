"""The study record: what is known about one work, and which source said so."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from appraise.models.base import Strict

SCHEMA_VERSION = 1


class Author(Strict):
    family: str | None = None
    given: str | None = None
    name: str | None = Field(default=None, description="A group author or an unsplit name.")
    orcid: str | None = None
    affiliations: list[str] = Field(default_factory=list)
    corresponding: bool | None = None

    @property
    def display(self) -> str:
        if self.family:
            return f"{self.family}, {self.given}" if self.given else self.family
        return self.name or "?"


class Funder(Strict):
    name: str
    doi: str | None = None
    awards: list[str] = Field(default_factory=list)


class TrialRegistration(Strict):
    registry: str = Field(description="e.g. ClinicalTrials.gov, ISRCTN, ANZCTR")
    id: str
    url: str | None = None
    registered: str | None = Field(default=None, description="Registration date, ISO 8601.")


class Reference(Strict):
    doi: str | None = None
    pmid: str | None = None
    openalex: str | None = None
    title: str | None = None
    year: int | None = None
    authors: str | None = None
    text: str | None = Field(default=None, description="The reference as printed, if given.")


class Measure(Strict):
    """An outcome measure a study used, and who rated it (self-report or a clinician)."""

    name: str = Field(description="The instrument, e.g. CAPS, PCL, PHQ-9.")
    rating: Literal["self-report", "clinician"] | None = None
    kind: str | None = Field(
        default=None, description="e.g. structured clinical interview, self-report questionnaire"
    )
    timepoints: list[str] = Field(default_factory=list, description="e.g. post, follow-up")


class Section(Strict):
    """A part of the full text, kept with its kind so detectors know where a quote came from."""

    title: str
    kind: str = Field(description="abstract, methods, results, discussion, coi, funding, other ...")
    text: str


class Retrieval(Strict):
    when: datetime
    url: str | None = None
    status: str = "ok"


class StudyRecord(Strict):
    schema_version: int = SCHEMA_VERSION
    id: str = Field(description="Canonical id: the bare DOI, or pmid:/pmcid:/ref: form.")
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    openalex: str | None = None
    title: str | None = None
    authors: list[Author] = Field(default_factory=list)
    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    type: str | None = Field(default=None, description="Work type, e.g. journal-article, book.")
    publication_types: list[str] = Field(
        default_factory=list, description="e.g. Randomized Controlled Trial, Meta-Analysis"
    )
    language: str | None = None
    abstract: str | None = None
    keywords: list[str] = Field(default_factory=list)
    funders: list[Funder] = Field(default_factory=list)
    coi_statement: str | None = None
    trial_registrations: list[TrialRegistration] = Field(default_factory=list)
    measures: list[Measure] = Field(
        default_factory=list, description="Outcome measures used, with rater type."
    )
    references: list[Reference] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    is_open_access: bool | None = None
    is_retracted: bool | None = None
    url: str | None = None
    notes: str | None = None
    sources: dict[str, str] = Field(
        default_factory=dict,
        description="Which source supplied each field: field name -> crossref, openalex, "
        "europepmc, pubmed, manual, document, ...",
    )
    retrieved: dict[str, Retrieval] = Field(
        default_factory=dict, description="When each source was last asked, by source name."
    )

    @property
    def missing_fields(self) -> list[str]:
        """Fields a citation needs that no source gave (a record typed in from a commentary
        that names a work only by author and year): exports flag such a record as incomplete."""
        needed: dict[str, object] = {
            "title": self.title,
            "authors": self.authors,
            "year": self.year,
        }
        if self.type == "journal-article":
            needed["journal"] = self.journal
        return [name for name, value in needed.items() if not value]

    @property
    def first_author(self) -> str:
        return self.authors[0].family or self.authors[0].display if self.authors else "Anon"

    @property
    def label(self) -> str:
        """Short 'Author Year' label, as tables and plots name a study."""
        if not self.authors:
            return f"{self.title or self.id} ({self.year or 'n.d.'})"
        etal = (
            " et al."
            if len(self.authors) > 2
            else (
                f" & {self.authors[1].family or self.authors[1].display}"
                if len(self.authors) == 2
                else ""
            )
        )
        return f"{self.first_author}{etal} {self.year or 'n.d.'}"
