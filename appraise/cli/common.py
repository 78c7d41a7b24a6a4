"""What every command module shares: one vocabulary of options (--corpus/-c, --rubric/-r,
--output/-o, --format/-f, --json, ...), the registration helper that gives every command an
example, output helpers and consoles."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

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
from typer.core import TyperArgument, TyperCommand

from appraise.outputs.cells import terminal_text

F = TypeVar("F", bound=Callable[..., Any])

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


class _Argument(TyperArgument):
    """An argument shown by its placeholder alone (ID, FILE, CLAIM), as options are: typer would
    add its Python type (<list[str]>) and brace a required one in the usage line ({claim})."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")

    def get_usage_pieces(self, ctx: Any) -> list[str]:
        return [] if self.hidden else [self._usage_display_name()]


class Command(TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if type(param) is TyperArgument:
                param.__class__ = _Argument


def command(app: typer.Typer, name: str, example: str) -> Callable[[F], F]:
    """Register a command under ``name`` with an example its --help ends with."""
    return app.command(name, cls=Command, epilog=f"Example: {example}")


def group(help: str, example: str) -> typer.Typer:
    """A command group (rubric, graph, import, batch) whose --help ends with an example."""
    return typer.Typer(help=help, epilog=f"Example: {example}", no_args_is_help=True)


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
RUBRIC_HELP = "rob2, rob1, robins-i, psychotherapy, metapsy-rob or a rubric file."
RubricOption = Annotated[
    str | None,
    typer.Option(
        "--rubric",
        "-r",
        metavar="RUBRIC",
        help=f"{RUBRIC_HELP} Default: corpus.yaml's default_rubric, else the rubric the "
        "corpus's appraisals use, else rob2.",
        show_default=False,
    ),
]
RequiredRubricOption = Annotated[
    str, typer.Option("--rubric", "-r", metavar="RUBRIC", help=RUBRIC_HELP)
]
PaletteOption = Annotated[
    str,
    typer.Option("--palette", metavar="PALETTE", help="Colours: cochrane, or colourblind."),
]
StudiesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--studies",
        metavar="STUDY",
        help="Only these studies (ids or 'Author Year'), in this order: repeat the option "
        "(each value is one label, commas and all) or give a file with one label per line.",
    ),
]
OrderOption = Annotated[
    str | None,
    typer.Option(
        "--order",
        metavar="ORDER",
        help="input (default), year, author or judgement (best first).",
    ),
]
EffectOption = Annotated[
    str | None,
    typer.Option(
        "--effect", metavar="EFFECT", help="RoB 2 effect of interest: assignment or adhering."
    ),
]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        metavar="PROFILE",
        help="Rubric profile (RoB 2: cochrane, the default, or metapsy).",
    ),
]


def one_of(new: Path | None, old: Path | None, names: str) -> Path | None:
    """The value of an option or of its old spelling (kept working, hidden from --help)."""
    if new is not None and old is not None and new != old:
        from appraise.errors import InputError

        raise InputError(f"give {names}, not both", fix=f"use {names.split(' or ')[0]}")
    return new if new is not None else old


def output_folder(new: Path | None, old: Path | None) -> Path:
    """--output DIR, or its old spelling --out; one of them is required."""
    folder = one_of(new, old, "--output or --out")
    if folder is None:
        from appraise.errors import InputError

        raise InputError("say which folder to write to", fix="add --output DIR")
    return folder


OldOutOption = Annotated[
    Path | None, typer.Option("--out", metavar="DIR", hidden=True, help="Old name of --output.")
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


Progress = Callable[[str, int, int], None]
"""What the library reports as it goes: (what it is on, how many are done, how many in all)."""


@contextmanager
def progress_bar(label: str, *, show: bool) -> Iterator[Progress | None]:
    """A rich bar on stderr fed by a use case's progress callback; no callback at all when the
    bar would not be seen (a pipe, a log, --json)."""
    if not show or not err_console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=err_console,
        transient=True,
    )
    task = bar.add_task("", total=None)

    def advance(what: str, done: int, total: int) -> None:
        bar.update(task, completed=done, total=total, description=what)

    with bar:
        yield advance
