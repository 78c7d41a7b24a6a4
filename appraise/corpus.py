"""The corpus on disk: where records, appraisals, claims and documents live.

Layout (all text a person can read and diff)::

    CORPUS/
      corpus.yaml                 optional: name, description, licence, default rubric
      records/<study>.yaml        one merged StudyRecord per study
      appraisals/<study>/<rubric>--<result>--<reviewer>.yaml
      claims.yaml                 claims and what they cite
      documents/<study>.<ext>     full texts a reviewer attached
      .appraise/                  caches and lock files (safe to delete)

This class is the only writer of a corpus and the only reader of its file-name conventions.
Every write is atomic (temporary file + rename) and taken under a per-file lock, so a killed
process never leaves half a file and two processes never interleave their writes; a write that
would leave the corpus (a ``records/`` or ``appraisals/`` folder that is a link to elsewhere) is
refused. Appraisals a reviewer works on are saved by compare-and-swap (``AppraisalFile``): a
change another process made since we read the file is merged question by question.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from filelock import FileLock, Timeout
from pydantic import BaseModel, Field, ValidationError

from appraise import __version__
from appraise.errors import AppraiseError, InputError, NotFoundError
from appraise.files import (
    Stamp,
    atomic_write_bytes,
    file_stamp,
    load_model,
    model_to_yaml,
    parse_files,
    parse_yaml,
    read_text,
    validation_error,
)
from appraise.ids import StudyId, file_stem, parse_identifier, slug, study_id_from_stem
from appraise.models import OVERALL, Answer, Appraisal, ClaimsFile, Judgement, StudyRecord
from appraise.models.base import Strict

M = TypeVar("M", bound=BaseModel)

APPRAISAL_NAME_SEPARATOR = "--"

# Below this many files a pool of parsing processes costs more than it saves.
PARALLEL_FROM = 2000
# Files one worker parses per task: large enough that pickling the batch back is cheap.
PARALLEL_CHUNK = 250


def parse_workers() -> int:
    """How many processes parse a large corpus: APPRAISE_WORKERS if set (1: parse in this
    process only), else one per CPU this process may use."""
    try:
        return max(1, int(os.environ["APPRAISE_WORKERS"]))
    except (KeyError, ValueError):
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


class CorpusInfo(Strict):
    name: str
    description: str | None = None
    licence: str | None = None
    attribution: str | None = None
    default_rubric: str | None = None
    rubrics: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class StoredAppraisal:
    path: Path
    appraisal: Appraisal


class Corpus:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.records_dir = self.root / "records"
        self.appraisals_dir = self.root / "appraisals"
        self.documents_dir = self.root / "documents"
        self.claims_path = self.root / "claims.yaml"
        self.info_path = self.root / "corpus.yaml"
        self.state_dir = self.root / ".appraise"
        self._index: dict[str, Path] | None = None
        # Parsed files, keyed by path and checked against size and mtime (as the fetch index
        # is), so a command that reads the corpus twice (report: matrix, then methods) parses
        # each file once. Models read this way are shared: change them with model_copy.
        self._models: dict[Path, tuple[Stamp, BaseModel]] = {}
        self._field_sets: dict[frozenset[str], set[str]] = {}
        # Inside snapshot(): folder listings kept, and parsed files trusted without a stat.
        self._listings: dict[str, list[Path]] | None = None

    def __repr__(self) -> str:
        return f"Corpus({str(self.root)!r})"

    @property
    def info(self) -> CorpusInfo:
        if self.info_path.exists():
            return load_model(self.info_path, CorpusInfo)
        return CorpusInfo(name=self.root.resolve().name)

    # --- locking -------------------------------------------------------------------------
    @contextmanager
    def locked(self, path: Path, timeout: float = 30.0) -> Iterator[None]:
        """Hold the lock for ``path`` (lock files live under .appraise/locks)."""
        locks = self.state_dir / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:24]
        try:
            with FileLock(str(locks / f"{key}.lock"), timeout=timeout):
                yield
        except Timeout:
            raise AppraiseError(
                f"{path} is being written by another appraise process",
                fix="wait for it to finish, then run again",
            ) from None

    def _inside(self, path: Path) -> Path:
        """``path`` if writing it stays inside the corpus; a linked folder that leads out is
        refused, so a write never lands in someone else's files."""
        root = self.root.resolve()
        if not path.resolve().is_relative_to(root):
            linked = next((p for p in (path, *path.parents) if p.is_symlink()), path.parent)
            raise InputError(
                f"{linked} leads out of the corpus {self.root} (to {linked.resolve()}); "
                "nothing was written",
                fix=f"replace the link {linked} with a folder inside the corpus",
            )
        return path

    def write_bytes(self, path: Path, data: bytes) -> Path:
        """Write a file of the corpus atomically, under its lock."""
        self._inside(path)
        with self.locked(path):
            atomic_write_bytes(path, data)
        if self._listings is not None:
            self._listings.clear()  # the file may be new to a listing
        self._models.pop(path, None)
        return path

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """For a command that reads the corpus several times (report: check, the matrix, the
        methods): inside, each folder is listed once and each file parsed once, and what was
        read stands for the whole command (a file changed meanwhile is read at the next
        command). This process's own writes still show."""
        outer = self._listings
        if outer is None:
            self._listings = {}
        try:
            yield
        finally:
            if outer is None:
                self._listings = None

    def _listed(self, name: str, list_files: Callable[[], list[Path]]) -> list[Path]:
        if self._listings is None:
            return list_files()
        if name not in self._listings:
            self._listings[name] = list_files()
        return list(self._listings[name])

    def write_text(self, path: Path, text: str) -> Path:
        return self.write_bytes(path, text.encode("utf-8"))

    # --- derived state (.appraise/): caches and indexes, safe to delete ------------------
    def state_path(self, *parts: str) -> Path:
        return self.state_dir.joinpath(*parts)

    def write_state(self, path: Path, text: str) -> None:
        """Keep derived state if the corpus is writable; a read-only corpus just rebuilds."""
        if not path.is_relative_to(self.state_dir):
            raise ValueError(f"{path} is not under {self.state_dir}")
        try:
            self.write_text(path, text)
        except OSError:
            return

    # --- records -------------------------------------------------------------------------
    def record_path(self, study_id: str) -> Path:
        return self.records_dir / f"{file_stem(study_id)}.yaml"

    @staticmethod
    def study_stem(study_id: str) -> str:
        """The file stem a study's record, appraisal folder and documents are named by."""
        return file_stem(study_id)

    def _stem_of(self, path: Path) -> str:
        return path.parent.name if path.parent.parent == self.appraisals_dir else path.stem

    def study_of(self, path: Path) -> str:
        """The study a record file or document is named for, or an appraisal's folder is."""
        return study_id_from_stem(self._stem_of(path))

    def is_named_for(self, path: Path, study_id: str) -> bool:
        """Whether ``path`` (a record, a document, or an appraisal in its study's folder) is
        where this study's file belongs by the corpus's file-name convention."""
        return self._stem_of(path) == file_stem(study_id)

    def record_paths(self) -> list[Path]:
        return self._listed("records", self._record_paths)

    def _record_paths(self) -> list[Path]:
        return sorted(self.records_dir.glob("*.yaml")) if self.records_dir.is_dir() else []

    def iter_records(self) -> Iterator[StudyRecord]:
        for path in self.record_paths():
            yield self.load(path, StudyRecord)

    def load(self, path: Path, model: type[M]) -> M:
        """A data file of the corpus as ``model``, parsed once while the file is unchanged
        (inside snapshot(), once)."""
        cached = self._models.get(path)
        if self._listings is not None and cached is not None and type(cached[1]) is model:
            return cached[1]
        try:
            stamp = file_stamp(path)
        except OSError:
            return load_model(path, model)  # the usual one-line error
        if cached is not None and cached[0] == stamp and type(cached[1]) is model:
            return cached[1]
        loaded = load_model(path, model)
        self._keep_model(path, stamp, loaded)
        return loaded

    def _keep_model(self, path: Path, stamp: Stamp, model: BaseModel) -> None:
        _share_field_sets(model, self._field_sets)
        self._models[path] = (stamp, model)

    def preload(self, files: Sequence[tuple[Path, type[BaseModel]]]) -> None:
        """Parse many files ahead of ``load`` (which then finds them parsed): with several CPUs
        and many files, YAML is parsed in a pool of processes while this one validates what
        they send back. A file that fails is left for ``load`` to read and report, and so is
        every file when no pool can be had."""
        todo = [(path, model) for path, model in files if path not in self._models]
        workers = parse_workers()
        # fork: the workers need no imports and never run __main__ again (a script calling
        # appraise without a __main__ guard); forking is only safe with no other thread.
        if workers < 2 or len(todo) < PARALLEL_FROM or not _fork_is_safe():
            return
        chunks = [
            [str(path) for path, _ in todo[start : start + PARALLEL_CHUNK]]
            for start in range(0, len(todo), PARALLEL_CHUNK)
        ]
        context = multiprocessing.get_context("fork")
        try:
            with ProcessPoolExecutor(
                workers, context, initializer=_parse_worker_start, initargs=(os.getpid(),)
            ) as pool:
                # A few chunks in flight, not all: parsed data waiting here costs memory.
                pending: deque[Future[list[tuple[Stamp, Any] | None]]] = deque()
                done = 0
                try:
                    for chunk in chunks:
                        pending.append(pool.submit(parse_files, chunk))
                        if len(pending) > 2 * workers:
                            done = self._keep(todo, done, pending.popleft().result())
                    while pending:
                        done = self._keep(todo, done, pending.popleft().result())
                except BaseException:  # Ctrl-C: end the workers now, not after their chunks
                    _end_workers(pool)
                    raise
        except (OSError, BrokenProcessPool):
            return  # no processes to be had (limits): load() parses what is left

    def _keep(
        self,
        todo: Sequence[tuple[Path, type[BaseModel]]],
        start: int,
        parsed: list[tuple[Stamp, Any] | None],
    ) -> int:
        """Keep the models of one parsed chunk (``todo[start:]``); where the next one begins."""
        for (path, model), result in zip(todo[start : start + len(parsed)], parsed, strict=True):
            if result is None:
                continue
            stamp, data = result
            try:
                self._keep_model(path, stamp, model.model_validate(data))
            except ValidationError:
                continue
        return start + len(parsed)

    def _identifier_index(self) -> dict[str, Path]:
        """pmid:/pmcid:/doi keys of every record, built once per Corpus from the files."""
        if self._index is None:
            index: dict[str, Path] = {}
            for path in self.record_paths():
                rec = self.load(path, StudyRecord)
                for key in _keys_of(rec):
                    index.setdefault(key, path)
            self._index = index
        return self._index

    def find_record(self, identifier: str | StudyId) -> StudyRecord | None:
        sid = parse_identifier(identifier) if isinstance(identifier, str) else identifier
        direct = self.record_path(str(sid))
        if direct.exists():
            return self.load(direct, StudyRecord)
        path = self._identifier_index().get(str(sid))
        return self.load(path, StudyRecord) if path else None

    def read_record(self, identifier: str | StudyId) -> StudyRecord:
        record = self.find_record(identifier)
        if record is None:
            raise NotFoundError(
                f"no record for {identifier} in {self.root}",
                fix=f"run `appraise fetch {identifier} --corpus {self.root}` first",
            )
        return record

    def write_record(self, record: StudyRecord) -> Path:
        path = self.write_text(self.record_path(record.id), model_to_yaml(record))
        if self._index is not None:
            for key in _keys_of(record):
                self._index[key] = path
        return path

    # --- appraisals ----------------------------------------------------------------------
    def appraisal_path(self, study: str, rubric: str, result: str, reviewer: str) -> Path:
        name = f"{rubric}--{slug(result)}--{slug(reviewer)}.yaml"
        return self.appraisals_dir / file_stem(study) / name

    def path_for(self, appraisal: Appraisal) -> Path:
        return self.appraisal_path(
            appraisal.study, appraisal.rubric, appraisal.result.label, appraisal.reviewer
        )

    def appraisal_paths(self) -> list[Path]:
        return self._listed("appraisals", self._appraisal_paths)

    def _appraisal_paths(self) -> list[Path]:
        if not self.appraisals_dir.is_dir():
            return []
        return sorted(self.appraisals_dir.glob("*/*.yaml"))

    @staticmethod
    def rubric_of(path: Path) -> str:
        """The rubric id an appraisal file's name gives (``<rubric>--<result>--<reviewer>``)."""
        return path.name.split(APPRAISAL_NAME_SEPARATOR, 1)[0]

    @staticmethod
    def study_stem_of(path: Path) -> str:
        """The study folder an appraisal file sits in (the study's file stem)."""
        return path.parent.name

    def appraisal_rubrics(self) -> list[str]:
        """The rubric of every appraisal file, by its name (one entry per file)."""
        return [self.rubric_of(path) for path in self.appraisal_paths()]

    def appraised(self) -> set[tuple[str, str]]:
        """(study file stem, rubric) of every appraisal file."""
        return {(self.study_stem_of(p), self.rubric_of(p)) for p in self.appraisal_paths()}

    def open_appraisal(self, path: Path) -> AppraisalFile:
        """An appraisal file to save by compare-and-swap (see AppraisalFile)."""
        return AppraisalFile.open(self, path)

    def read_appraisal(self, path: Path) -> Appraisal:
        return self.load(path, Appraisal)

    def iter_appraisals(
        self, rubric: str | None = None, study: str | None = None
    ) -> Iterator[StoredAppraisal]:
        paths = self.appraisal_paths()
        if study is not None:
            paths = [p for p in paths if self.study_stem_of(p) == file_stem(study)]
        for path in paths:
            if rubric is not None and self.rubric_of(path) != rubric:
                continue
            yield StoredAppraisal(path, self.read_appraisal(path))

    def write_appraisal(self, appraisal: Appraisal, path: Path | None = None) -> Path:
        """Write (or replace) an appraisal whole, as imports and batches do; a reviewer's
        session saves through ``open_appraisal`` instead, which merges concurrent changes."""
        stamped = stamp(appraisal)
        return self.write_text(path or self.path_for(stamped), model_to_yaml(stamped))

    # --- documents -----------------------------------------------------------------------
    def document_path(self, study_id: str, suffix: str) -> Path:
        return self.documents_dir / f"{file_stem(study_id)}{suffix.lower()}"

    def document_paths(self) -> list[Path]:
        """Every file in documents/ (hidden files left out)."""
        if not self.documents_dir.is_dir():
            return []
        return sorted(
            p for p in self.documents_dir.iterdir() if p.is_file() and not p.name.startswith(".")
        )

    def has_documents(self) -> bool:
        """Whether any full text is attached (a corpus without documents/ needs no look-ups)."""
        return self.documents_dir.is_dir()

    def attached_document(self, study_id: str) -> Path | None:
        """The full text attached to this study, so every later run reads it again."""
        from appraise.documents import READABLE_SUFFIXES

        for suffix in READABLE_SUFFIXES:
            path = self.document_path(study_id, suffix)
            if path.is_file():
                return path
        return None

    def write_document(self, study_id: str, source: Path) -> Path:
        """Copy the reviewer's file into documents/<study><suffix> (the caller has read it)."""
        return self.write_bytes(self.document_path(study_id, source.suffix), source.read_bytes())

    # --- claims --------------------------------------------------------------------------
    def read_claims(self) -> ClaimsFile | None:
        return load_model(self.claims_path, ClaimsFile) if self.claims_path.exists() else None


