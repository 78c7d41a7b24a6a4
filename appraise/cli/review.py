"""`appraise assess | agree | consensus | check | methods`: the reviewer's day at the terminal.

A thin renderer over appraise.review: the session object decides what is asked and saves
after every answer; this module shows the study, the proposals and their quotes, and reads
replies.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from appraise.cli.common import CorpusOption, JsonOption, console, emit_json, err_console, note
from appraise.corpus import Corpus
from appraise.errors import InputError, NotFoundError
from appraise.models import Answer, Judgement, StudyRecord
from appraise.review.session import AssessSession, Step, match_option
from appraise.rubrics import load_rubric

if TYPE_CHECKING:
    from appraise.review.agreement import PairAgreement

RubricOption = Annotated[
    str, typer.Option("--rubric", "-r", help="Rubric id (rob2, rob1, robins-i, psychotherapy).")
]
OptionalRubric = Annotated[
    str | None, typer.Option("--rubric", "-r", help="Only this rubric (default: every rubric).")
]

HELP_LINE = (
    "Enter accepts the default · type an answer to change it · c TEXT adds a comment · "
    "q TEXT adds a verbatim quote · b goes back · s saves and quits · ? shows this"
)


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
    app.command("agree")(agree)
    app.command("consensus")(consensus)
    app.command("check")(check)
    app.command("methods")(methods)


def _default_reviewer() -> str:
    return os.environ.get("APPRAISE_REVIEWER") or getpass.getuser()


def _record_for(identifier: str, corpus: Corpus) -> StudyRecord:
    """The study's record from the corpus, else fetched (and kept in the corpus)."""
    record = corpus.find_record(identifier)
    if record is not None:
        return record
    from appraise.sources import fetch_record

    return fetch_record(identifier, corpus)


def _attached_document(corpus: Corpus, study: str) -> Path | None:
    """The full text attached earlier with --text, so a resumed appraisal reads it again."""
    from appraise.ids import file_stem

    if not corpus.documents_dir.is_dir():
        return None
    return next(iter(sorted(corpus.documents_dir.glob(f"{file_stem(study)}.*"))), None)


def assess(
    identifier: Annotated[str, typer.Argument(help="The study: DOI, PMID or PMCID.")],
    rubric: RubricOption,
    corpus: CorpusOption,
    result: Annotated[
        str | None,
        typer.Option("--result", help='The result appraised: "outcome, time point" (RoB 2).'),
    ] = None,
    reviewer: Annotated[
        str | None,
        typer.Option("--reviewer", help="Your name. Default: $APPRAISE_REVIEWER, else your login."),
    ] = None,
    effect: Annotated[
        str | None, typer.Option("--effect", help="RoB 2 effect: assignment or adhering.")
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="Rubric profile: cochrane or metapsy.")
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Record the proposals unconfirmed; ask nothing.")
    ] = False,
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="JSON/YAML {question: answer}, taken as your answers."),
    ] = None,
    text: Annotated[
        Path | None,
        typer.Option("--text", help="The study's full text (PDF, JATS XML, text) to read."),
    ] = None,
    revise: Annotated[
        bool, typer.Option("--revise", help="Walk every step again, your answers as defaults.")
    ] = False,
) -> None:
    """Appraise one study: confirm or change each proposed answer, then each judgement."""
    from appraise.files import read_data
    from appraise.review.proposals import evidence_proposals, study_document

    name = (reviewer or _default_reviewer()).strip()
    if not name or name.lower() == "consensus":
        raise InputError(
            f"'{name}' cannot be a reviewer's name",
            fix="give your own name with --reviewer (`appraise consensus` writes the consensus)",
        )
    store = Corpus(corpus)
    record = _record_for(identifier, store)
    document = study_document(record, text or _attached_document(store, record.id))
    if text is not None:
        from appraise.documents import attach_document

        attach_document(store, record.id, text)
    _show_study(record)
    if result and load_rubric(rubric).unit == "study":
        note(f"{rubric} appraises whole studies: --result is not used")
    session = AssessSession.open(
        store,
        record.id,
        rubric,
        reviewer=name,
        result=result,
        profile=profile,
        options={"effect": effect} if effect else None,
        record=record,
        document=document,
        proposer=evidence_proposals,
        revise=revise,
    )
    if answers is not None:
        given = read_data(answers)
        if not isinstance(given, dict):
            raise InputError(
                f"{answers}: expected a mapping of question ids to answers",
                fix='e.g. {"1.1": "Y", "1.2": {"answer": "PN", "comment": "..."}}',
            )
        session.apply_answers(given, where=str(answers))
    elif not no_input:
        _walk(session)
    _show_summary(session)


