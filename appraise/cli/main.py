"""Entry point: builds the typer app and turns every failure into one line and an exit code.

Exit codes: 0 success; 1 the work failed (network, a batch with failures, problems found);
2 bad input (arguments, identifiers, files); 130 interrupted; 70 an internal error (a bug).
"""

from __future__ import annotations

import os
import sys
import threading
import traceback

import typer

from appraise import __version__
from appraise.cli import add, fetch, graph, outputs, propose, review, rubric, scale
from appraise.errors import AppraiseError
from appraise.outputs.cells import terminal_text

INTERRUPTED = 130

app = typer.Typer(
    name="appraise",
    help="Appraise the risk of bias of studies, and trace which claims rest on weak ones.",
    epilog="Example: appraise propose 10.1111/bjc.12259 -r psychotherapy -c corpus/iapt",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"appraise {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of any error."),
) -> None:
    """appraise: fetch studies, propose answers with quotes, judge risk of bias, trace claims."""


# Every command, in the order `appraise --help` lists them: the pipeline's order.
for _commands in (fetch, add, propose, review, rubric, graph, outputs, scale):
    _commands.register(app)


def _fail(message: str, code: int) -> int:
    # one line, whatever a file or server put in the message (a key holding '\r', an escape)
    sys.stderr.write(f"appraise: error: {' '.join(terminal_text(message).split())}\n")
    return code


def _interrupted() -> int:
    sys.stderr.write("appraise: interrupted; everything saved before now is kept\n")
    return INTERRUPTED


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit code (tests call this directly)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        result = app(args=args, prog_name="appraise", standalone_mode=False)
    except AppraiseError as exc:
        if debug:
            traceback.print_exc()
        return _fail(str(exc), exc.exit_code)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        return _interrupted()
    # typer (>= 0.29) vendors click: its usage errors derive from typer.TyperException.
    except typer.TyperException as exc:
        message = exc.format_message()
        if type(exc).__name__ == "NoArgsIsHelpError":
            sys.stdout.write(message + "\n")
            return 0
        hint = " (see --help)" if getattr(exc, "exit_code", 1) == 2 else ""
        return _fail(message.strip().replace("\n", " ") + hint, int(getattr(exc, "exit_code", 2)))
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if debug:
            traceback.print_exc()
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(f"{exc.strerror or exc}{where}", 1)
    except Exception as exc:  # a bug: still one line, unless --debug
        if debug:
            traceback.print_exc()
        return _fail(
            f"internal error: {type(exc).__name__}: {exc} (rerun with --debug and report it)", 70
        )
    if result == INTERRUPTED:  # typer turns Ctrl-C into Exit(130) and, so run, returns it
        return _interrupted()
    return result if isinstance(result, int) else 0


def run() -> None:
    code = main()
    if code == INTERRUPTED and threading.active_count() > 1:
        # Requests still in flight (a fetch) would hold the exit until they time out; every
        # write is atomic, so leaving now loses nothing already saved.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
