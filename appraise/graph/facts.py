"""What the citation graph needs to know about each work, taken from its record and appraisals.

Pure functions: a StudyRecord (or an appraisal) in, small plain facts out. These facts are what
the build cache keeps per record file, so a changed record re-extracts only its own facts.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

from appraise.errors import InputError
from appraise.ids import parse_identifier
from appraise.models import Author, Reference, Rubric, StudyRecord

Role = Literal["primary", "review", "commentary"]
Category = Literal["low", "concerns", "high", "unappraised"]
Allegiance = Literal["none", "possible", "allegiant", "unknown"]
CATEGORIES: tuple[Category, ...] = ("high", "concerns", "low", "unappraised")

# Works that synthesise or discuss others' data; support passes through them to what they cite.
_REVIEW_TYPES = {"meta-analysis", "systematic review", "review", "scoping review"}
_COMMENTARY_TYPES = {
    "comment",
    "commentary",
    "editorial",
    "letter",
    "news",
    "opinion",
    "guideline",
    "practice guideline",
    "consensus development conference",
}
_REVIEW_WORK_TYPES = {"review"}
_COMMENTARY_WORK_TYPES = {"editorial", "letter", "peer-review", "report", "standard"}
_REVIEW_TITLE = re.compile(
    r"\b(meta-?analys[ie]s|systematic review|scoping review|umbrella review|review of)\b", re.I
)
# The judgement words that mean "high risk" on the shipped scales (RoB 2, RoB 1, ROBINS-I).
HIGH_LABELS = {"High", "Serious", "Critical"}


@dataclass(frozen=True)
class WorkFacts:
    """One stored record, reduced to what the graph uses."""

    id: str
    label: str
    title: str
    year: int | None
    role: Role
    retracted: bool
    team: tuple[str, ...]
    aliases: tuple[str, ...]
    references: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "title": self.title,
            "year": self.year,
            "role": self.role,
            "retracted": self.retracted,
            "team": list(self.team),
            "aliases": list(self.aliases),
            "references": list(self.references),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkFacts:
        return cls(
            **{
                **data,
                "team": tuple(data["team"]),
                "aliases": tuple(data["aliases"]),
                "references": tuple(data["references"]),
            }
        )


@dataclass(frozen=True)
class Judged:
    """The final judgement that speaks for a study under one rubric."""

    judgement: str | None
    category: Category
    high_domains: tuple[str, ...]
    weight: float | None
    domains: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Judged:
        return cls(**{**data, "high_domains": tuple(data["high_domains"])})


def role_of(record: StudyRecord) -> Role:
    """Primary data, or a work that only synthesises or discusses others' (Greenberg's
    'no primary data'): publication types first, then the work type, then the title."""
    types = {t.strip().lower() for t in record.publication_types}
    if types & _REVIEW_TYPES or (record.type or "").lower() in _REVIEW_WORK_TYPES:
        return "review"
    if types & _COMMENTARY_TYPES or (record.type or "").lower() in _COMMENTARY_WORK_TYPES:
        return "commentary"
    if record.title and _REVIEW_TITLE.search(record.title):
        return "review"
    return "primary"


def team_key(author: Author) -> str | None:
    """'family initial' in lower case, so 'Clark, David M.' and 'Clark, D' are one person."""
    if author.family:
        initial = (author.given or "").strip()[:1]
        return f"{author.family.strip().lower()} {initial.lower()}".strip()
    return author.name.strip().lower() if author.name else None


def reference_id(ref: Reference) -> str | None:
    """The id a reference points at: its DOI, else PMID, else OpenAlex work id."""
    for raw in (ref.doi, f"pmid:{ref.pmid}" if ref.pmid else None):
        if raw:
            try:
                return str(parse_identifier(raw))
            except InputError:
                continue
    if ref.openalex:
        return f"openalex:{ref.openalex.rstrip('/').rsplit('/', 1)[-1].upper()}"
    return None


def work_facts(record: StudyRecord) -> WorkFacts:
    aliases = [record.id]
    if record.doi:
        aliases.append(record.doi.lower())
    if record.pmid:
        aliases.append(f"pmid:{record.pmid}")
    if record.pmcid:
        aliases.append(f"pmcid:{record.pmcid}")
    if record.openalex:
        aliases.append(f"openalex:{record.openalex.rstrip('/').rsplit('/', 1)[-1].upper()}")
    refs = dict.fromkeys(r for r in map(reference_id, record.references) if r)
    return WorkFacts(
        id=record.id,
        label=record.label,
        title=record.title or "",
        year=record.year,
        role=role_of(record),
        retracted=bool(record.is_retracted),
        team=tuple(sorted({k for k in map(team_key, record.authors) if k})),
        aliases=tuple(dict.fromkeys(aliases)),
        references=tuple(r for r in refs if r not in aliases),
    )


def category_of(label: str | None, rubric: Rubric) -> Category:
    """Low (the best level of the scale), high (High/Serious/Critical), or concerns between."""
    if label is None:
        return "unappraised"
    if label in HIGH_LABELS:
        return "high"
    try:
        return "low" if rubric.level(label).severity == 0 else "concerns"
    except KeyError:
        return "concerns"


def judged(
    overall: str | None, domains: dict[str, str | None], weight: float | None, rubric: Rubric
) -> Judged:
    return Judged(
        judgement=overall,
        category=category_of(overall, rubric),
        high_domains=tuple(d for d, label in domains.items() if label in HIGH_LABELS),
        weight=weight,
        domains={d: label for d, label in domains.items() if label},
    )


def allegiance_from(label: str | None) -> Allegiance:
    """The psychotherapy rubric's D3 (researcher allegiance) judgement, in Tolin's terms."""
    return {"Low": "none", "Some concerns": "possible", "High": "allegiant"}.get(
        label or "", "unknown"
    )  # type: ignore[return-value]
