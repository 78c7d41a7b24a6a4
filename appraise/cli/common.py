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


def _no_corpus_given() -> Path | None:
    return None  # found at run time: appraise.app.workspace.locate_corpus


CorpusOption = Annotated[
    Path | None,
    typer.Option(
        "--corpus",
        "-c",
        metavar="DIR",
        help="Corpus folder (records/, appraisals/, claims.yaml). Default: $APPRAISE_CORPUS, "
        "else the current folder or the nearest parent that is a corpus.",
        default_factory=_no_corpus_given,
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
RubricOption = Annotated[
    str | None,
    typer.Option(
        "--rubric",
        "-r",
        metavar="RUBRIC",
        help="rob2, rob1, robins-i, psychotherapy or a rubric file. Default: corpus.yaml's "
        "default_rubric, else the rubric the corpus's appraisals use, else rob2.",
        show_default=False,
    ),
]
EffectOption = Annotated[
    str | None,
    typer.Option("--effect", metavar="EFFECT", help="RoB 2 effect: assignment or adhering."),
]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile", metavar="PROFILE", help="Rubric profile (RoB 2: cochrane or metapsy)."
    ),
]


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def note(message: str) -> None:
    """A remark on stderr that does not change the outcome."""
    err_console.print(f"note: {message}", markup=False)


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()
