"""appraise/files.py: atomic writes keep the user's umask for new files and an existing file's
own mode, so a shared corpus stays readable by the team."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from appraise.corpus import Corpus
from appraise.files import atomic_write_text, current_umask, make_temp_dir


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_follows_the_umask(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "a" / "b.yaml"
    atomic_write_text(target, "x: 1\n")
    assert _mode(target) == 0o644 and _mode(target.parent) == 0o755
    os.umask(0o027)
    other = tmp_path / "c.yaml"
    atomic_write_text(other, "x: 1\n")
    assert _mode(other) == 0o640
    assert current_umask() == 0o027


def test_a_rewrite_keeps_the_files_mode(tmp_path: Path, umask_022: None) -> None:
    shared = tmp_path / "shared.yaml"
    shared.write_text("x: 1\n")
    shared.chmod(0o664)
    atomic_write_text(shared, "x: 2\n")
    assert _mode(shared) == 0o664 and shared.read_text() == "x: 2\n"
    private = tmp_path / "private.yaml"
    private.write_text("x: 1\n")
    private.chmod(0o600)
    atomic_write_text(private, "x: 2\n")
    assert _mode(private) == 0o600


def test_corpus_writes_are_readable_by_the_team(tmp_path: Path, umask_022: None) -> None:
    corpus = Corpus(tmp_path / "corpus")
    corpus.write_text(corpus.claims_path, "claims: []\n")
    assert _mode(corpus.claims_path) == 0o644


def test_temporary_output_folders_follow_the_umask(tmp_path: Path, umask_022: None) -> None:
    assert _mode(make_temp_dir(".out-", tmp_path)) == 0o755
