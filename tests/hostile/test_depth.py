"""Data nested about a thousand levels deep, in every file a user or a server can hand us:
one line naming the file and exit 2 (or the record's own failure), never a RecursionError."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.errors import DataFileError
from appraise.files import TooDeepError, loads_json, parse_yaml, read_data
from appraise.sources.fetch import FetchIndex
from appraise.sources.jats import JatsError, parse_jats
from appraise.sources.reflist import read_reference_list
from tests.conftest import ROOT

DEEP_JSON = "[" * 1000 + "]" * 1000
DEEP_YAML = "key: " + "[" * 1000 + "]" * 1000 + "\n"


@pytest.fixture
def iapt(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "corpus" / "iapt", tmp_path / "iapt")
    return tmp_path / "iapt"


def _one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], where: Path) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert str(where) in err[0] and "nested more than 100 levels deep" in err[0]


def test_loaders_refuse_deep_yaml_and_json(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="nested more than 100"):
        parse_yaml(DEEP_YAML, "x.yaml")
    deep_file = tmp_path / "answers.json"
    deep_file.write_text(DEEP_JSON)
    with pytest.raises(DataFileError, match="answers.json: nested more than 100"):
        read_data(deep_file)
    with pytest.raises(TooDeepError):
        loads_json("[" * 100_000 + "]" * 100_000)
    assert loads_json("[[1]]") == [[1]]  # ordinary data passes


def test_yaml_alias_bomb_is_walked_once_per_node() -> None:
    """Billion laughs in YAML: nine levels of ten aliases each (10^9 leaves when expanded)."""
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    data = parse_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert len(data["a9"]) == 10


@pytest.mark.parametrize("kind", ["claims", "appraisal", "record"])
def test_deep_corpus_files_are_one_line_exit_2(
    iapt: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    if kind == "claims":
        path, argv = iapt / "claims.yaml", ["claims", "-c", str(iapt)]
    elif kind == "appraisal":
        path, argv = next((iapt / "appraisals").rglob("*.yaml")), ["table", "-c", str(iapt)]
    else:
        path = iapt / "records" / "10.1111_bjc.12259.yaml"
        argv = ["show", "10.1111/bjc.12259", "-c", str(iapt)]
    path.write_text(DEEP_YAML)
    _one_line_exit_2(capsys, argv, path)


def test_check_reports_a_deep_file_and_goes_on(
    iapt: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = iapt / "records" / "10.1111_bjc.12259.yaml"
    record.write_text(DEEP_YAML)
    assert main(["check", "-c", str(iapt)]) == 1
    out = capsys.readouterr().out
    assert "10.1111_bjc.12259.yaml" in out and "nested more than 100" in out


def test_deep_rubric_and_answers_files(
    iapt: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rubric = tmp_path / "deep-rubric.yaml"
    rubric.write_text(DEEP_YAML)
    _one_line_exit_2(capsys, ["rubric", "validate", str(rubric)], rubric)
    answers = tmp_path / "answers.json"
    answers.write_text(DEEP_JSON)
    argv = ["assess", "10.1111/bjc.12259", "--rubric", "rob2", "--answers", str(answers)]
    _one_line_exit_2(capsys, [*argv, "-c", str(iapt)], answers)


def test_deep_reference_list(tmp_path: Path) -> None:
    path = tmp_path / "refs.json"
    path.write_text(DEEP_JSON)
    with pytest.raises(DataFileError, match="nested more than 100"):
        read_reference_list(path)


def test_deep_fetch_index_is_ignored_not_fatal(iapt: Path) -> None:
    corpus = Corpus(iapt)
    corpus.state_dir.mkdir(parents=True, exist_ok=True)
    (corpus.state_dir / "fetch-index.json").write_text(json.dumps({"x": 1})[:-1] + DEEP_JSON)
    assert FetchIndex(corpus).entries == {}
    (corpus.state_dir / "fetch-index.json").write_text('{"x": ' + DEEP_JSON + "}")
    assert FetchIndex(corpus).entries == {}


def test_deep_jats_is_refused() -> None:
    data = b"<article>" + b"<sec>" * 1000 + b"</sec>" * 1000 + b"</article>"
    with pytest.raises(JatsError, match="nested more than 100"):
        parse_jats(data)
