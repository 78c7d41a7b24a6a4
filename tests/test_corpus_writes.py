"""Only appraise/corpus.py writes a corpus, and a write never leaves it (issues 14 and 19)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.models import StudyRecord

PACKAGE = Path(__file__).resolve().parents[1] / "appraise"
WRITES = re.compile(
    r"atomic_write_(text|bytes)\(|\.write_(text|bytes)\(|\bopen\([^)]*['\"][wax]b?['\"]"
    r"|\.mkdir\(|os\.replace\(|shutil\.|\.locked\(|\.unlink\(|\.rename\("
)
THROUGH_CORPUS = re.compile(r"\b(corpus|store)\.(write_\w+|open_appraisal)\(")
CORPUS_PATHS = re.compile(
    r"\b(records_dir|appraisals_dir|documents_dir|state_dir|state_path|claims_path|info_path"
    r"|record_path|appraisal_path|document_path|path_for)\b"
)
# Modules that write files a user asked for (tables, figures, reports, exports, the HTTP
# cache in the user's cache folder): they may write, but never name a corpus path.
OWN_FILES = {
    "files.py",
    "app/outputs.py",
    "outputs/report.py",
    "outputs/figures.py",
    "outputs/office.py",  # streams the Word table into an in-memory zip entry
    "outputs/writers.py",
    "graph/export.py",
    "graph/draw.py",
    "scale/parquet.py",
    "scale/batch.py",
    "sources/http.py",
}


def _modules() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(PACKAGE)), path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def test_no_module_but_corpus_py_writes_a_corpus() -> None:
    offenders = []
    for name, source in _modules():
        if name == "corpus.py":
            continue
        for number, line in enumerate(source.splitlines(), 1):
            if not WRITES.search(line) or THROUGH_CORPUS.search(line):
                continue
            if name not in OWN_FILES or CORPUS_PATHS.search(line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []


def test_modules_that_write_their_own_files_never_name_a_corpus_path() -> None:
    named = [
        f"{name}: {match.group(0)}"
        for name, source in _modules()
        if name in OWN_FILES
        for match in CORPUS_PATHS.finditer(source)
    ]
    assert named == []


def test_a_records_folder_linked_out_of_the_corpus_is_not_written(
    corpus: Corpus, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    corpus.root.mkdir()
    (corpus.root / "records").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(InputError, match="leads out of the corpus"):
        corpus.write_record(StudyRecord(id="10.1000/x", title="X"))
    assert list(elsewhere.iterdir()) == []


def test_an_appraisals_folder_linked_out_is_not_written_through_the_cli(
    corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from appraise.cli.main import main

    corpus.write_record(StudyRecord(id="10.1000/x", title="X", abstract="Randomised."))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (corpus.root / "appraisals").symlink_to(elsewhere, target_is_directory=True)
    code = main(["assess", "10.1000/x", "-r", "rob2", "-c", str(corpus.root), "--no-input"])
    assert code == 2
    assert "leads out of the corpus" in capsys.readouterr().err
    assert list(elsewhere.rglob("*.yaml")) == []


def test_only_corpus_py_reads_the_corpus_file_name_convention() -> None:
    convention = re.compile(r"study_id_from_stem|APPRAISAL_NAME_SEPARATOR|split\(\"--\"")
    readers = [
        f"{name}:{number}"
        for name, source in _modules()
        if name not in {"corpus.py", "ids.py"}
        for number, line in enumerate(source.splitlines(), 1)
        if convention.search(line)
    ]
    assert readers == []
