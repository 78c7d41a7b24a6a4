"""`appraise fetch ID...` saves merged study records; `appraise show ID` prints one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from appraise.cli.common import (
    CorpusOption,
    JsonOption,
    console,
    emit_json,
    err_console,
    open_corpus,
)
from appraise.errors import InputError
from appraise.files import read_text

if TYPE_CHECKING:
    from appraise.corpus import Corpus
    from appraise.models import StudyRecord
    from appraise.sources import FetchReport

_SHOWN_AUTHORS = 8


def register(app: typer.Typer) -> None:
    app.command("fetch")(fetch)
    app.command("show")(show)


def fetch(
    corpus: CorpusOption,
    identifiers: Annotated[
        list[str] | None,
        typer.Argument(help="DOIs (any common spelling), PMIDs or PMCIDs.", show_default=False),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", help="A file with one identifier per line (# starts a comment)."),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Use only the corpus and the HTTP cache.")
    ] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Ask the sources again instead of the cache.")
    ] = False,
    mailto: Annotated[
        str | None,
        typer.Option(
            "--mailto",
            help="Your e-mail, sent to the APIs for their polite pools "
            "(default: $APPRAISE_MAILTO).",
        ),
    ] = None,
) -> None:
    """Fetch study records from Crossref, OpenAlex, Europe PMC and PubMed into the corpus."""
    from appraise.sources import fetch_records

    wanted = list(identifiers or [])
    if from_file is not None:
        wanted += _identifiers_in(from_file)
    if not wanted:
        raise InputError(
            "no identifiers given", fix="e.g. appraise fetch 10.1111/bjc.12259, or --from ids.txt"
        )
    report = fetch_records(
        wanted, open_corpus(corpus), offline=offline, refresh=refresh, mailto=mailto
    )
    _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _identifiers_in(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in read_text(path).splitlines())
    return [line for line in lines if line]


def _print_report(report: FetchReport) -> None:
    for saved in report.saved:
        record = saved.record
        how = "in corpus" if saved.from_corpus else "saved"
        title = record.title or "(no title)"
        console.print(f"{how}: {record.id}  {record.label}: {title}", markup=False, soft_wrap=True)
        for note in saved.notes:
            err_console.print(f"  note: {record.id}: {note}", markup=False, soft_wrap=True)
    problems = [(f.identifier, f.reason) for f in report.failures]
    problems += [
        (s.identifier, "saved without " + "; ".join(s.problems)) for s in report.incomplete
    ]
    total = len(report.saved) + len(report.failures)
    err_console.print(
        f"{len(report.saved)} of {total} record(s) saved; "
        f"{report.network_requests} network request(s)",
        markup=False,
    )
    if problems:
        err_console.print(f"{len(problems)} problem(s):", markup=False)
        for identifier, reason in problems:
            err_console.print(f"  {identifier}: {reason}", markup=False, soft_wrap=True)


def show(
    identifier: Annotated[str, typer.Argument(help="DOI, PMID or PMCID of a stored record.")],
    corpus: CorpusOption,
    as_json: JsonOption = False,
) -> None:
    """Show a stored study record, where each field came from, and its appraisals."""
    store = open_corpus(corpus)
    record = store.read_record(identifier)
    appraisals = _appraisals(store, record)
    if as_json:
        emit_json({**record.model_dump(mode="json"), "appraisals": appraisals})
        return
    _render(record, appraisals)


def _appraisals(store: Corpus, record: StudyRecord) -> list[dict[str, Any]]:
    from appraise.appraisals import final_overall

    return [
        {
            "rubric": s.appraisal.rubric,
            "result": s.appraisal.result.label,
            "reviewer": s.appraisal.reviewer,
            "status": s.appraisal.status,
            "overall": final_overall(s.appraisal),
            "path": str(s.path),
        }
        for s in store.iter_appraisals(study=record.id)
    ]


def _render(record: StudyRecord, appraisals: list[dict[str, Any]]) -> None:
    def line(label: str, value: object, field: str | None = None) -> None:
        if value in (None, "", []):
            return
        origin = record.sources.get(field or "")
        suffix = f"  [dim]({origin})[/dim]" if origin else ""
        console.print(f"[bold]{label}:[/bold] {escape(str(value))}{suffix}")

    console.print(f"[bold]{escape(record.title or '(no title)')}[/bold]")
    names = [a.display for a in record.authors[:_SHOWN_AUTHORS]]
    more = len(record.authors) - _SHOWN_AUTHORS
    line("Authors", "; ".join(names) + (f"; and {more} more" if more > 0 else ""), "authors")
    where = ", ".join(str(p) for p in (record.journal, record.year, record.volume) if p)
    line("Published", where, "journal")
    ids = ", ".join(
        f"{k} {v}"
        for k, v in (("doi", record.doi), ("pmid", record.pmid), ("pmcid", record.pmcid))
        if v
    )
    line("Ids", ids)
    line("Type", ", ".join(record.publication_types) or record.type, "publication_types")
    if record.is_retracted:
        console.print("[bold red]RETRACTED[/bold red]  (openalex)")
    line(
        "Open access",
        {True: "yes", False: "no"}.get(record.is_open_access),  # type: ignore[arg-type]
        "is_open_access",
    )
    line(
        "Trial registrations",
        ", ".join(f"{r.id} ({r.registry})" for r in record.trial_registrations),
        "trial_registrations",
    )
    line(
        "Funders",
        "; ".join(
            f.name + (f" ({', '.join(f.awards)})" if f.awards else "") for f in record.funders
        ),
        "funders",
    )
    line("Conflicts of interest", record.coi_statement, "coi_statement")
    with_doi = sum(1 for r in record.references if r.doi)
    if record.references:
        line("References", f"{len(record.references)} ({with_doi} with a DOI)", "references")
    if record.sections:
        kinds = sorted({s.kind for s in record.sections})
        line("Full text", f"{len(record.sections)} sections ({', '.join(kinds)})", "sections")
    if record.abstract:
        console.print(f"\n[bold]Abstract[/bold]  [dim]({record.sources.get('abstract')})[/dim]")
        console.print(escape(record.abstract))
    if appraisals:
        console.print("\n[bold]Appraisals[/bold]")
        for a in appraisals:
            console.print(
                f"  {a['rubric']} / {a['result']} / {a['reviewer']} ({a['status']}): "
                f"{a['overall'] or 'incomplete'}",
                markup=False,
            )
    fetched = ", ".join(
        f"{name} {r.when:%Y-%m-%d} ({r.status})" for name, r in record.retrieved.items()
    )
    if fetched:
        console.print(f"\n[dim]Retrieved: {escape(fetched)}[/dim]")
