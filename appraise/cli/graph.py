"""`appraise trace`, `appraise claims` and `appraise graph export|draw`: which claims rest on
studies at high risk of bias (see docs/graph.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from appraise.cli.common import (
    CorpusOption,
    JsonOption,
    PaletteOption,
    RubricOption,
    command,
    console,
    emit_json,
    group,
    note,
)

if TYPE_CHECKING:
    from appraise.graph import ClaimTrace, TracedWork
    from appraise.models import Rubric

graph_app = group(
    "The citation graph: export it, or draw one claim's part of it.",
    "appraise graph export -o graph.graphml -c corpus/iapt",
)

ClaimArg = Annotated[
    str, typer.Argument(metavar="CLAIM", help="A claim id from the corpus's claims.yaml.")
]
MAX_TREE_LINES = 300


def register(app: typer.Typer) -> None:
    command(app, "trace", "appraise trace licbt-depression -c corpus/iapt --figure trace.png")(
        trace_command
    )
    command(app, "claims", "appraise claims -c corpus/iapt --json")(claims_command)
    app.add_typer(graph_app, name="graph")


def trace_command(
    claim: ClaimArg,
    corpus: CorpusOption,
    rubric: RubricOption = None,
    as_json: JsonOption = False,
    figure: Annotated[
        Path | None,
        typer.Option(
            "--figure", metavar="FILE", help="Also draw the trace to this .png, .svg or .pdf file."
        ),
    ] = None,
    palette: PaletteOption = "cochrane",
) -> None:
    """Trace a claim to the primary studies it rests on, with their risk of bias."""
    from appraise.app.graph import trace

    result = trace(claim, corpus=corpus, rubric=rubric, figure=figure, palette=palette)
    if as_json:
        emit_json(result.to_json())
    else:
        _print_trace(result.trace, result.rubric)
    if figure is not None:
        note(f"figure written to {figure}")


def claims_command(
    corpus: CorpusOption, rubric: RubricOption = None, as_json: JsonOption = False
) -> None:
    """List every claim with how much of its support is at high risk, worst first."""
    from rich.table import Table

    from appraise.app.graph import claims

    listing = claims(corpus, rubric)
    traces = listing.traces
    if as_json:
        emit_json(listing.to_json())
        return
    if not traces:
        note(f"{listing.claims_path} has no claims")
        return
    table = Table(
        "claim",
        "high/n",
        "wt",
        "paths hi/all",
        "survives",
        "repl.",
        "retr.",
        "ampl.",
        "bias",
        title=f"Claims, worst first ({traces[0].rubric})",
        caption="high/n: supporting studies at high risk / all; wt: share of the support's "
        "weight at high risk; paths: supportive citation paths ending at high risk / all; "
        "survives: a low-risk study remains without them; repl.: independent replication "
        "(Tolin 2015); retr.: retracted works; ampl.: share of supportive paths through works "
        "with no primary data; bias: weakening studies the source did not cite",
    )
    table.columns[0].overflow = "fold"
    table.columns[0].min_width = min(24, max((len(t.claim.id) for t in traces), default=5))
    for t in traces:
        s = t.summary()
        paths = s["supportive_paths"]
        table.add_row(
            t.claim.id,
            f"{s['by_category']['high']}/{s['supporting_studies']}",
            _pct(s["high_risk_share_of_weight"]),
            f"{_count(paths['high'])}/{_count(paths['total'])}",
            "yes" if s["survives_without_high_risk"] else "NO",
            s["independent_replication"]["status"],
            str(len(s["retracted"])),
            _pct(s["amplification"]["share"]),
            str(len(s["citation_bias"])),
        )
    console.print(table)


@command(graph_app, "export", "appraise graph export -o graph.graphml -c corpus/iapt")
def export_command(
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", help="File to write.")],
    corpus: CorpusOption,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="graphml, gexf, json, dot or mermaid. Default: from the output's extension.",
            show_default=False,
        ),
    ] = None,
    claim: Annotated[
        str | None,
        typer.Option("--claim", metavar="CLAIM", help="Only what this claim reaches."),
    ] = None,
    rubric: RubricOption = None,
    palette: PaletteOption = "cochrane",
    as_json: JsonOption = False,
) -> None:
    """Export the citation graph with every work's judgement as node attributes."""
    from appraise.app.graph import export_graph

    result = export_graph(
        output, corpus=corpus, fmt=fmt, claim=claim, rubric=rubric, palette=palette
    )
    if as_json:
        emit_json(result.to_json())
        return
    note(
        f"{result.format} written to {result.output} ({result.nodes} nodes, "
        f"{result.edges} citations in the corpus graph)"
    )


