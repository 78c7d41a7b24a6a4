"""The docs keep up with the CLI, in the manner of sqlite-utils' test_docs: every command and
every option appears in README.md or docs/*.md, and every --help shows real placeholders and
ends with an example of the command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer

from appraise.cli.main import app, main

ROOT = Path(__file__).resolve().parents[1]
DOCS = "\n".join(
    path.read_text(encoding="utf-8")
    for path in [ROOT / "README.md", *sorted(ROOT.glob("docs/*.md"))]
)
# What typer shows when a parameter has no placeholder of its own.
TYPE_PLACEHOLDER = re.compile(r"<[a-z]+(\[[^\]]*\])?>|\[\[|\{[a-z_]+\}")


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, command)] if path else []
    for name, sub in getattr(command, "commands", {}).items():
        found += _commands(sub, (*path, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))
LEAVES = [(path, c) for path, c in COMMANDS if not hasattr(c, "commands")]
OPTIONS = sorted(
    {
        (" ".join(path), opt)
        for path, c in LEAVES
        for param in c.params
        if not getattr(param, "hidden", False)
        for opt in param.opts
        if opt.startswith("--") and opt != "--help"
    }
)


def _help(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> str:
    assert main([*path, "--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_command_is_documented(path: tuple[str, ...]) -> None:
    assert f"appraise {' '.join(path)}" in DOCS


@pytest.mark.parametrize(("command", "option"), OPTIONS, ids=[f"{c} {o}" for c, o in OPTIONS])
def test_every_option_is_documented(command: str, option: str) -> None:
    assert re.search(rf"{re.escape(option)}\b", DOCS), f"{option} of `appraise {command}`"


@pytest.mark.parametrize(
    "path", [(), *[p for p, _ in COMMANDS]], ids=lambda p: " ".join(p) or "appraise"
)
def test_every_help_has_placeholders_and_an_example(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    text = _help(path, capsys)
    assert TYPE_PLACEHOLDER.findall(text) == []
    example = re.search(r"Example: (appraise [^\n]+)", text)
    assert example, f"`appraise {' '.join(path)} --help` has no example"
    assert example.group(1).startswith(" ".join(("appraise", *path)))


def test_every_recorded_run_the_docs_cite_is_committed() -> None:
    # A figure is only as good as the run behind it: every results file the docs name must exist.
    docs = DOCS + (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"recorded-[a-z0-9-]+\.(?:json|txt)", docs))
    missing = sorted(n for n in cited if not (ROOT / "benchmarks" / "results" / n).exists())
    assert not missing, f"cited in the docs but not in benchmarks/results/: {missing}"
