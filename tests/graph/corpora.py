"""Small corpora written the way users write them: records, appraisals and a claims.yaml."""

from __future__ import annotations

from typing import Any

from appraise.corpus import Corpus
from appraise.files import dump_yaml
from appraise.models import Appraisal, Author, Judgement, Reference, StudyRecord
from appraise.rubrics import load_rubric


def add_study(
    corpus: Corpus,
    doi: str,
    *,
    authors: tuple[str, ...] = ("Smith",),
    publication_types: tuple[str, ...] = ("Randomized Controlled Trial",),
    references: tuple[str, ...] = (),
    retracted: bool | None = None,
    title: str | None = None,
    year: int = 2015,
) -> StudyRecord:
    record = StudyRecord(
        id=doi,
        doi=doi,
        title=title or f"Trial {doi}",
        year=year,
        authors=[Author(family=name, given="A") for name in authors],
        publication_types=list(publication_types),
        references=[Reference(doi=ref) for ref in references],
        is_retracted=retracted,
    )
    corpus.write_record(record)
    return record


def add_appraisal(
    corpus: Corpus,
    doi: str,
    overall: str,
    *,
    rubric: str = "rob2",
    domains: dict[str, str] | None = None,
    reviewer: str = "reviewer-a",
    weight: float | None = None,
) -> None:
    domains = domains or {"D1": "Low", "D2": "Low", "D3": "Low", "D4": overall, "D5": "Low"}
    corpus.write_appraisal(
        Appraisal(
            study=doi,
            rubric=rubric,
            rubric_version=load_rubric(rubric).version,
            reviewer=reviewer,
            status="complete",
            domains={d: Judgement(judgement=j) for d, j in domains.items()},
            overall=Judgement(judgement=overall),
            weight=weight,
        )
    )


def write_claims(corpus: Corpus, claims: list[dict[str, Any]]) -> None:
    corpus.root.mkdir(parents=True, exist_ok=True)
    corpus.claims_path.write_text(dump_yaml({"claims": claims}), encoding="utf-8")


def claim(claim_id: str, *cites: str | dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": claim_id,
        "text": f"Claim {claim_id}",
        "made_in": {"source": "NICE guideline", "section": "1.2"},
        "cites": [c if isinstance(c, dict) else {"target": c} for c in cites],
        **extra,
    }


def write_guideline_corpus(corpus: Corpus) -> Corpus:
    """A guideline claim resting on a meta-analysis of three trials (two at high risk), one
    trial cited directly, one DOI outside the corpus, and a low-risk trial that weakens it."""
    add_study(corpus, "10.1000/t1", authors=("Clark", "Layard"))
    add_study(corpus, "10.1000/t2", authors=("Clark",))
    add_study(corpus, "10.1000/t3", authors=("Jones",))
    add_study(corpus, "10.1000/t4", authors=("Brown",))
    add_study(corpus, "10.1000/t5", authors=("Scott",))
    add_study(
        corpus,
        "10.1000/ma",
        authors=("Wakefield",),
        publication_types=("Meta-Analysis",),
        references=("10.1000/t1", "10.1000/t2", "10.1000/t3"),
    )
    add_appraisal(corpus, "10.1000/t1", "High", domains={"D1": "Low", "D4": "High", "D5": "High"})
    add_appraisal(corpus, "10.1000/t2", "High", domains={"D1": "Low", "D4": "High"})
    add_appraisal(corpus, "10.1000/t3", "Low")
    add_appraisal(corpus, "10.1000/t4", "Some concerns")
    add_appraisal(corpus, "10.1000/t5", "Low")
    write_claims(
        corpus,
        [
            claim(
                "gsh-effective",
                {"target": "10.1000/ma", "kind": "supports"},
                {"target": "https://doi.org/10.1000/T4", "kind": "supports", "weight": 2.0},
                {"target": "10.9999/not-in-corpus"},
                {"target": "10.1000/t5", "kind": "weakens", "cited_by_source": False},
            ),
            claim("iapt-works", "claim:gsh-effective", "10.1000/t3"),
        ],
    )
    return corpus
