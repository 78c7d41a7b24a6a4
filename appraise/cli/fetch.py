"""`appraise fetch ID...` saves merged study records; `appraise show ID` prints one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from appraise.cli.common import (
    CorpusOption,
    JsonOption,
    command,
    console,
    emit_json,
    err_console,
    progress_bar,
)

if TYPE_CHECKING:
    from appraise.models import StudyRecord
    from appraise.sources import FetchReport, Saved
    from appraise.sources.reflist import ReferenceList

_SHOWN_AUTHORS = 8


def register(app: typer.Typer) -> None:
    command(app, "fetch", "appraise fetch --from refs.ris -c corpus/iapt --mailto you@example.org")(
        fetch
    )
    command(app, "show", "appraise show 10.1111/bjc.12259 -c corpus/iapt")(show)


def fetch(
    corpus: CorpusOption,
    identifiers: Annotated[
        list[str] | None,
        typer.Argument(
            help="DOIs (any common spelling), PMIDs or PMCIDs, "
            "e.g. 10.1111/bjc.12259 PMID:28731372.",
            metavar="ID",
            show_default=False,
        ),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from",
            metavar="FILE",
            help="A reference list: RIS, BibTeX, CSL-JSON, PubMed MEDLINE (.nbib), or one "
            "identifier per line (# starts a comment). Items without a DOI or PMID are listed.",
        ),
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
            metavar="EMAIL",
            help="Your e-mail, sent to the APIs for their polite pools "
            "(default: $APPRAISE_MAILTO).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch study records from Crossref, OpenAlex, Europe PMC and PubMed into the corpus."""
    from appraise.app.fetch import fetch as fetch_into

    with progress_bar("fetching", show=not as_json) as progress:
        result = fetch_into(
            identifiers,
            from_file=from_file,
            corpus=corpus,
            offline=offline,
            refresh=refresh,
            mailto=mailto,
            progress=progress,
        )
    if as_json:
        emit_json(_as_json(result.report, result.listing, result.source))
    else:
        _print_report(result.report, result.listing, result.source)
    if not result.ok:
        raise typer.Exit(1)


def _status(saved: Saved) -> str:
    if saved.from_corpus:
        return "in corpus"
    return "saved" if saved.written else "unchanged"


def _as_json(report: FetchReport, listing: ReferenceList, where: str) -> dict[str, Any]:
    return {
        "saved": [
            {
                "identifier": s.identifier,
                "id": s.record.id,
                "status": _status(s),
                "path": str(s.path),
                "title": s.record.title,
                "notes": s.notes,
                "problems": s.problems,
            }
            for s in report.saved
        ],
        "failures": [
            {"identifier": f.identifier, "reason": f.reason, "kind": f.kind}
            for f in report.failures
        ],
        "without_id": [f"{where}: {item}" for item in listing.without_id],
        "network_requests": report.network_requests,
        "unreachable": report.unreachable,
    }


def _print_report(report: FetchReport, listing: ReferenceList, where: str) -> None:
    for saved in report.saved:
        record = saved.record
        title = record.title or "(no title)"
        console.print(
            f"{_status(saved)}: {record.id}  {record.label}: {title}", markup=False, soft_wrap=True
        )
        for note in saved.notes:
            err_console.print(f"  note: {record.id}: {note}", markup=False, soft_wrap=True)
    for item in listing.without_id:
        err_console.print(
            f"  skipped: {where}: {item}: no DOI or PMID", markup=False, soft_wrap=True
        )
    problems = [(f.identifier, f.reason) for f in report.failures]
    problems += [
        (s.identifier, "saved without " + "; ".join(s.problems)) for s in report.incomplete
    ]
    total = len(report.saved) + len(report.failures)
    kept = len(report.saved) - len(report.written)
    summary = f"{len(report.written)} of {total} record(s) saved"
    if kept:
        summary += f"; {kept} already in the corpus as fetched"
    if listing.without_id:
        summary += f"; {len(listing.without_id)} item(s) without a DOI or PMID skipped"
    err_console.print(f"{summary}; {report.network_requests} network request(s)", markup=False)
    if problems:
        err_console.print(f"{len(problems)} problem(s):", markup=False)
        for identifier, reason in problems:
            err_console.print(f"  {identifier}: {reason}", markup=False, soft_wrap=True)
    if report.unreachable:
        reasons = set(report.unreachable.values())
        if len(reasons) == 1 and len(report.unreachable) > 1:  # the usual dead network
            dead = f"{', '.join(report.unreachable)} ({reasons.pop()})"
        else:
            dead = ", ".join(f"{name} ({why})" for name, why in report.unreachable.items())
        err_console.print(
            f"could not reach {dead}: check your connection, or use --offline (corpus and "
            "cache only) or a mirror (APPRAISE_<SOURCE>_URL)",
            markup=False,
            soft_wrap=True,
        )


def show(
    identifier: Annotated[
        str, typer.Argument(metavar="ID", help="DOI, PMID or PMCID of a stored record.")
    ],
    corpus: CorpusOption,
    as_json: JsonOption = False,
) -> None:
    """Show a stored study record, where each field came from, and its appraisals."""
    from appraise.app.fetch import show as show_record

    result = show_record(identifier, corpus)
    if as_json:
        emit_json(result.to_json())
        return
    _render(result.record, result.appraisals)


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
