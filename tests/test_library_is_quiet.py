"""The library prints nothing: messages go back in result objects and progress through a
callback, and only appraise/cli writes to the terminal (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "appraise"
TERMINAL = re.compile(
    r"\bprint\(|\bConsole\(|\bfrom rich\b|\bimport rich\b|\bsys\.(stdout|stderr)\b|\btyper\b"
    r"|\btqdm\b|\bpprint\b"
)


def test_no_module_outside_the_cli_writes_to_the_terminal() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "cli" not in path.relative_to(PACKAGE).parts and path.name != "__main__.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TERMINAL.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []
