"""Shared test fixtures.

Tests that use the recorded API responses and data in ../shared skip, with the reason, when
the project is cloned on its own; everything else runs on small inputs written here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from appraise.corpus import Corpus

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("APPRAISE_SHARED", ROOT.parent / "shared")).resolve()
SHARED_REASON = (
    f"needs the shared fixtures at {SHARED} (the ../shared folder beside the project; "
    "set APPRAISE_SHARED to point elsewhere)"
)


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the calling test with a clear reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(SHARED_REASON)
    return path


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(SHARED_REASON)
    return SHARED


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    """An empty corpus in a temporary folder."""
    return Corpus(tmp_path / "corpus")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the user's corpus, cache or contact address, or reaches the network."""
    for name in list(os.environ):
        if name.startswith("APPRAISE_") and name != "APPRAISE_SHARED":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APPRAISE_CACHE_DIR", str(tmp_path / "http-cache"))
    monkeypatch.setenv("COLUMNS", "120")
