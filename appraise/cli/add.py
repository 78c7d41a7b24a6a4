"""`appraise add FILE`: a study record from the reviewer's own PDF, JATS XML or text, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from appraise.cli.common import (
    CorpusOption,
    JsonOption,
    command,
    console,
    emit_json,
    is_interactive,
    note,
)


def register(app: typer.Typer) -> None:
    command(app, "add", 'appraise add trial.pdf --authors "Smith, Jane" --year 2019 -c my-review')(
        add
    )


def add(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="The study's full text: PDF, JATS XML (.xml/.nxml), .txt or .md."
        ),
    ],
    corpus: CorpusOption,
    title: Annotated[
        str | None,
        typer.Option("--title", metavar="TEXT", help="The title (wins over the file's)."),
    ] = None,
    authors: Annotated[
        str | None,
        typer.Option("--authors", metavar="NAMES", help='Authors, e.g. "Smith, Jane; Doe, J".'),
    ] = None,
    year: Annotated[
        str | None, typer.Option("--year", metavar="YYYY", help="Year of publication.")
    ] = None,
    doi: Annotated[
        str | None,
        typer.Option("--doi", metavar="DOI", help="The DOI, if it has one (not looked up)."),
    ] = None,
    journal: Annotated[
        str | None, typer.Option("--journal", metavar="NAME", help="The journal.")
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Ask nothing; leave unknown fields empty.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Add a study from your own file, offline: a record with the metadata the file carries
    (else --title/--authors/--year, or asked), and the file attached for `assess` and `propose`.
    """
    from appraise.app.add import add_study

    def ask(field: str, suggestion: str | None) -> str | None:
        hint = "e.g. Smith, Jane; Doe, J" if field == "authors" else "Enter to leave it empty"
        return str(typer.prompt(f"{field} ({hint})", default=suggestion or "", show_default=False))

    interactive = not no_input and not as_json and is_interactive()
    added = add_study(
        file,
        corpus=corpus,
        title=title,
        authors=authors,
        year=year,
        doi=doi,
        journal=journal,
        ask=ask if interactive else None,
    )
    record = added.record
    if as_json:
        emit_json(
            {
                "id": record.id,
                "record": str(added.record_path),
                "document": str(added.document_path),
                "missing": record.missing_fields,
                "notes": added.notes,
            }
        )
        return
    for message in added.notes:
        note(message)
    console.print(f"added {escape(record.id)}: {escape(record.label)}")
    if record.title:
        console.print(escape(record.title))
    console.print(f"record {added.record_path}, document {added.document_path}", markup=False)
    console.print(
        f'next: appraise assess {record.id} --rubric rob2 --result "OUTCOME, TIME POINT"',
        markup=False,
        soft_wrap=True,
    )