@command(
    graph_app, "draw", "appraise graph draw licbt-depression -o licbt-depression.svg -c corpus/iapt"
)
def draw_command(
    claim: ClaimArg,
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="A .png, .svg or .pdf file.")
    ],
    corpus: CorpusOption,
    rubric: RubricOption = None,
    palette: PaletteOption = "cochrane",
    as_json: JsonOption = False,
) -> None:
    """Draw a claim's trace: the claim at the top, its studies coloured and marked by judgement."""
    from appraise.app.graph import draw_claim

    result = draw_claim(claim, output, corpus=corpus, rubric=rubric, palette=palette)
    if as_json:
        emit_json(result.to_json())
        return
    note(f"figure written to {result.output}")


# --- rendering -------------------------------------------------------------------------------


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def _count(n: int) -> str:
    """Exact below a quadrillion; beyond, in scientific form (path counts grow exponentially)."""
    if n < 10**15:
        return f"{n:,}"
    digits = str(n)
    return f"{digits[0]}.{digits[1:3]}e{len(digits) - 1}"


def _describe(work: TracedWork, rubric: Rubric) -> str:
    """One work as rich markup: symbol, label, judgement and the domains that made it high."""
    from rich.markup import escape

    from appraise.graph.style import node_style

    style = node_style("work", work.role, work.judgement, work.terminal, rubric, "cochrane")
    parts = [escape(f"{style.symbol} {work.label}")]
    if work.role in ("review", "commentary"):
        parts.append(escape(f"[{work.role}]"))
    if work.terminal or work.weakens:
        judgement = work.judgement or ("not in corpus" if not work.in_corpus else "not appraised")
        parts.append(f"— [bold]{escape(judgement)}[/bold]")
    if work.high_domains:
        names = {d.id: d.short or d.name for d in rubric.domains}
        parts.append(
            escape(
                "(" + ", ".join(f"{d} {names.get(d, '')}".strip() for d in work.high_domains) + ")"
            )
        )
    if work.retracted:
        parts.append("[bold]RETRACTED[/bold]")
    if work.id != work.label:
        parts.append(f"[dim]{escape(work.id)}[/dim]")
    return " ".join(parts)


def _tree_lines(result: ClaimTrace, rubric: Rubric) -> Any:
    """The trace as a tree; a work reached again is shown once and then referred back to."""
    from rich.markup import escape
    from rich.tree import Tree

    works = {w.id: w for w in [*result.studies, *result.through]}
    children: dict[str, list[tuple[str, str]]] = {}
    for source, target, kind in result.edges:
        children.setdefault(source, []).append((target, kind))
    root_id = f"claim:{result.claim.id}"
    tree = Tree(f"[bold]claim {escape(result.claim.id)}[/bold]: {escape(result.claim.text)}")
    shown = {root_id}
    lines = 1
    stack: list[tuple[Tree, str]] = [(tree, root_id)]
    while stack:
        branch, node = stack.pop()
        expand: list[tuple[Tree, str]] = []
        for target, kind in children.get(node, []):
            lines += 1
            if lines > MAX_TREE_LINES:
                tree.add("[dim]… more (see --json for the whole trace)[/dim]")
                return tree
            prefix = "" if kind in ("supports", "cites") else f"[italic]{kind}[/italic] "
            work = works.get(target)
            if work is None or target in shown:  # None: the traced claim, cited in a cycle
                again = (
                    f"claim {result.claim.id}"
                    if work is None
                    else work.label
                    if work.role == "claim"
                    else f"{work.label} ({work.id})"
                )
                branch.add(f"{prefix}{escape(again)} [dim](expanded elsewhere)[/dim]")
                continue
            label = (
                f"claim {escape(work.label)}" if work.role == "claim" else _describe(work, rubric)
            )
            shown.add(target)
            expand.append((branch.add(prefix + label), target))
        stack.extend(reversed(expand))
    return tree


