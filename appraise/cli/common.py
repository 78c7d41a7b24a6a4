"""What every command module shares: the corpus option, output helpers and consoles."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from appraise.corpus import Corpus

PIPED_WIDTH = "160"


class _Environment(Mapping[str, str]):
    """os.environ as rich reads it, except that output to a pipe or file is laid out
    PIPED_WIDTH columns wide (unless COLUMNS says otherwise) instead of rich's 80, so
    tables written to logs are not cut."""

    def __getitem__(self, key: str) -> str:
        if key == "COLUMNS" and key not in os.environ and not sys.stdout.isatty():
            return PIPED_WIDTH
        return os.environ[key]

    def __iter__(self) -> Iterator[str]:
        return iter(os.environ)

    def __len__(self) -> int:
        return len(os.environ)


console = Console(highlight=False, soft_wrap=False, _environ=_Environment())
err_console = Console(stderr=True, highlight=False)


def _default_corpus() -> Path:
    return Path(os.environ.get("APPRAISE_CORPUS", "."))


CorpusOption = Annotated[
    Path,
    typer.Option(
        "--corpus",
        "-c",
        help="Corpus folder (records/, appraisals/, claims.yaml). Default: $APPRAISE_CORPUS or .",
        default_factory=_default_corpus,
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def open_corpus(path: Path) -> Corpus:
    return Corpus(path)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def note(message: str) -> None:
    """A remark on stderr that does not change the outcome."""
    err_console.print(f"note: {message}", markup=False)


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()
