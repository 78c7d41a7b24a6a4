"""The partial record each parser returns: StudyRecord field names mapped to values."""

from __future__ import annotations

from typing import Any

from appraise.models import StudyRecord

Fields = dict[str, Any]

RECORD_FIELDS = frozenset(StudyRecord.model_fields)


def compact(fields: Fields) -> Fields:
    """Drop fields a source left empty, so that they never override another source's value."""
    unknown = set(fields) - RECORD_FIELDS
    if unknown:  # a parser bug, caught by the parser tests
        raise ValueError(f"not StudyRecord fields: {sorted(unknown)}")
    return {k: v for k, v in fields.items() if v not in (None, "", [], {})}


def year_of(value: object) -> int | None:
    """A plausible publication year from an int or a string starting with one."""
    text = str(value or "").strip()[:4]
    if text.isdigit() and 1500 < int(text) < 2200:
        return int(text)
    return None
