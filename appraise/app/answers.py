"""Answers a reviewer gives in a file (`assess --answers`, `consensus --answers`,
`rubric evaluate --answers`): one shape check for all of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appraise.errors import InputError
from appraise.files import read_data

EXAMPLE = '{"1.1": "Y", "1.2": {"answer": "PN", "comment": "..."}, "domains": {"D4": "High"}}'


def _mapping(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InputError(
            f"{where}: expected a mapping of question ids to answers", fix=f"e.g. {EXAMPLE}"
        )
    return data


def read_answers(path: Path) -> dict[str, Any]:
    """One set of answers: a JSON/YAML mapping of question ids to answers."""
    return _mapping(read_data(path), str(path))


def read_answer_sets(path: Path) -> tuple[list[tuple[str, dict[str, Any]]], bool]:
    """One set of answers, or an array of them; each with where it came from, and whether
    the file held an array."""
    data = read_data(path)
    if not isinstance(data, list):
        return [(str(path), _mapping(data, str(path)))], False
    sets = [(f"{path}: set {i + 1}", item) for i, item in enumerate(data)]
    return [(where, _mapping(item, where)) for where, item in sets], True