def _names(works: list[TracedWork], limit: int = 6) -> str:
    names = [w.label for w in works[:limit]]
    more = f" and {len(works) - limit} more" if len(works) > limit else ""
    return ", ".join(names) + more


def _print_trace(result: ClaimTrace, rubric: Rubric) -> None:
    from rich.table import Table

    from appraise.graph.build import made_in_text

    s = result.summary()
    console.print(f"made in: {made_in_text(result.claim)}", markup=False)
    console.print(_tree_lines(result, rubric))
    table = Table("", "", show_header=False, title=f"Judgements: {rubric.name}")
    table.columns[0].no_wrap = True
    n = s["supporting_studies"]
    by_judgement = ", ".join(f"{k} {v}" for k, v in s["by_judgement"].items()) or "none"
    table.add_row("supporting studies", f"{n} ({by_judgement})")
    table.add_row(
        "at high risk",
        f"{s['by_category']['high']} of {n} studies ({_pct(s['high_risk_share_of_studies'])}); "
        f"{_pct(s['high_risk_share_of_weight'])} of the support's weight ({s['weight_basis']})"
        if n
        else "no study supports the claim",
    )
    paths = s["supportive_paths"]
    table.add_row(
        "supportive citation paths",
        f"{_count(paths['total'])}: ending at high risk {_count(paths['high'])}, "
        f"some concerns {_count(paths['concerns'])}, low risk {_count(paths['low'])}, "
        f"unappraised {_count(paths['unappraised'])}",
    )
    remainder = result.low_risk_remainder
    table.add_row(
        "survives without high-risk studies",
        f"yes: {len(remainder)} low-risk stud{'y' if len(remainder) == 1 else 'ies'} "
        f"({_names(remainder)})"
        if remainder
        else "NO: no low-risk study supports it",
    )
    replication = result.replication
    table.add_row(
        "independent replication (Tolin 2015)",
        f"{replication.status}: {replication.reason}"
        + (f" ({', '.join(replication.studies)})" if replication.studies else ""),
    )
    weakening = result.weakening
    table.add_row(
        "weakening studies",
        f"{len(weakening)}"
        + (
            f" ({_names(weakening)}; {len(result.low_risk_weakening)} at low risk)"
            if weakening
            else ""
        ),
    )
    table.add_row("retracted on the way", _names(result.retracted) or "none")
    amplified = s["amplification"]
    secondary = result.secondary_works
    table.add_row(
        "amplification (Greenberg)",
        f"{_count(amplified['supportive_paths_through_secondary_works'])} of "
        f"{_count(paths['total'])} supportive paths ({_pct(amplified['share'])}) run "
        f"through {len(secondary)} work(s) with no primary data: {_names(secondary)}"
        if result.amplified_paths
        else "none shown by the data",
    )
    biased = [w for w in result.studies if w.id in set(result.citation_bias)]
    table.add_row(
        "citation bias (Greenberg)",
        f"{len(biased)} weakening stud{'y' if len(biased) == 1 else 'ies'} not cited by "
        f"the source: {_names(biased)}"
        if biased
        else "none shown by the data",
    )
    if s["cycles_condensed"]:
        table.add_row("citation cycles", f"{s['cycles_condensed']} (each counted as one node)")
    console.print(table)
    for remark in result.notes:
        note(remark)