# Values that hold no model: not walked into (most of a parsed file's values).
_ATOMS = (str, int, float, bool, type(None))


def _share_field_sets(model: BaseModel, shared: dict[frozenset[str], set[str]]) -> None:
    """Let ``model`` and the models inside it share one set of set-field names with every
    kept model that set the same fields. Pydantic keeps such a set per instance (about a
    third of a parsed corpus's memory); appraise never reads them, and model_copy copies the
    set before changing it, so sharing is safe for models that are only read or copied."""
    stack: list[object] = [model]
    while stack:
        node = stack.pop()
        if isinstance(node, BaseModel):
            names = node.__pydantic_fields_set__
            object.__setattr__(
                node, "__pydantic_fields_set__", shared.setdefault(frozenset(names), names)
            )
            stack.extend(v for v in node.__dict__.values() if not isinstance(v, _ATOMS))
        elif isinstance(node, list):
            stack.extend(v for v in node if not isinstance(v, _ATOMS))
        elif isinstance(node, dict):
            stack.extend(v for v in node.values() if not isinstance(v, _ATOMS))


def _fork_is_safe() -> bool:
    """Whether this process may fork workers: not while another thread runs (it might hold a
    lock the children would then wait on for ever)."""
    return threading.active_count() == 1


def _parse_worker_start(parent: int) -> None:
    """In a parsing worker: Ctrl-C is the parent's to handle (one line, exit 130), and a
    worker whose parent has gone (killed, or ended on an error) ends too instead of waiting
    for work or blocking on a full result pipe forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's workers at once (ProcessPoolExecutor.terminate_workers from Python 3.14;
    before it, its processes are ended one by one)."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def stamp(appraisal: Appraisal) -> Appraisal:
    """The appraisal as written now: tool version and times filled in."""
    now = datetime.now(UTC).replace(microsecond=0)
    return appraisal.model_copy(
        update={
            "tool": f"appraise {__version__}",
            "updated": now,
            "created": appraisal.created or now,
        }
    )


# --- compare-and-swap and merge for appraisal files ----------------------------------------
V = TypeVar("V", bound=BaseModel | str)


class ConflictError(AppraiseError):
    """Two reviewers' inputs to the same question (or judgement) differ: neither is dropped."""


