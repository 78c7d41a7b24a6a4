"""`appraise rubric ...`: list, show, validate, schema, evaluate."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from appraise.cli.common import (
    EffectOption,
    JsonOption,
    ProfileOption,
    command,
    console,
    emit_json,
    group,
    note,
)
from appraise.models import OVERALL
from appraise.rubrics import Engine, load_rubric, load_rubric_file, rubric_ids, rubric_schema_text
from appraise.rubrics.engine import Evaluation

rubric_app = group(
    "Rubrics: list, show, validate, print the schema, evaluate answers.",
    "appraise rubric show rob2 --effect assignment",
)

RubricArg = Annotated[
    str,
    typer.Argument(
        metavar="RUBRIC",
        help="Rubric id (rob2, rob1, robins-i, psychotherapy, metapsy-rob) or file.",
    ),
]


def register(app: typer.Typer) -> None:
    app.add_typer(rubric_app, name="rubric")


@command(rubric_app, "list", "appraise rubric list --json")
def list_rubrics(as_json: JsonOption = False) -> None:
    """List the rubrics that ship with appraise."""
    rubrics = [load_rubric(rid) for rid in rubric_ids()]
    if as_json:
        emit_json(
            [
                {
                    "id": r.id,
                    "name": r.name,
                    "version": r.version,
                    "design": r.design,
                    "domains": len(r.domains_for()),
                    "scale": r.labels,
                    "profiles": r.profile_names,
                    "options": {k: o.choices for k, o in r.options.items()},
                }
                for r in rubrics
            ]
        )
        return
    table = Table("id", "version", "domains", "judgements", "profiles", "name")
    table.columns[0].no_wrap = True
    for r in rubrics:
        table.add_row(
            r.id,
            r.version,
            str(len(r.domains_for())),
            ", ".join(r.labels),
            ", ".join(r.profile_names),
            r.name,
        )
    console.print(table)


@command(rubric_app, "show", "appraise rubric show rob2 --effect assignment")
def show(
    rubric: RubricArg,
    effect: EffectOption = None,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a rubric's domains, questions (and when they apply) and rule tables."""
    rub = load_rubric(rubric)
    engine = Engine(rub, profile=profile, options=_options(effect))
    if as_json:
        emit_json(rub.model_dump(mode="json", exclude_none=True))
        return
    console.print(f"[bold]{rub.name}[/bold]  ({rub.id}, version {rub.version})")
    console.print(rub.citation)
    console.print(rub.description)
    console.print("Judgements: " + ", ".join(f"{lvl.label} ({lvl.symbol})" for lvl in rub.scale))
    if rub.options:
        console.print(
            "Options: "
            + "; ".join(
                f"{k}={engine.options[k]} (choices: {', '.join(o.choices)})"
                for k, o in rub.options.items()
            )
        )
    console.print(f"Profile: {engine.profile} (available: {', '.join(rub.profile_names)})")
    prof = rub.profiles.get(engine.profile)
    for dom in rub.domains_for(engine.options):
        console.print(f"\n[bold]{dom.id} {dom.name}[/bold]")
        for q in dom.questions:
            cond = f"  [dim](if {q.applies_if.describe()})[/dim]" if q.applies_if else ""
            console.print(f"  {q.id:>5}  {q.text}{cond}", markup=True)
        override = prof.domains.get(dom.id) if prof else None
        tables = {"": override.rules} if override else dom.rule_tables()
        for part, rules in tables.items():
            if part:
                console.print(f"  part {part}:")
            for i, r in enumerate(rules, 1):
                console.print(f"    rule {i}: {r.when.describe()} -> {r.then}", markup=False)
    overall = prof.overall if prof and prof.overall else rub.overall
    console.print(f"\n[bold]Overall[/bold]: {overall.description}")


@command(rubric_app, "validate", "appraise rubric validate rubrics/rob2.yaml")
def validate(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="A rubric file (.yaml or .json).")],
) -> None:
    """Check a rubric file against the schema and its own consistency rules."""
    rub = load_rubric_file(path)
    console.print(
        f"ok: {path} is a valid rubric ({rub.id} {rub.version}, {len(rub.domains)} domain tables)",
        markup=False,
    )


@command(rubric_app, "schema", "appraise rubric schema > rubric.schema.json")
def schema() -> None:
    """Print the rubric files' JSON Schema."""
    sys.stdout.write(rubric_schema_text())


@command(rubric_app, "evaluate", "appraise rubric evaluate rob2 --answers answers.json --json")
def evaluate(
    rubric: RubricArg,
    answers: Annotated[
        Path,
        typer.Option(
            "--answers",
            metavar="FILE",
            help="JSON/YAML: {question id: answer}, or an array of them.",
        ),
    ],
    effect: EffectOption = None,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Judge each domain and overall from a set (or an array of sets) of answers."""
    from appraise.app.answers import evaluate_answers

    evaluated = evaluate_answers(rubric, answers, effect=effect, profile=profile)
    batch = evaluated.batch
    results = [result for _, result in evaluated.results]
    notes_shown = 0
    for where, result in evaluated.results:
        for n in result.notes:
            if notes_shown < 20:
                note(f"{where + ': ' if batch else ''}{n.message}")
            notes_shown += 1
    if notes_shown > 20:
        note(f"... and {notes_shown - 20} more notes like these")
    if as_json:
        if batch:  # one compact result per line: still one JSON array, and fast for 100,000 sets
            lines = ",\n".join(json.dumps(r.to_json(), ensure_ascii=False) for r in results)
            sys.stdout.write(f"[\n{lines}\n]\n" if results else "[]\n")
        else:
            emit_json(results[0].to_json())
        return
    for index, result in enumerate(results):
        _render(result, title=f"set {index + 1}" if batch else None)


def _options(effect: str | None) -> dict[str, str]:
    return {"effect": effect} if effect else {}


def _render(result: Evaluation, title: str | None) -> None:
    table = Table("domain", "judgement", "rule that decided", title=title)
    for did, res in result.domains.items():
        decided = res.rule or ("missing: " + ", ".join(res.missing) if res.missing else "")
        table.add_row(did, res.judgement or "(incomplete)", decided)
    table.add_row(OVERALL, result.overall or "(incomplete)", result.overall_rule or "")
    console.print(table)
