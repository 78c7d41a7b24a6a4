"""`appraise propose` (answers with quotes from a study's text) and `appraise instrument`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from appraise.cli.common import (
    CorpusOption,
    EffectOption,
    JsonOption,
    RubricOption,
    command,
    console,
    emit_json,
    err_console,
    note,
    progress_bar,
)
from appraise.errors import InputError

if TYPE_CHECKING:
    from appraise.app.propose import ProposedFolder
    from appraise.evidence import ProposalSet


def register(app: typer.Typer) -> None:
    command(app, "propose", "appraise propose 10.1111/bjc.12259 -r psychotherapy -c corpus/iapt")(
        propose_command
    )
    command(app, "instrument", 'appraise instrument PHQ-9 "Hamilton Rating Scale for Depression"')(
        instrument_command
    )


def propose_command(
    corpus: CorpusOption,
    identifier: Annotated[
        str | None, typer.Argument(metavar="ID", help="A study id (DOI, pmid:, pmcid:).")
    ] = None,
    text: Annotated[
        Path | None,
        typer.Option(
            "--text",
            metavar="FILE",
            help="A local document (.txt .md .xml .nxml .pdf) or a folder of them.",
        ),
    ] = None,
    rubric: RubricOption = None,
    effect: EffectOption = None,
    as_json: JsonOption = False,
) -> None:
    """Propose answers to a rubric's questions, each with the quotes that support it.

    Give a study ID (read from the corpus, fetched if absent), a document with --text, or
    both (the document is attached to the study's record). --text DIR proposes for every
    readable file in the folder. Proposals never replace a reviewer's answers.
    """
    from appraise.app.propose import propose_folder, propose_for

    if text is not None and text.is_dir():
        if identifier is not None:
            raise InputError(
                "a folder cannot be attached to one study",
                fix="give --text a single file when you also give an ID",
            )
        _show_folder(
            text,
            lambda progress: propose_folder(
                text, corpus=corpus, rubric=rubric, effect=effect, progress=progress
            ),
            as_json,
        )
        return
    result = propose_for(identifier, text=text, corpus=corpus, rubric=rubric, effect=effect)
    for message in result.notes:
        note(message)
    if as_json:
        emit_json(result.proposals.to_json())
    else:
        _print(result.proposals)


def _show_folder(
    folder: Path, run: Callable[[Callable[[Path, int, int], None]], ProposedFolder], as_json: bool
) -> None:
    with progress_bar("proposing", show=True) as bar:

        def progress(path: Path, done: int, total: int) -> None:
            if bar is not None:
                bar(path.name, done, total)

        outcome = run(progress)
    if as_json:
        emit_json([{"file": str(path), **r.to_json()} for path, r in outcome.results])
    else:
        for path, result in outcome.results:
            console.print(f"\n[bold]{escape(str(path))}[/bold]")
            _print(result)
    if outcome.failures:
        err_console.print(
            f"{len(outcome.failures)} of {outcome.total} files could not be read:", markup=False
        )
        for path, error in outcome.failures:
            err_console.print(f"  {path}: {error}", markup=False)
        raise typer.Exit(1)


def _print(result: ProposalSet) -> None:
    doc = result.document
    console.print(
        f"[dim]{escape(doc.source)}: {len(doc.text):,} characters, {len(doc.sections)} sections; "
        f"rubric {result.rubric}[/dim]"
    )
    for problem in doc.problems:
        note(problem)
    current = None
    for p in result.proposals:
        if p.domain != current:
            current = p.domain
            console.print(f"\n[bold]{p.domain}[/bold]")
        answer = p.answer or "-"
        confidence = f"{p.confidence:.2f}" if p.answer not in (None, "NA") else "    "
        detail = f" {escape(p.comment)}" if p.comment else ""
        console.print(f"  {p.question:>4}  [bold]{answer:<13}[/bold] {confidence}{detail}")
        for q in p.quotes:
            console.print(
                f"        [italic]\u201c{escape(q.text)}\u201d[/italic] "
                f"[dim]({escape(q.section or '?')}, {q.start}-{q.end})[/dim]"
            )
    allegiance = result.findings.get("allegiance") or []
    if allegiance:
        console.print("\n[bold]Allegiance indicators[/bold] (flagged, not folded into a domain)")
        for item in allegiance:
            console.print(f"  {item['indicator']}: {escape(item['detail'])}")


def instrument_command(
    names: Annotated[
        list[str], typer.Argument(metavar="NAME", help="Instrument names, e.g. PHQ-9 CAPS-5 PSS-I.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Who rates each instrument: self-report, clinician-rated or diagnostic-interview."""
    from appraise.evidence.instruments import classify

    matches = [classify(name) for name in names]
    if as_json:
        emit_json([m.to_json() for m in matches])
        return
    for m in matches:
        matched = f"  [dim](as {escape(m.matched)})[/dim]" if m.matched else ""
        console.print(f"{escape(m.name)}: [bold]{m.kind}[/bold]{matched}")
