"""Finding, loading and validating rubric files; the engine that applies their rules."""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from appraise.errors import NotFoundError
from appraise.files import load_model
from appraise.models.rubric import Rubric
from appraise.rubrics.engine import Engine, Evaluation

__all__ = [
    "Engine",
    "Evaluation",
    "load_rubric",
    "load_rubric_file",
    "rubric_dir",
    "rubric_ids",
    "rubric_schema",
]


def rubric_dir() -> Path:
    """Where the shipped rubric files are: inside the installed package, or in the source tree."""
    packaged = Path(str(files("appraise"))) / "rubric_files"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rubrics"


def rubric_ids() -> list[str]:
    return sorted(p.stem for p in rubric_dir().glob("*.yaml"))


def load_rubric_file(path: Path) -> Rubric:
    """Validate a rubric file; problems become one DataFileError naming file and line."""
    return load_model(path, Rubric)


@cache
def load_rubric(name: str) -> Rubric:
    """A shipped rubric by id (``rob2``), or any rubric file by path."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml", ".json") and candidate.exists():
        return load_rubric_file(candidate)
    path = rubric_dir() / f"{name}.yaml"
    if not path.exists():
        close = difflib.get_close_matches(name, rubric_ids(), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise NotFoundError(
            f"unknown rubric '{name}'",
            fix=f"{hint}rubrics: {', '.join(rubric_ids())}, or give a rubric file's path",
        )
    return load_rubric_file(path)


def rubric_schema() -> dict[str, Any]:
    schema = Rubric.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def rubric_schema_text() -> str:
    return json.dumps(rubric_schema(), indent=2, ensure_ascii=False) + "\n"
