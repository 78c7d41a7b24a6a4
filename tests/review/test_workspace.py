"""Which corpus a command works on: found as git finds a repository, else one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraise.app.workspace import discover_corpus, open_corpus
from appraise.cli.main import main
from tests.conftest import ROOT


@pytest.fixture
def mine(tmp_path: Path) -> Path:
    root = tmp_path / "mine"
    (root / "records").mkdir(parents=True)
    (root / "corpus.yaml").write_text("name: mine\n", encoding="utf-8")
    return root


def test_the_current_folder_or_a_parent_is_found(
    mine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = mine / "appraisals" / "somewhere"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert discover_corpus() == mine.resolve()
    assert open_corpus().root == mine.resolve()


def test_corpus_option_beats_the_environment_which_beats_discovery(
    mine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    monkeypatch.chdir(mine)
    monkeypatch.setenv("APPRAISE_CORPUS", str(other))
    assert open_corpus().root == other
    assert open_corpus(mine).root == mine


def test_no_corpus_found_is_one_line_naming_the_shipped_corpora(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["agree"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "no corpus here" in err and "APPRAISE_CORPUS" in err
    assert "corpus/iapt" in err and "corpus/metapsy-ptsd" in err


def test_check_outside_a_corpus_is_refused_not_ok(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "just-a-folder"
    empty.mkdir()
    monkeypatch.chdir(empty)
    assert main(["check"]) == 2
    captured = capsys.readouterr()
    assert "ok:" not in captured.out and "no corpus here" in captured.err
    assert main(["check", "--corpus", str(empty)]) == 2
    assert "is not a corpus" in capsys.readouterr().err


def test_show_from_the_repository_root_names_the_corpus_that_holds_the_study(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["show", "10.1111/bjc.12259"]) == 2
    err = capsys.readouterr().err
    assert "is in the shipped corpus corpus/iapt: add --corpus corpus/iapt" in err
    assert main(["show", "10.1111/bjc.12259", "--corpus", "corpus/iapt"]) == 0
    assert "Improving Access to Psychological Therapies" in capsys.readouterr().out


def test_the_hint_holds_after_a_plain_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `pip install .` puts the package in site-packages, with no corpus/ beside it: the
    # clone's corpus/ folder, where the README's commands run, is named instead.
    import appraise.app.workspace as workspace

    monkeypatch.setattr(workspace, "SHIPPED_CORPORA", tmp_path / "site-packages" / "corpus")
    monkeypatch.chdir(ROOT)
    assert main(["show", "10.1111/bjc.12259"]) == 2
    assert "add --corpus corpus/iapt" in capsys.readouterr().err
