"""Reading a corpus's claims.yaml with errors that name the file and line."""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from appraise.corpus import Corpus
from appraise.errors import DataFileError, InputError, NotFoundError
from appraise.files import line_of, parse_yaml, read_text
from appraise.ids import parse_identifier
from appraise.models import Claim

CLAIM_PREFIX = "claim:"


def claim_id_lines(text: str) -> list[tuple[str, int]]:
    """Each ``claims[i].id`` in a claims file with its 1-based line, read from the YAML nodes
    (so a duplicate can be pointed at before validation)."""
    # libyaml's composer when there is one: the pure-Python one took most of the time
    # `claims` spent on 10,000 claims
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    claims = next((v for k, v in root.value if k.value == "claims"), None)
    if not isinstance(claims, yaml.SequenceNode):
        return []
    found: list[tuple[str, int]] = []
    for item in claims.value:
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                if key.value == "id" and isinstance(value, yaml.ScalarNode):
                    found.append((str(value.value), value.start_mark.line + 1))
    return found


def check_unique_ids(path: Path, text: str) -> None:
    first: dict[str, int] = {}
    for claim_id, line in claim_id_lines(text):
        if claim_id in first:
            raise DataFileError(
                path,
                f"claim id '{claim_id}' is used twice (first at line {first[claim_id]})",
                line=line,
                fix="give each claim its own id",
            )
        first[claim_id] = line


def check_targets(path: Path, text: str, claims: list[Claim]) -> None:
    """Every cited target is a study identifier or claim:ID of a claim in the file."""
    ids = [c.id for c in claims]
    for ci, claim in enumerate(claims):
        for ti, cite in enumerate(claim.cites):

            def line() -> int | None:
                return line_of(text, ["claims", ci, "cites", ti, "target"])  # noqa: B023

            if cite.target.startswith(CLAIM_PREFIX):
                other = cite.target[len(CLAIM_PREFIX) :]
                if other not in ids:
                    close = difflib.get_close_matches(other, ids, n=1)
                    hint = f"did you mean 'claim:{close[0]}'? " if close else ""
                    raise DataFileError(
                        path,
                        f"claim '{claim.id}' cites unknown claim '{other}'",
                        line=line(),
                        fix=f"{hint}cite a claim defined in this file",
                    )
                continue
            try:
                parse_identifier(cite.target)
            except InputError as exc:
                raise DataFileError(
                    path,
                    f"claim '{claim.id}' cites '{cite.target}': {exc.message}",
                    line=line(),
                    fix="give a DOI, pmid:N, pmcid:PMCN, ref:slug or claim:ID",
                ) from None


def load_claims(corpus: Corpus) -> list[Claim]:
    """The corpus's claims, or none if it has no claims file."""
    if not corpus.claims_path.exists():
        return []
    text = read_text(corpus.claims_path)
    data = parse_yaml(text, corpus.claims_path)
    if data is None:
        return []
    if not isinstance(data, dict):
        raise DataFileError(
            corpus.claims_path,
            f"expected 'claims:' and a list of claims, found a {type(data).__name__}",
            line=1,
            fix="start the file with 'claims:'; see docs/graph.md",
        )
    check_unique_ids(corpus.claims_path, text)
    claims_file = corpus.read_claims()
    claims = claims_file.claims if claims_file else []
    check_targets(corpus.claims_path, text, claims)
    return claims


def unknown_claim(claim_id: str, known: list[str], claims_path: Path | str) -> NotFoundError:
    close = difflib.get_close_matches(claim_id, known, n=3, cutoff=0.5)
    if close:
        fix = "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    elif known:
        fix = f"see `appraise claims` for the {len(known)} claims in {claims_path}"
    else:
        fix = f"add claims to {claims_path} (see docs/graph.md)"
    return NotFoundError(f"no claim '{claim_id}' in {claims_path}", fix=fix)
