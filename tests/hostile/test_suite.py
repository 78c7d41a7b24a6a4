"""The hostile-input suite (benchmarks/hostile_cases.py: JATS, PDF, YAML, JSON, CSV, HTTP,
identifiers, folders, claims) in CI: every hand-written case in one child process held to a
3 GB address space (RLIMIT_AS), so a bomb that slipped through would fail here rather than on
a user's machine. None may end in exit 70, a traceback or a crash, or lose a file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.timeout(600)
def test_every_hostile_case_under_a_memory_limit(tmp_path: Path) -> None:
    pytest.importorskip("pdfplumber")
    out = tmp_path / "hostile.json"
    script = ROOT / "benchmarks" / "hostile_cases.py"
    run = subprocess.run(
        [sys.executable, str(script), "--quick", "--in-process", "--json", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    result = json.loads(out.read_text())
    assert result["failures"] == [], run.stdout
    assert run.returncode == 0, run.stderr[-2000:]
    assert result["cases"] >= 100 and result["exit_70_or_crash"] == 0 and result["data_lost"] == 0
    assert set(result["by_family"]) >= {"JATS", "PDF", "YAML", "JSON", "CSV", "HTTP"}
