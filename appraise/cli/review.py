"""`appraise assess | agree | consensus | check | methods`: the reviewer's day at the terminal.

A thin renderer over appraise.review: the session object decides what is asked and saves
after every answer; this module shows the study, the proposals and their quotes, and reads
replies.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from appraise.cli.common import (
    CorpusOption,
    EffectOption,
    JsonOption,
    ProfileOption,
    RubricOption,
    command,
    console,
    emit_json,
    err_console,
    note,
)
from appraise.errors import InputError
from appraise.models import Answer, Judgement, StudyRecord
from appraise.review.session import AssessSession, Step, match_option

if TYPE_CHECKING:
    from appraise.review.agreement import PairAgreement

OptionalRubric = Annotated[
    str | None,
    typer.Option(
        "--rubric", "-r", metavar="RUBRIC", help="Only this rubric (default: every rubric)."
    ),
]

HELP_LINE = (
    "Enter accepts the default · type an answer to change it · c TEXT adds a comment · "
    "q TEXT adds a verbatim quote · b goes back · s saves and quits · ? shows this"
)


def register(app: typer.Typer) -> None:
    command(app, "assess", 'appraise assess 10.1111/bjc.12259 -r rob2 --result "PHQ-9, 8 weeks"')(
        assess
    )
    command(app, "agree", "appraise agree -c corpus/iapt -r rob2")(agree)
    command(app, "consensus", "appraise consensus 10.1111/bjc.12259 -r rob2 --reviewers ann,bob")(
        consensus
    )
    command(app, "check", "appraise check -c corpus/iapt")(check)
    command(app, "methods", "appraise methods -c corpus/iapt")(methods)


def assess(
    identifier: Annotated[str, typer.Argument(metavar="ID", help="The study: DOI, PMID or PMCID.")],
    corpus: CorpusOption,
    rubric: RubricOption = None,
    result: Annotated[
        str | None,
        typer.Option(
            "--result",
            metavar="RESULT",
            help='The result appraised: "outcome, time point" (RoB 2).',
        ),
    ] = None,
    reviewer: Annotated[
        str | None,
        typer.Option(
            "--reviewer",
            metavar="NAME",
            help="Your name. Default: $APPRAISE_REVIEWER, else your login.",
        ),
    ] = None,
    effect: EffectOption = None,
    profile: ProfileOption = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Record the proposals unconfirmed; ask nothing.")
    ] = False,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers", metavar="FILE", help="JSON/YAML {question: answer}, taken as your answers."
        ),
    ] = None,
    text: Annotated[
        Path | None,
        typer.Option(
            "--text", metavar="FILE", help="The study's full text (PDF, JATS XML, text) to read."
        ),
    ] = None,
    revise: Annotated[
        bool, typer.Option("--revise", help="Walk every step again, your answers as defaults.")
    ] = False,
) -> None:
    """Appraise one study: confirm or change each proposed answer, then each judgement."""
    from appraise.app.assess import start_assessment

    assessment = start_assessment(
        identifier,
        corpus=corpus,
        rubric=rubric,
        result=result,
        reviewer=reviewer,
        effect=effect,
        profile=profile,
        text=text,
        revise=revise,
        answers=answers,
    )
    assert assessment.record is not None
    _show_study(assessment.record)
    for message in assessment.notes:
        note(message)
    if answers is None and not no_input:
        _walk(assessment.session)
    _show_summary(assessment.session)


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
                if drafted := session.drafted():
                    err_console.print(
                        f"  kept as drafts until answered: what you typed on {', '.join(drafted)}",
                        markup=False,
                        soft_wrap=True,
                    )
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
    # What the file holds (the proposal with any quote or comment typed since), so a reviewer
    # who comes back to a question sees what they added.
    answer = step.current or step.proposal
    if answer is not None:
        for quote in answer.quotes:
            where = f" — {quote.section}" if quote.section else ""
            console.print(f"    [italic]“{escape(quote.text)}”[/italic][dim]{escape(where)}[/dim]")
        for line in (answer.comment or "").splitlines():
            if line.strip() and line != step.note:
                console.print(f"    [dim]{escape(line)}[/dim]")
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
    from appraise.app.agree import agree as measure

    result = measure(corpus, rubric)
    if as_json:
        emit_json(result.to_json())
        return
    for report in result.reports:
        if not report.pairs:
            console.print(f"{report.rubric}: no study was appraised by two reviewers", markup=False)
            continue
        for pair in report.pairs:
            _show_pair(report.rubric, pair)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


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
    identifier: Annotated[str, typer.Argument(metavar="ID", help="The study: DOI, PMID or PMCID.")],
    corpus: CorpusOption,
    rubric: RubricOption = None,
    reviewers: Annotated[
        list[str] | None,
        typer.Option(
            "--reviewers",
            metavar="NAMES",
            help="The two reviewers: ann,bob (or repeat the option).",
        ),
    ] = None,
    result: Annotated[
        str | None,
        typer.Option("--result", metavar="RESULT", help='The result: "outcome, time point".'),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            metavar="FILE",
            help="JSON/YAML answers for the disagreements; ask nothing.",
        ),
    ] = None,
) -> None:
    """Build the consensus of two appraisals, asking only about their disagreements."""
    from appraise.app.assess import start_consensus

    assessment = start_consensus(
        identifier,
        corpus=corpus,
        rubric=rubric,
        reviewers=reviewers,
        result=result,
        answers=answers,
    )
    session = assessment.session
    console.print(
        f"consensus for {escape(session.appraisal.study)}: "
        f"{escape(session.appraisal.notes or '')} "
        f"{assessment.open_steps} question(s) and {assessment.open_judgements} "
        "judgement(s) to settle"
    )
    if answers is None:
        _walk(session)
    _show_summary(session)


def check(corpus: CorpusOption, as_json: JsonOption = False) -> None:
    """Validate every record, appraisal, document and claim in the corpus."""
    from appraise.app.check import check as run_check

    result = run_check(corpus)
    if as_json:
        emit_json(result.to_json())
    else:
        for problem in result.problems:
            stream = console if problem.severity == "error" else err_console
            prefix = "" if problem.severity == "error" else "warning: "
            stream.print(f"{prefix}{problem}", markup=False, soft_wrap=True)
        summary = f"{_count(result.records, 'record')}, {_count(result.appraisals, 'appraisal')}"
        tail = f", {len(result.warnings)} warning(s)" if result.warnings else ""
        if result.errors:
            console.print(f"{len(result.errors)} problem(s) in {summary}{tail}", markup=False)
        else:
            console.print(f"ok: {summary} checked{tail}", markup=False)
    if not result.ok:
        raise typer.Exit(1)


def methods(
    corpus: CorpusOption, rubric: OptionalRubric = None, as_json: JsonOption = False
) -> None:
    """Print a ready-to-paste methods paragraph (PRISMA 2020 item 11)."""
    from appraise.app.methods import methods as write_methods

    result = write_methods(corpus, rubric)
    if as_json:
        emit_json(result.to_json())
    else:
        typer.echo(result.paragraph)
