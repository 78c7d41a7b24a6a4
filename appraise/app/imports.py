"""`appraise import metapsy` and `appraise import robvis`: judgements made elsewhere brought into
a corpus (written through appraise.corpus.Corpus)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from appraise.app.workspace import open_corpus

if TYPE_CHECKING:
    from appraise.imports.metapsy import MetapsyImport
    from appraise.models import Rubric
    from appraise.outputs.robvis import ImportResult


def import_metapsy(
    file: Path, *, corpus: Path | None = None, rubric: str | None = None
) -> tuple[Path, MetapsyImport]:
    """Records from a Metapsy database's references, and its judgements per comparison.
    Returns the corpus folder written to, and what was imported."""
    from appraise.imports.metapsy import import_metapsy as run_import
    from appraise.imports.metapsy import read_database

    store = open_corpus(corpus)
    return store.root, run_import(store, read_database(file), rubric=rubric)


def import_robvis(
    file: Path,
    rubric: str,
    *,
    corpus: Path | None = None,
    profile: str | None = None,
    reviewer: str = "robvis-import",
    strict: bool = False,
) -> tuple[Path, Rubric, ImportResult]:
    """A robvis CSV as appraisals; Overall computed by the rubric's rule where the file has
    none. Returns the corpus folder written to, the rubric read and what was imported."""
    from appraise.files import read_text
    from appraise.outputs.robvis import import_robvis as run_import
    from appraise.outputs.robvis import parse_robvis
    from appraise.rubrics import load_rubric

    rub = load_rubric(rubric)
    parsed = parse_robvis(read_text(file), rub, source=str(file), strict=strict)
    store = open_corpus(corpus)
    result = run_import(store, parsed, rub, profile=profile, reviewer=reviewer, source=file.name)
    return store.root, rub, result
