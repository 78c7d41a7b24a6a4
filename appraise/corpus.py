"""The corpus on disk: where records, appraisals, claims and documents live.

Layout (all text a person can read and diff)::

    CORPUS/
      corpus.yaml                 optional: name, description, licence, default rubric
      records/<study>.yaml        one merged StudyRecord per study
      appraisals/<study>/<rubric>--<result>--<reviewer>.yaml
      claims.yaml                 claims and what they cite
      documents/<study>.<ext>     full texts a reviewer attached
      .appraise/                  caches and lock files (safe to delete)

Every write is atomic (temporary file + rename) and taken under a per-file lock, so a killed
process never leaves half a file and two processes never interleave their writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout
from pydantic import Field

from appraise import __version__
from appraise.errors import AppraiseError, NotFoundError
from appraise.files import atomic_write_text, load_model, model_to_yaml
from appraise.ids import StudyId, file_stem, parse_identifier, slug
from appraise.models import Appraisal, ClaimsFile, StudyRecord
from appraise.models.base import Strict


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

    def write_text(self, path: Path, text: str) -> Path:
        with self.locked(path):
            atomic_write_text(path, text)
        return path

    # --- records -------------------------------------------------------------------------
    def record_path(self, study_id: str) -> Path:
        return self.records_dir / f"{file_stem(study_id)}.yaml"

    def record_paths(self) -> list[Path]:
        return sorted(self.records_dir.glob("*.yaml")) if self.records_dir.is_dir() else []

    def iter_records(self) -> Iterator[StudyRecord]:
        for path in self.record_paths():
            yield load_model(path, StudyRecord)

    def _identifier_index(self) -> dict[str, Path]:
        """pmid:/pmcid:/doi keys of every record, built once per Corpus from the files."""
        if self._index is None:
            index: dict[str, Path] = {}
            for path in self.record_paths():
                rec = load_model(path, StudyRecord)
                for key in _keys_of(rec):
                    index.setdefault(key, path)
            self._index = index
        return self._index

    def find_record(self, identifier: str | StudyId) -> StudyRecord | None:
        sid = parse_identifier(identifier) if isinstance(identifier, str) else identifier
        direct = self.record_path(str(sid))
        if direct.exists():
            return load_model(direct, StudyRecord)
        path = self._identifier_index().get(str(sid))
        return load_model(path, StudyRecord) if path else None

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
        if not self.appraisals_dir.is_dir():
            return []
        return sorted(self.appraisals_dir.glob("*/*.yaml"))

    def read_appraisal(self, path: Path) -> Appraisal:
        return load_model(path, Appraisal)

    def iter_appraisals(
        self, rubric: str | None = None, study: str | None = None
    ) -> Iterator[StoredAppraisal]:
        paths = self.appraisal_paths()
        if study is not None:
            paths = [p for p in paths if p.parent.name == file_stem(study)]
        for path in paths:
            if rubric is not None and not path.name.startswith(f"{rubric}--"):
                continue
            yield StoredAppraisal(path, self.read_appraisal(path))

    def write_appraisal(self, appraisal: Appraisal, path: Path | None = None) -> Path:
        now = datetime.now(UTC).replace(microsecond=0)
        stamped = appraisal.model_copy(
            update={
                "tool": f"appraise {__version__}",
                "updated": now,
                "created": appraisal.created or now,
            }
        )
        return self.write_text(path or self.path_for(stamped), model_to_yaml(stamped))

    # --- claims --------------------------------------------------------------------------
    def read_claims(self) -> ClaimsFile | None:
        return load_model(self.claims_path, ClaimsFile) if self.claims_path.exists() else None


def _keys_of(record: StudyRecord) -> list[str]:
    keys = [record.id]
    if record.doi:
        keys.append(record.doi)
    if record.pmid:
        keys.append(f"pmid:{record.pmid}")
    if record.pmcid:
        keys.append(f"pmcid:{record.pmcid}")
    return keys
