"""Study identifiers: DOIs, PMIDs and PMCIDs, normalised once, and safe file names for them.

A study's canonical id is its bare lower-case DOI (``10.1111/bjc.12259``) when it has one,
otherwise ``pmid:NNN``, ``pmcid:PMCNNN`` or, for works entered by hand with none of these,
``ref:SLUG``. File names are derived from that id and can never leave their folder.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote

from appraise.errors import InputError

IdKind = Literal["doi", "pmid", "pmcid", "ref"]

_DOI_PREFIXES = re.compile(
    r"^(?:doi\s*:\s*|doi\s+|(?:https?://)?(?:www\.|dx\.)?doi\.org/|info:doi/)", re.IGNORECASE
)
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")
_PMID = re.compile(r"^(?:pmid\s*:?\s*)?(\d{1,9})$", re.IGNORECASE)
_PMCID = re.compile(r"^(?:pmcid\s*:?\s*)?(PMC\d{1,9})$", re.IGNORECASE)
_REF = re.compile(r"^ref:([a-z0-9][a-z0-9._-]{0,80})$")
_TRAILING = ".,;:'\"”’>"
_PAIRS = {")": "(", "]": "[", "}": "{"}
_MAX_STEM = 150


@dataclass(frozen=True)
class StudyId:
    kind: IdKind
    value: str

    def __str__(self) -> str:
        return self.value if self.kind == "doi" else f"{self.kind}:{self.value}"


def _strip_trailing(text: str) -> str:
    """Drop punctuation a DOI picked up from prose, keeping balanced closing brackets."""
    while text:
        last = text[-1]
        if last in _TRAILING or (last in _PAIRS and text.count(last) > text.count(_PAIRS[last])):
            text = text[:-1]
        else:
            break
    return text


def _fully_unquoted(text: str) -> str:
    """``text`` percent-decoded until nothing changes, so ``%252E`` cannot hide a dot."""
    for _ in range(5):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


def _refuse_unsafe(raw: str) -> None:
    """Refuse what would reach an API as something else: control characters (a NUL, a
    newline splitting a header) and '.'/'..' path segments, percent-encoded or not, which
    name a different resource once a client or server resolves them."""
    shown = raw.strip().encode("unicode_escape").decode("ascii")
    text = _fully_unquoted(raw.strip())
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in text):
        raise InputError(
            f"'{shown}' contains a control character",
            fix="retype the identifier; copy it from the article's page",
        )
    if any(part in (".", "..") for part in text.split("/")):
        raise InputError(
            f"'{shown}' has a '.' or '..' path segment, which no DOI has",
            fix="give the DOI exactly as the article prints it",
        )


def normalise_doi(raw: str) -> str:
    """Return the DOI in ``raw`` as bare lower case, or raise InputError naming the problem."""
    _refuse_unsafe(raw)
    text = unquote(raw.strip())
    text = _DOI_PREFIXES.sub("", text).strip()
    text = _strip_trailing(text).lower()
    if not _DOI_SHAPE.match(text):
        raise InputError(
            f"'{raw.strip()}' is not a DOI",
            fix="a DOI starts with 10., a 4-9 digit registrant, a slash and a suffix, "
            "e.g. 10.1111/bjc.12259",
        )
    return text


def doi_or_none(raw: object) -> str | None:
    """The normalised DOI in an API field, or None when the field holds no valid DOI."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        return normalise_doi(raw)
    except InputError:
        return None


def parse_identifier(raw: str) -> StudyId:
    """Recognise a DOI (in any common spelling), a PMID, a PMCID or a ``ref:`` slug."""
    text = raw.strip().removeprefix("\ufeff").strip()  # a BOM that opened a --from file
    if not text:
        raise InputError("an empty identifier was given", fix="give a DOI, PMID or PMCID")
    _refuse_unsafe(text)
    if m := _PMCID.match(text):
        return StudyId("pmcid", m.group(1).upper())
    if m := _PMID.match(text):
        return StudyId("pmid", m.group(1))
    if m := _REF.match(text.lower()):
        return StudyId("ref", m.group(1))
    return StudyId("doi", normalise_doi(text))


def unique_identifiers(raws: list[str]) -> list[StudyId]:
    """Parse every identifier (all errors at once) and drop duplicates, keeping input order."""
    seen: dict[StudyId, None] = {}
    problems: list[InputError] = []
    for raw in raws:
        try:
            seen.setdefault(parse_identifier(raw), None)
        except InputError as exc:
            problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InputError(
            f"{problems[0].message} (and {len(problems) - 1} more)",
            fix="correct the identifiers and run again",
        )
    return list(seen)


def file_stem(study_id: str) -> str:
    """A file name (no extension) for a study id that stays inside its folder.

    Readable for ordinary DOIs (``10.1111/bjc.12259`` -> ``10.1111_bjc.12259``), reversible
    by :func:`study_id_from_stem`, and never ``.``/``..`` or containing a path separator.
    """
    encoded = quote(study_id, safe="/:()").replace("_", "%5F").replace("~", "%7E")
    encoded = encoded.replace("/", "_").replace(":", "~")
    if len(encoded) > _MAX_STEM:
        digest = hashlib.sha256(study_id.encode()).hexdigest()[:16]
        encoded = f"{encoded[: _MAX_STEM - 17]}-{digest}"
    if encoded.startswith("."):
        encoded = "%2E" + encoded[1:]
    return encoded


def study_id_from_stem(stem: str) -> str:
    return unquote(stem.replace("~", ":").replace("_", "/"))


def slug(text: str, *, limit: int = 60) -> str:
    """Lower-case words joined by hyphens, for readable file names of results and reviewers."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:limit].strip("-") or "unnamed"