def _show_study(record: StudyRecord) -> None:
    console.print(f"[bold]{escape(record.label)}[/bold]  {escape(record.id)}")
    if record.title:
        console.print(escape(record.title))
    where = ", ".join(str(p) for p in (record.journal, record.year, record.type) if p)
    if where:
        console.print(f"[dim]{escape(where)}[/dim]")
    for reg in record.trial_registrations:
        console.print(f"registered: {escape(reg.registry)} {escape(reg.id)}")
    console.print(
        "conflicts of interest: " + escape(record.coi_statement or "(no statement found)")
    )


def _walk(session: AssessSession) -> None:
    console.print(f"[dim]{HELP_LINE}[/dim]")
    shown_domain: str | None = None
    while (step := session.current) is not None:
        if step.domain and step.domain != shown_domain:
            console.rule(f"{step.domain} {escape(session.domain_name(step.domain))}")
            shown_domain = step.domain
        _show_step(step)
        choices = "/".join(step.options)
        default = f" (Enter = {step.default})" if step.default else ""
        label = "judgement" if step.kind in ("judgement", "overall") else step.id
        reply = typer.prompt(f"{label} [{choices}]{default}", default="", show_default=False)
        command, _, rest = reply.strip().partition(" ")
        try:
            if reply.strip() == "?":
                console.print(HELP_LINE)
            elif command.lower() == "s" and not rest:
                break
            elif command.lower() == "b" and not rest:
                if not session.back():
                    console.print("(this is the first step)")
            elif command.lower() == "c":
                session.comment(rest or typer.prompt("comment"))
                console.print("[dim]comment kept[/dim]")
            elif command.lower() == "q":
                quote = session.quote(rest or typer.prompt("quote (verbatim)"))
                found = (
                    f"found in {quote.section}"
                    if quote.start is not None
                    else "not found in the text we have; kept as typed"
                )
                console.print(f"[dim]quote kept ({found})[/dim]")
            elif step.kind in ("judgement", "overall"):
                _decide(session, step.options, reply)
            else:
                session.answer(reply or None)
        except InputError as exc:
            err_console.print(f"  {exc}", markup=False)


def _decide(session: AssessSession, options: tuple[str, ...], reply: str) -> None:
    step = session.current
    assert step is not None and step.judgement is not None
    if not reply.strip():
        session.accept()
        return
    label = match_option(reply, options, "the judgement")
    reason = ""
    if label != step.judgement.proposed:
        while not reason.strip():
            reason = typer.prompt(f"why {label} rather than {step.judgement.proposed}? (required)")
    session.override(label, reason)