def _conflict(what: str, key: str, ours: object, theirs: object, path: Path) -> ConflictError:
    return ConflictError(
        f"{path}: {what} {key} was changed by another appraise process while you "
        f"worked ({_describe(theirs)} there, {_describe(ours)} here)",
        fix="run the same `appraise assess` command again: it resumes from the saved "
        "file, and only your last answer needs repeating",
    )


def _merge_values(
    what: str, base: Mapping[str, V], ours: Mapping[str, V], theirs: Mapping[str, V], path: Path
) -> dict[str, V]:
    """Three-way merge of two edited copies of ``base`` (None means absent)."""
    merged: dict[str, V] = {}
    for key in dict.fromkeys([*theirs, *ours, *base]):
        b, o, t = base.get(key), ours.get(key), theirs.get(key)
        if o == t or t == b:
            value = o
        elif o == b:
            value = t
        else:
            raise _conflict(what, key, o, t, path)
        if value is not None:
            merged[key] = value
    return merged


def _merge_answers(
    base: Mapping[str, Answer], ours: Mapping[str, Answer], theirs: Mapping[str, Answer], path: Path
) -> dict[str, Answer]:
    """Answers merged by question. A proposal (unconfirmed) is not an edit: any reviewer's
    answer beats it, and differing proposals are re-derived anyway. Two reviewer answers to
    the same question that both changed it differently are a conflict."""
    merged: dict[str, Answer] = {}
    for key in dict.fromkeys([*theirs, *ours, *base]):
        b, o, t = base.get(key), ours.get(key), theirs.get(key)
        o_given = o is not None and o.confirmed
        t_given = t is not None and t.confirmed
        if o_given and t_given:
            if o == t or t == b:
                value = o
            elif o == b:
                value = t
            else:
                raise _conflict("question", key, o, t, path)
        elif o_given or t_given:
            value = o if o_given else t
        else:
            value = o if o is not None else t
        if value is not None:
            merged[key] = value
    return merged


