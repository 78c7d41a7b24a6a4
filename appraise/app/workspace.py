"""Which corpus a command works on.

A corpus is found the way git finds a repository. ``--corpus DIR`` wins, then
``$APPRAISE_CORPUS``, then the current folder or the nearest parent that is a corpus (holds
``corpus.yaml``, ``records/``, ``appraisals/``, ``claims.yaml`` or ``documents/``). A command
that needs a corpus and finds none stops with exit 2 and names the corpora shipped with
appraise.
"""

from __future__ import annotations

import os
from pathlib import Path

from appraise.corpus import Corpus
from appraise.errors import AppraiseError, NotFoundError

CORPUS_ENV = "APPRAISE_CORPUS"
CORPUS_MARKERS = ("corpus.yaml", "records", "appraisals", "claims.yaml", "documents")

# The repository's corpus/ folder: beside the package in a clone or an editable install; a
# plain `pip install .` leaves it in the clone, where the README's commands are run from.
SHIPPED_CORPORA = Path(__file__).resolve().parents[2] / "corpus"


def is_corpus(folder: Path) -> bool:
    return folder.is_dir() and any((folder / marker).exists() for marker in CORPUS_MARKERS)


def discover_corpus(start: Path | None = None) -> Path | None:
    """The current folder, or the nearest parent, that is a corpus."""
    here = (start or Path.cwd()).resolve()
    return next((folder for folder in (here, *here.parents) if is_corpus(folder)), None)


def locate_corpus(given: Path | None) -> tuple[Path | None, str]:
    """Where the corpus is and how it was chosen: ``--corpus``, the environment, or discovery."""
    if given is not None:
        return given, "--corpus"
    from_env = os.environ.get(CORPUS_ENV, "").strip()
    if from_env:
        return Path(from_env), f"${CORPUS_ENV}"
    return discover_corpus(), "discovery"


def shipped_corpora() -> list[Path]:
    """The corpora that come with appraise, as paths a user can type from here."""
    here = Path.cwd().resolve()
    folder = next((f for f in (SHIPPED_CORPORA, here / "corpus") if f.is_dir()), None)
    if folder is None:
        return []
    found = sorted(p for p in folder.iterdir() if (p / "corpus.yaml").is_file())
    return [p.relative_to(here) if p.is_relative_to(here) else p for p in found]


def shipped_corpus_holding(study: str) -> Path | None:
    """The first shipped corpus with a record for ``study`` (as typed from here), if any."""
    for folder in shipped_corpora():
        try:
            if Corpus(folder).find_record(study) is not None:
                return folder
        except AppraiseError:  # a malformed identifier or file: no hint rather than a crash
            return None
    return None


def _no_corpus_fix(study: str | None = None) -> str:
    shipped = shipped_corpora()
    holding = shipped_corpus_holding(study) if study else None
    if holding is not None:
        return f"{study} is in the shipped corpus {holding}: add --corpus {holding}"
    example = f"--corpus {shipped[0]}" if shipped else "--corpus DIR"
    names = "; the shipped corpora are " + " and ".join(str(p) for p in shipped) if shipped else ""
    return f"run it inside a corpus folder, give {example}, or set {CORPUS_ENV}{names}"


def optional_corpus(given: Path | None = None) -> Corpus | None:
    """The corpus if one is named or found, else None (for commands that can do without)."""
    path, _ = locate_corpus(given)
    return Corpus(path) if path is not None and is_corpus(path) else None


def open_corpus(
    given: Path | None = None,
    *,
    must_exist: bool = False,
    must_be_corpus: bool = False,
    study: str | None = None,
) -> Corpus:
    """The corpus a command works on. A folder named by --corpus or $APPRAISE_CORPUS may not
    exist yet (the first write makes it; reading it finds nothing). ``must_exist`` refuses
    that, for commands that only inspect a corpus (`check`, `claims`, `trace`, `graph`);
    ``must_be_corpus`` also refuses a folder that holds no corpus (`check`, which would
    otherwise pass it as "ok"). Discovery never invents a corpus. ``study``: the study the
    command is about; with no corpus found, a shipped corpus that holds it is named."""
    path, how = locate_corpus(given)
    if path is None:
        raise NotFoundError(
            f"no corpus here ({Path.cwd()} and its parents hold no corpus.yaml, records/, "
            "appraisals/ or claims.yaml)",
            fix=_no_corpus_fix(study),
        )
    if path.exists() and not path.is_dir():
        raise NotFoundError(f"{path} ({how}) is a file, not a corpus folder", fix=_no_corpus_fix())
    if (must_exist or must_be_corpus) and not path.exists():
        raise NotFoundError(
            f"no corpus folder at {path} ({how})",
            fix=f"start one with `appraise fetch ID --corpus {path}`, or {_no_corpus_fix()}",
        )
    if must_be_corpus and not is_corpus(path):
        raise NotFoundError(
            f"{path} ({how}) is not a corpus: no corpus.yaml, records/, appraisals/ or "
            "claims.yaml in it",
            fix=_no_corpus_fix(),
        )
    return Corpus(path)
