"""Reading a large corpus: files parsed in worker processes give the same models and the same
`check` problems as parsing here; a snapshot lists and parses once, and still shows this
process's own writes; models that share their set-field names stay independent."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

import appraise.corpus
from appraise.corpus import Corpus
from appraise.models import Appraisal, StudyRecord
from appraise.review.check import check_corpus

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def metapsy(tmp_path: Path) -> Corpus:
    """The shipped Metapsy PTSD corpus (about 500 files), copied so tests may break it."""
    shutil.copytree(ROOT / "corpus" / "metapsy-ptsd", tmp_path / "metapsy")
    return Corpus(tmp_path / "metapsy")


def _parallel(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    monkeypatch.setattr(appraise.corpus, "PARALLEL_FROM", 10)
    monkeypatch.setenv("APPRAISE_WORKERS", str(workers))
    # a thread another test left running (a local server) would keep the workers from starting
    monkeypatch.setattr(appraise.corpus, "_fork_is_safe", lambda: True)


def _files(corpus: Corpus) -> list[tuple[Path, type[StudyRecord] | type[Appraisal]]]:
    return [(p, StudyRecord) for p in corpus.record_paths()] + [
        (p, Appraisal) for p in corpus.appraisal_paths()
    ]


def _break(corpus: Corpus) -> None:
    """One appraisal that is not YAML, one with an unknown key, one record whose year is not
    a number."""
    appraisals = corpus.appraisal_paths()
    appraisals[0].write_text("study: [unclosed\n", encoding="utf-8")
    text = appraisals[1].read_text(encoding="utf-8")
    appraisals[1].write_text(text + "reviewr: someone\n", encoding="utf-8")
    record = corpus.record_paths()[2]
    record.write_text(
        record.read_text(encoding="utf-8").replace("year:", "year: soon #", 1), encoding="utf-8"
    )


def test_parsed_in_workers_the_models_are_those_parsed_here(
    metapsy: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    _parallel(monkeypatch, 2)
    files = _files(metapsy)
    metapsy.preload(files)
    # every file came back from the workers: nothing is left for load() to parse here
    monkeypatch.setattr(appraise.corpus, "load_model", pytest.fail)
    parallel = [metapsy.load(path, model) for path, model in files]
    monkeypatch.undo()
    serial = Corpus(metapsy.root)
    assert parallel == [serial.load(path, model) for path, model in files]


def test_check_finds_the_same_problems_with_workers_or_without(
    metapsy: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    _break(metapsy)
    _parallel(monkeypatch, 1)
    alone = check_corpus(Corpus(metapsy.root))
    _parallel(monkeypatch, 2)
    pooled = check_corpus(Corpus(metapsy.root))
    assert pooled == alone
    assert len([p for p in alone if p.severity == "error"]) >= 3
    messages = {p.path: p.message for p in alone}
    assert messages[metapsy.appraisal_paths()[0]].startswith("not valid YAML")
    assert "reviewr" in messages[metapsy.appraisal_paths()[1]]
    assert "year" in messages[metapsy.record_paths()[2]]


def test_a_corpus_too_small_for_workers_is_parsed_as_asked(
    metapsy: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPRAISE_WORKERS", "2")  # PARALLEL_FROM keeps its value
    metapsy.preload(_files(metapsy))
    assert metapsy._models == {}


def test_no_workers_are_forked_while_another_thread_runs(
    metapsy: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(appraise.corpus, "PARALLEL_FROM", 10)
    monkeypatch.setenv("APPRAISE_WORKERS", "2")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        metapsy.preload(_files(metapsy))
    finally:
        stop.set()
        other.join()
    assert metapsy._models == {}  # each file is parsed here when asked for
    assert all(metapsy.load(path, model) for path, model in _files(metapsy))


def test_a_snapshot_lists_once_and_shows_its_own_writes(metapsy: Corpus) -> None:
    first = metapsy.appraisal_paths()[0]
    appraisal = metapsy.read_appraisal(first)
    with metapsy.snapshot():
        listed = metapsy.appraisal_paths()
        outside = first.parent / "rob2--other--someone.yaml"
        shutil.copy(first, outside)  # another process's write: seen at the next command
        assert metapsy.appraisal_paths() == listed
        written = metapsy.write_appraisal(
            appraisal.model_copy(update={"reviewer": "second reviewer"})
        )
        now = metapsy.appraisal_paths()
        assert written in now and outside in now
        assert metapsy.read_appraisal(written).reviewer == "second reviewer"
    assert outside in metapsy.appraisal_paths()


def test_a_changed_copy_of_a_kept_model_leaves_the_others_alone(metapsy: Corpus) -> None:
    first, second = (metapsy.read_appraisal(p) for p in metapsy.appraisal_paths()[:2])
    before = second.model_dump()
    changed = first.model_copy(update={"notes": "re-read the protocol"})
    changed.weight = 3.0
    assert second.model_dump() == before
    assert first.notes != "re-read the protocol" and changed.notes == "re-read the protocol"