def _describe(value: object) -> str:
    if value is None:
        return "removed"
    if isinstance(value, Judgement):
        return value.judgement or "no judgement"
    answer = getattr(value, "answer", value)
    return str(answer)


def _decisions(domains: Mapping[str, Judgement]) -> dict[str, Judgement]:
    """What a reviewer decided about each judgement; an undecided one is not an edit."""
    return {
        d: Judgement(judgement=j.judgement, override_reason=j.override_reason)
        for d, j in domains.items()
        if j.judgement is not None
    }


def _merge_judgements(
    base: Mapping[str, Judgement],
    ours: Mapping[str, Judgement],
    theirs: Mapping[str, Judgement],
    path: Path,
) -> dict[str, Judgement]:
    """Judgements merged by domain: each takes the whole judgement of the side whose decision
    stands, so a decision is re-derived against the proposal it was made on."""
    decided = _merge_values(
        "the judgement of", _decisions(base), _decisions(ours), _decisions(theirs), path
    )
    merged: dict[str, Judgement] = {}
    for d in dict.fromkeys([*ours, *theirs]):
        mine, other = ours.get(d), theirs.get(d)
        decision = decided.get(d)
        if decision is None:
            kept = mine or other
            assert kept is not None
            merged[d] = kept.model_copy(update={"judgement": None, "override_reason": None})
        elif (
            other is not None
            and _decisions({d: other}).get(d) == decision
            and (mine is None or _decisions({d: mine}).get(d) != decision)
        ):
            merged[d] = other
        else:
            assert mine is not None
            merged[d] = mine
    return merged