def _show_step(step: Step) -> None:
    if step.kind in ("judgement", "overall"):
        j = step.judgement
        assert j is not None
        console.print(f"[bold]{escape(step.text)}[/bold]")
        console.print(
            f"  the rules propose: [bold]{escape(j.proposed or 'no judgement')}[/bold]"
            f"  [dim]{escape(j.rule or '')}[/dim]"
        )
        if j.support:
            console.print(f"  [dim]{escape(j.support)}[/dim]")
        for who, alt in step.alternatives.items():
            if not isinstance(alt, Judgement):
                continue
            final = alt.judgement or alt.proposed or "no judgement"
            why = alt.override_reason
            console.print(
                f"  {escape(who)}: {escape(final)}"
                + (f" [dim](override: {escape(why)})[/dim]" if why else "")
            )
        return
    console.print(f"[bold]{escape(step.id)}[/bold] {escape(step.text)}")
    if step.guidance:
        console.print(f"  [dim]{escape(step.guidance)}[/dim]")
    if step.note:
        console.print(f"  no proposal [dim]({escape(step.note)})[/dim]")
    shown = step.current if step.current is not None and step.current.confirmed else None
    if step.proposal is not None:
        p = step.proposal
        about = ", ".join(
            x
            for x in (
                f"confidence {p.confidence:.2f}" if p.confidence is not None else "",
                f"detector {p.detector}" if p.detector else "",
            )
            if x
        )
        console.print(
            f"  proposed: [bold]{escape(p.answer)}[/bold]"
            + (f"  [dim]({escape(about)})[/dim]" if about else "")
        )
    answer = shown or step.proposal
    if answer is not None:
        for quote in answer.quotes:
            where = f" — {quote.section}" if quote.section else ""
            console.print(f"    [italic]“{escape(quote.text)}”[/italic][dim]{escape(where)}[/dim]")
        if answer.comment:
            console.print(f"    [dim]{escape(answer.comment)}[/dim]")
    if shown is not None:
        console.print(f"  your answer so far: [bold]{escape(shown.answer)}[/bold]")
    answers = {who: alt for who, alt in step.alternatives.items() if isinstance(alt, Answer)}
    quoted: set[str] = set()  # each side's quotes under its answer; a quote both cite, once
    for who, alt in answers.items():
        note = f"  [dim]{escape(alt.comment)}[/dim]" if alt.comment else ""
        console.print(f"  {escape(who)}: [bold]{escape(alt.answer)}[/bold]{note}")
        for quote in alt.quotes:
            if quote.text not in quoted:
                quoted.add(quote.text)
                console.print(f"    [italic]“{escape(quote.text)}”[/italic]")


def _show_summary(session: AssessSession) -> None:
    table = Table("domain", "judgement", "support: answers (? = not confirmed)", title="Appraisal")
    for row in session.summary():
        if row.judgement is None:
            shown = (
                f"{row.proposed} (proposed, not confirmed)"
                if row.proposed
                else ("incomplete: " + ", ".join(row.missing) if row.missing else "not decided")
            )
        elif row.override_reason and row.judgement != row.proposed:
            shown = f"{row.judgement} (overrides {row.proposed}: {row.override_reason})"
        else:
            shown = row.judgement
        name = row.domain if row.domain == row.name else f"{row.domain} {row.name}"
        table.add_row(escape(name), escape(shown), escape(row.answers or row.support))
    console.print(table)
    status = session.appraisal.status
    left = session.unanswered()
    detail = (
        ""
        if status == "complete"
        else (
            f"; {len(left)} question(s) still to confirm: {', '.join(left)}"
            if left
            else "; judgements still to confirm"
        )
    )
    console.print(f"saved: {session.path} ({status}{detail})", markup=False, soft_wrap=True)
    console.print("[dim]the file keeps each answer's quotes and comments[/dim]")


def agree(
    corpus: CorpusOption,
    rubric: OptionalRubric = None,
    as_json: JsonOption = False,
) -> None:
    """Agreement between reviewers: percent, Cohen's, prevalence-adjusted and weighted kappa,
    Gwet's AC1."""
    from appraise.review.agreement import agreement
    from appraise.rubrics import rubric_ids

    store = Corpus(corpus)
    used = sorted({s.appraisal.rubric for s in store.iter_appraisals()} & set(rubric_ids()))
    reports = [agreement(store, r) for r in ([rubric] if rubric else used)]
    if not reports:
        raise InputError(
            f"no appraisals in {store.root}",
            fix="appraise studies with `appraise assess ID --rubric R` first",
        )
    if as_json:
        emit_json([r.to_json() for r in reports] if len(reports) > 1 else reports[0].to_json())
        return
    for report in reports:
        if not report.pairs:
            console.print(f"{report.rubric}: no study was appraised by two reviewers", markup=False)
            continue
        for pair in report.pairs:
            _show_pair(report.rubric, pair)


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _show_pair(rubric: str, pair: PairAgreement) -> None:
    first, second = pair.reviewers
    table = Table(
        "domain",
        "n",
        "agreement %",
        "Cohen's kappa",
        "prevalence-adjusted",
        "Gwet's AC1",
        "weighted kappa",
        title=f"{rubric}: {first} and {second}",
    )
    notes = []
    for domain, stats in pair.rows.items():
        table.add_row(
            domain,
            str(stats.n),
            _number(stats.percent, 1),
            _number(stats.kappa),
            _number(stats.prevalence_adjusted),
            _number(stats.ac1),
            _number(stats.weighted_kappa),
        )
        if stats.note:
            notes.append(f"{domain}: {stats.note}")
    console.print(table)
    if pair.warning:
        err_console.print(f"warning: {pair.warning}", markup=False)
    for text in notes:
        console.print(f"  {text}", markup=False)
    if pair.disagreements:
        listing = Table(title="disagreements")
        listing.add_column("study", overflow="fold")
        for header in ("result", "domain", first, second):
            listing.add_column(header)
        for d in pair.disagreements:
            listing.add_row(
                escape(d.study),
                escape(d.result),
                d.domain,
                d.judgements[first],
                d.judgements[second],
            )
        console.print(listing)
    else:
        console.print("  no disagreements")


