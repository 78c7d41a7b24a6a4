"""`appraise propose` (answers with quotes from a study's text) and `appraise instrument`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from appraise.cli.common import CorpusOption, JsonOption, console, emit_json, err_console, note
from appraise.errors import AppraiseError, InputError

if TYPE_CHECKING:
    from appraise.corpus import Corpus
    from appraise.evidence import Document, ProposalSet
    from appraise.models.record import StudyRecord


def register(app: typer.Typer) -> None:
    app.command("propose")(propose_command)
    app.command("instrument")(instrument_command)


def propose_command(
    corpus: CorpusOption,
    identifier: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="A study id (DOI, pmid:, pmcid:).")
    ] = None,
    text: Annotated[
        Path | None,
        typer.Option("--text", help="A local document (.txt .md .xml .nxml .pdf) or a folder."),
    ] = None,
    rubric: Annotated[
        str, typer.Option("--rubric", "-r", help="rob2, rob1, robins-i, psychotherapy or a file.")
    ] = "rob2",
    effect: Annotated[
        str | None, typer.Option("--effect", help="RoB 2 effect: assignment or adhering.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Propose answers to a rubric's questions, each with the quotes that support it.

    Give a study ID (read from the corpus, fetched if absent), a document with --text, or
    both (the document is attached to the study's record). --text DIR proposes for every
    readable file in the folder. Proposals never replace a reviewer's answers.
    """
    from appraise.corpus import Corpus
    from appraise.rubrics import Engine, load_rubric

    if identifier is None and text is None:
        raise InputError("nothing to read", fix="give a study ID, --text FILE, or both")
    rub = load_rubric(rubric)
    options = {"effect": effect} if effect else {}
    Engine(rub, options=options)  # checks the options before any reading
    if text is not None and text.is_dir():
        if identifier is not None:
            raise InputError(
                "a folder cannot be attached to one study",
                fix="give --text a single file when you also give an ID",
            )
        _propose_folder(text, rub, options, as_json)
        return
    store = Corpus(corpus)
    record = _record(store, identifier) if identifier else None
    document = _document(store, record, text)
    from appraise.evidence import propose

    result = propose(document, rub, record=record, options=options)
    if as_json:
        emit_json(result.to_json())
    else:
        _print(result)


def _record(store: Corpus, identifier: str) -> StudyRecord:
    found = store.find_record(identifier)
    if found is not None:
        return found
    from appraise.sources import fetch_record

    note(f"{identifier} is not in the corpus; fetching it")
    return fetch_record(identifier, store)


def _document(store: Corpus, record: StudyRecord | None, text: Path | None) -> Document:
    from appraise.evidence import document_from_record, document_with_record

    if text is None:
        assert record is not None
        attached = _attached(store, record)
        return document_with_record(attached, record) if attached else document_from_record(record)
    from appraise.documents import attach_document, read_document

    document = read_document(text)
    if record is None:
        return document
    where = attach_document(store, record.id, text)
    note(f"attached {text} to {record.id} as {where}")
    return document_with_record(document, record)


def _attached(store: Corpus, record: StudyRecord) -> Document | None:
    """The document already attached to this study, if any."""
    from appraise.documents import READABLE_SUFFIXES, read_document
    from appraise.ids import file_stem

    for suffix in READABLE_SUFFIXES:
        path = store.documents_dir / f"{file_stem(record.id)}{suffix}"
        if path.exists():
            return read_document(path)
    return None


def _propose_folder(folder: Path, rub: Any, options: dict[str, str], as_json: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from appraise.documents import READABLE_SUFFIXES, iter_documents
    from appraise.evidence import propose

    total = sum(
        1
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in READABLE_SUFFIXES
    )
    if total == 0:
        raise InputError(
            f"{folder} holds no readable documents",
            fix=f"put files ending {', '.join(READABLE_SUFFIXES)} in it",
        )
    results: list[tuple[Path, ProposalSet]] = []
    failures: list[tuple[Path, AppraiseError]] = []
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        disable=not sys.stderr.isatty(),
        transient=True,
    )
    with progress:
        task = progress.add_task("proposing", total=total)
        for path, outcome in iter_documents(folder):
            progress.update(task, description=path.name)
            if isinstance(outcome, AppraiseError):
                failures.append((path, outcome))
            else:
                results.append((path, propose(outcome, rub, options=options)))
            progress.advance(task)
    if as_json:
        emit_json([{"file": str(path), **r.to_json()} for path, r in results])
    else:
        for path, result in results:
            console.print(f"\n[bold]{escape(str(path))}[/bold]")
            _print(result)
    if failures:
        err_console.print(f"{len(failures)} of {total} files could not be read:", markup=False)
        for path, error in failures:
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
    names: Annotated[list[str], typer.Argument(help="Instrument names, e.g. PHQ-9 CAPS-5 PSS-I.")],
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