def merge(base: Appraisal | None, ours: Appraisal, theirs: Appraisal, path: Path) -> Appraisal:
    """Our edits and theirs on top of the version both started from. Only reviewer input is
    merged (answers, context, drafts, judgement decisions); proposals are re-derived afterwards."""
    overall = OVERALL
    judgements = _merge_judgements(
        {**(base.domains if base else {}), **({overall: base.overall} if base else {})},
        {**ours.domains, overall: ours.overall},
        {**theirs.domains, overall: theirs.overall},
        path,
    )
    return ours.model_copy(
        update={
            "answers": _merge_answers(
                base.answers if base else {}, ours.answers, theirs.answers, path
            ),
            "context": _merge_values(
                "context item", base.context if base else {}, ours.context, theirs.context, path
            ),
            "drafts": _merge_values(
                "draft", base.drafts if base else {}, ours.drafts, theirs.drafts, path
            ),
            "domains": {d: j for d, j in judgements.items() if d != overall},
            "overall": judgements[overall],
            "created": theirs.created or ours.created,
            "notes": ours.notes if ours.notes != (base.notes if base else None) else theirs.notes,
        }
    )


@dataclass
class AppraisalFile:
    """An appraisal file and the version of it this process last read or wrote."""

    corpus: Corpus
    path: Path
    base: Appraisal | None = None
    text: str | None = None

    @classmethod
    def open(cls, corpus: Corpus, path: Path) -> AppraisalFile:
        if not path.exists():
            return cls(corpus, path)
        text = read_text(path)  # read once: the version we parse is the one we compare with
        return cls(corpus, path, _parse_appraisal(path, text), text)

    def save(
        self, appraisal: Appraisal, derive: Callable[[Appraisal], Appraisal] = lambda a: a
    ) -> Appraisal:
        """Write ``appraisal`` under the lock, merging any change made by another process
        since we last read the file; ``derive`` recomputes what follows from the answers."""
        self.corpus._inside(self.path)
        with self.corpus.locked(self.path):
            on_disk = read_text(self.path) if self.path.exists() else None
            if on_disk is not None and on_disk != self.text:
                theirs = _parse_appraisal(self.path, on_disk)
                appraisal = derive(merge(self.base, appraisal, theirs, self.path))
            written = stamp(appraisal)
            text = model_to_yaml(written)
            atomic_write_bytes(self.path, text.encode("utf-8"))
        self.base, self.text = written, text
        return written


def _parse_appraisal(path: Path, text: str) -> Appraisal:
    try:
        return Appraisal.model_validate(parse_yaml(text, path))
    except ValidationError as exc:
        raise validation_error(path, text, exc) from None


def _keys_of(record: StudyRecord) -> list[str]:
    keys = [record.id]
    if record.doi:
        keys.append(record.doi)
    if record.pmid:
        keys.append(f"pmid:{record.pmid}")
    if record.pmcid:
        keys.append(f"pmcid:{record.pmcid}")
    return keys
