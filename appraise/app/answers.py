"""Answers a reviewer gives in a file (`assess --answers`, `consensus --answers`,
`rubric evaluate --answers`): one shape check for all of them, and `rubric evaluate`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appraise.errors import InputError
from appraise.files import read_data

if TYPE_CHECKING:
    from appraise.rubrics.engine import Evaluation

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


@dataclass
class Evaluated:
    """`appraise rubric evaluate`: each answer set's judgements, with where it came from."""

    results: list[tuple[str, Evaluation]]
    batch: bool
    """Whether the file held an array of answer sets."""


def evaluate_answers(
    rubric: str, answers: Path, *, effect: str | None = None, profile: str | None = None
) -> Evaluated:
    """Judge each domain and overall from a set (or an array of sets) of answers."""
    from appraise.rubrics import Engine, load_rubric

    engine = Engine(
        load_rubric(rubric), profile=profile, options={"effect": effect} if effect else {}
    )
    sets, batch = read_answer_sets(answers)
    results = []
    for where, answer_set in sets:
        try:
            results.append((where, engine.evaluate(answer_set)))
        except InputError as exc:
            raise InputError(f"{where}: {exc.message}", fix=exc.fix) from None
    return Evaluated(results, batch)