def consensus(
    identifier: Annotated[str, typer.Argument(help="The study: DOI, PMID or PMCID.")],
    rubric: RubricOption,
    corpus: CorpusOption,
    reviewers: Annotated[
        list[str] | None,
        typer.Option("--reviewers", help="The two reviewers: ann,bob (or repeat the option)."),
    ] = None,
    result: Annotated[
        str | None, typer.Option("--result", help='The result: "outcome, time point".')
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="JSON/YAML answers for the disagreements; ask nothing."),
    ] = None,
) -> None:
    """Build the consensus of two appraisals, asking only about their disagreements."""
    from appraise.files import read_data
    from appraise.ids import parse_identifier
    from appraise.review.consensus import consensus_session

    store = Corpus(corpus)
    record = store.find_record(identifier)
    study = record.id if record else str(parse_identifier(identifier))
    names = [n for raw in reviewers or [] for n in raw.replace(",", " ").split()]
    session = consensus_session(store, study, rubric, reviewers=names or None, result=result)
    open_steps = len(session.unanswered())
    console.print(
        f"consensus for {study}: {escape(session.appraisal.notes or '')} "
        f"{open_steps} question(s) to settle"
    )
    if answers is not None:
        given = read_data(answers)
        if not isinstance(given, dict):
            raise InputError(
                f"{answers}: expected a mapping of question ids to answers",
                fix='e.g. {"1.2": "PY", "domains": {"D4": "High"}}',
            )
        session.apply_answers(given, where=str(answers))
    else:
        _walk(session)
    _show_summary(session)


def check(corpus: CorpusOption, as_json: JsonOption = False) -> None:
    """Validate every record, appraisal, document and claim in the corpus."""
    from appraise.review.check import check_corpus

    store = Corpus(corpus)
    if not store.root.is_dir():
        raise NotFoundError(f"no corpus folder at {store.root}", fix="give it with --corpus DIR")
    problems = check_corpus(store)
    errors = [p for p in problems if p.severity == "error"]
    if as_json:
        emit_json({"ok": not errors, "problems": [p.to_json() for p in problems]})
    else:
        for problem in problems:
            stream = console if problem.severity == "error" else err_console
            prefix = "" if problem.severity == "error" else "warning: "
            stream.print(f"{prefix}{problem}", markup=False, soft_wrap=True)
        records, appraisals = len(store.record_paths()), len(store.appraisal_paths())
        summary = f"{records} records, {appraisals} appraisals"
        warnings = len(problems) - len(errors)
        tail = f", {warnings} warning(s)" if warnings else ""
        if errors:
            console.print(f"{len(errors)} problem(s) in {summary}{tail}", markup=False)
        else:
            console.print(f"ok: {summary} checked{tail}", markup=False)
    if errors:
        raise typer.Exit(1)


def methods(corpus: CorpusOption, rubric: OptionalRubric = None) -> None:
    """Print a ready-to-paste methods paragraph (PRISMA 2020 item 11)."""
    from appraise.review.methods import methods_paragraph

    typer.echo(methods_paragraph(Corpus(corpus), rubric))
