"""Keeping one appraisal file safe while a reviewer works on it.

The file is saved after every change. Each save takes the corpus lock for that file and
re-reads it (compare-and-swap): if another process changed it since we last read it, the two
versions are merged question by question against the version both started from; a question
both changed differently stops the save with a clear message instead of losing either answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from appraise import __version__
from appraise.corpus import Corpus
from appraise.errors import AppraiseError
from appraise.files import atomic_write_text, load_model, model_to_yaml, read_text
from appraise.models import Appraisal, Judgement

V = TypeVar("V", bound=BaseModel | str)


class ConflictError(AppraiseError):
    """Another process changed the same answer (or judgement) differently."""


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
            raise ConflictError(
                f"{path}: {what} {key} was changed by another appraise process while you "
                f"worked ({_describe(t)} there, {_describe(o)} here)",
                fix="run the same `appraise assess` command again: it resumes from the saved "
                "file, and only your last answer needs repeating",
            )
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


def _decision(judgement: Judgement) -> Judgement:
    """What a reviewer decided about a judgement; the rest is derived from the answers."""
    return Judgement(judgement=judgement.judgement, override_reason=judgement.override_reason)


def merge(base: Appraisal | None, ours: Appraisal, theirs: Appraisal, path: Path) -> Appraisal:
    """Our edits and theirs on top of the version both started from. Only reviewer input is
    merged (answers, context, judgement decisions); proposals are re-derived afterwards."""
    base_domains = {d: _decision(j) for d, j in (base.domains if base else {}).items()}
    our_domains = {d: _decision(j) for d, j in ours.domains.items()}
    their_domains = {d: _decision(j) for d, j in theirs.domains.items()}
    decisions = _merge_values("the judgement of", base_domains, our_domains, their_domains, path)
    domains = {
        d: (ours.domains.get(d) or theirs.domains[d]).model_copy(
            update={"judgement": j.judgement, "override_reason": j.override_reason}
        )
        for d, j in decisions.items()
    }
    overall = _merge_values(
        "the judgement of",
        {"Overall": _decision(base.overall)} if base else {},
        {"Overall": _decision(ours.overall)},
        {"Overall": _decision(theirs.overall)},
        path,
    ).get("Overall", Judgement())
    return ours.model_copy(
        update={
            "answers": _merge_values(
                "question", base.answers if base else {}, ours.answers, theirs.answers, path
            ),
            "context": _merge_values(
                "context item", base.context if base else {}, ours.context, theirs.context, path
            ),
            "domains": domains,
            "overall": ours.overall.model_copy(
                update={"judgement": overall.judgement, "override_reason": overall.override_reason}
            ),
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
        return cls(corpus, path, load_model(path, Appraisal), read_text(path))

    def save(
        self, appraisal: Appraisal, derive: Callable[[Appraisal], Appraisal] = lambda a: a
    ) -> Appraisal:
        """Write ``appraisal`` under the lock, merging any change made by another process
        since we last read the file; ``derive`` recomputes what follows from the answers."""
        with self.corpus.locked(self.path):
            on_disk = read_text(self.path) if self.path.exists() else None
            if on_disk is not None and on_disk != self.text:
                theirs = load_model(self.path, Appraisal)
                appraisal = derive(merge(self.base, appraisal, theirs, self.path))
            written = stamp(appraisal)
            text = model_to_yaml(written)
            atomic_write_text(self.path, text)
        self.base, self.text = written, text
        return written
