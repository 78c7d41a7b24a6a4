"""Flat rows for a corpus's records, appraisals, judgements and citation edges.

Pure: models in, plain dicts out (one dict per Parquet row). The full record and the answers
travel as JSON strings, so a worker can rebuild the model without reading the corpus folder; a
study's attached full text travels as its path (read by `batch propose`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from appraise.appraisals import final_domains, final_overall
from appraise.errors import InputError
from appraise.ids import normalise_doi
from appraise.models import Appraisal, ClaimsFile, StudyRecord

RECORD_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("doi", pa.string()),
        ("pmid", pa.string()),
        ("pmcid", pa.string()),
        ("openalex", pa.string()),
        ("title", pa.string()),
        ("journal", pa.string()),
        ("year", pa.int32()),
        ("type", pa.string()),
        ("first_author", pa.string()),
        ("n_authors", pa.int32()),
        ("n_references", pa.int32()),
        ("n_sections", pa.int32()),
        ("has_abstract", pa.bool_()),
        ("has_coi_statement", pa.bool_()),
        ("is_open_access", pa.bool_()),
        ("is_retracted", pa.bool_()),
        ("document", pa.string()),  # the full text attached in the corpus (absolute path)
        ("record_json", pa.string()),
    ]
)

APPRAISAL_SCHEMA = pa.schema(
    [
        ("study", pa.string()),
        ("rubric", pa.string()),
        ("rubric_version", pa.string()),
        ("profile", pa.string()),
        ("options_json", pa.string()),
        ("result", pa.string()),
        ("reviewer", pa.string()),
        ("status", pa.string()),
        ("overall", pa.string()),
        ("overall_proposed", pa.string()),
        ("n_answers", pa.int32()),
        ("n_confirmed", pa.int32()),
        ("answers_json", pa.string()),
        ("domains_json", pa.string()),
        ("path", pa.string()),
    ]
)

JUDGEMENT_SCHEMA = pa.schema(
    [
        ("study", pa.string()),
        ("rubric", pa.string()),
        ("result", pa.string()),
        ("reviewer", pa.string()),
        ("domain", pa.string()),
        ("proposed", pa.string()),
        ("judgement", pa.string()),
        ("overridden", pa.bool_()),
        ("rule", pa.string()),
    ]
)

EDGE_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("source_kind", pa.string()),  # work or claim
        ("target", pa.string()),
        ("target_kind", pa.string()),  # doi, pmid, openalex or claim
        ("relation", pa.string()),  # cites (a reference list) or supports / weakens / mentions
        ("weight", pa.float64()),
    ]
)


def record_row(record: StudyRecord, document: Path | None = None) -> dict[str, Any]:
    return {
        "id": record.id,
        "doi": record.doi,
        "pmid": record.pmid,
        "pmcid": record.pmcid,
        "openalex": record.openalex,
        "title": record.title,
        "journal": record.journal,
        "year": record.year,
        "type": record.type,
        "first_author": record.first_author if record.authors else None,
        "n_authors": len(record.authors),
        "n_references": len(record.references),
        "n_sections": len(record.sections),
        "has_abstract": bool(record.abstract),
        "has_coi_statement": bool(record.coi_statement),
        "is_open_access": record.is_open_access,
        "is_retracted": record.is_retracted,
        "document": str(document.resolve()) if document is not None else None,
        "record_json": record.model_dump_json(exclude_none=True),
    }


def appraisal_row(appraisal: Appraisal, path: str) -> dict[str, Any]:
    return {
        "study": appraisal.study,
        "rubric": appraisal.rubric,
        "rubric_version": appraisal.rubric_version,
        "profile": appraisal.profile,
        "options_json": json.dumps(appraisal.options, sort_keys=True),
        "result": appraisal.result.label,
        "reviewer": appraisal.reviewer,
        "status": appraisal.status,
        "overall": final_overall(appraisal),
        "overall_proposed": appraisal.overall.proposed,
        "n_answers": len(appraisal.answers),
        "n_confirmed": sum(a.confirmed for a in appraisal.answers.values()),
        "answers_json": json.dumps({q: a.answer for q, a in appraisal.answers.items()}),
        "domains_json": json.dumps(final_domains(appraisal)),
        "path": path,
    }


def judgement_rows(appraisal: Appraisal) -> Iterator[dict[str, Any]]:
    for domain, j in appraisal.domains.items():
        yield {
            "study": appraisal.study,
            "rubric": appraisal.rubric,
            "result": appraisal.result.label,
            "reviewer": appraisal.reviewer,
            "domain": domain,
            "proposed": j.proposed,
            "judgement": j.judgement or j.proposed,
            "overridden": j.overridden,
            "rule": j.rule,
        }


def reference_edges(record: StudyRecord) -> Iterator[dict[str, Any]]:
    """work -> cited work, for every reference with an identifier (DOI preferred)."""
    seen: set[str] = set()
    for ref in record.references:
        target, kind = _reference_target(ref.doi, ref.pmid, ref.openalex)
        if target is None or target in seen:
            continue
        seen.add(target)
        yield {
            "source": record.id,
            "source_kind": "work",
            "target": target,
            "target_kind": kind,
            "relation": "cites",
            "weight": None,
        }


def claim_edges(claims: ClaimsFile) -> Iterator[dict[str, Any]]:
    """claim -> what it cites, with the citation's kind (supports, weakens, mentions)."""
    for claim in claims.claims:
        for citation in claim.cites:
            target = citation.target
            kind = "claim" if target.startswith("claim:") else _target_kind(target)
            yield {
                "source": f"claim:{claim.id}",
                "source_kind": "claim",
                "target": target,
                "target_kind": kind,
                "relation": citation.kind,
                "weight": citation.weight,
            }


def _reference_target(
    doi: str | None, pmid: str | None, openalex: str | None
) -> tuple[str | None, str]:
    if doi:
        try:
            return normalise_doi(doi), "doi"
        except InputError:
            pass  # a malformed DOI in a reference list: fall back to the other identifiers
    if pmid:
        return f"pmid:{pmid}", "pmid"
    if openalex:
        return openalex, "openalex"
    return None, ""


def _target_kind(target: str) -> str:
    prefix = target.split(":", 1)[0] if ":" in target and not target.startswith("10.") else ""
    return prefix or "doi"
