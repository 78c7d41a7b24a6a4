"""What every command module shares: the corpus option, output helpers and consoles."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import (
    Console,
    ConsoleOptions,
    ConsoleRenderable,
    RenderableType,
    RenderHook,
    RenderResult,
)
from rich.segment import Segment

from appraise.outputs.cells import terminal_text

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


class _PlainText:
    """A renderable drawn as ``inner`` is, with escape sequences and control characters taken
    out of its text (a title from an API can hold them); rich's own styling is kept."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(terminal_text(segment.text), segment.style)


class _StripControls(RenderHook):
    """Every print of a console goes through _PlainText."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_PlainText(r) for r in renderables]


console = Console(highlight=False, soft_wrap=False, _environ=_Environment())
err_console = Console(stderr=True, highlight=False)
for _console in (console, err_console):
    _console.push_render_hook(_StripControls())


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
    # json escapes C0 controls; terminal_text takes out C1 ones (0x9b starts a sequence)
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write(terminal_text(text) + "\n")


def note(message: str) -> None:
    """A remark on stderr that does not change the outcome."""
    err_console.print(f"note: {message}", markup=False)


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()
