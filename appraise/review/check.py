"""`appraise check`: every record, appraisal, document and claim in a corpus, validated.

Problems carry the file and line, what is wrong and how to fix it. Errors are things a
report would get wrong (a file that does not load, judgements that do not follow from the
stored answers, an override without a reason, an appraisal of an unknown study); warnings
are loose ends (a document or a cited id with no record).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

from appraise.corpus import Corpus
from appraise.errors import AppraiseError, DataFileError
from appraise.files import line_of, read_text
from appraise.ids import parse_identifier
from appraise.models import Appraisal, Judgement, StudyRecord
from appraise.rubrics import Engine, load_rubric

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str
    fix: str | None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}" + (f" ({self.fix})" if self.fix else "")

    def to_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "line": self.line,
            "message": self.message,
            "fix": self.fix,
            "severity": self.severity,
        }


def _from_error(path: Path, exc: AppraiseError) -> Problem:
    if isinstance(exc, DataFileError):
        where = f"{exc.path}:{exc.line}: " if exc.line else f"{exc.path}: "
        return Problem(path, exc.line, exc.message.removeprefix(where), exc.fix)
    return Problem(path, None, exc.message, exc.fix)


class _Located:
    """Problems for one YAML file, each placed on the line of the key it concerns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    @cached_property
    def text(self) -> str:
        return read_text(self.path)  # only for a file with a problem to place

    def add(
        self, keys: Sequence[str | int], message: str, fix: str | None, severity: Severity = "error"
    ) -> None:
        line = line_of(self.text, list(keys))
        self.problems.append(Problem(self.path, line, message, fix, severity))


def check_corpus(corpus: Corpus) -> list[Problem]:
    """Every problem in the corpus, in file order (records, appraisals, documents, claims)."""
    problems: list[Problem] = []
    record_ids: set[str] = set()
    record_paths, appraisal_paths = corpus.record_paths(), corpus.appraisal_paths()
    corpus.preload(
        [(path, StudyRecord) for path in record_paths]
        + [(path, Appraisal) for path in appraisal_paths]
    )
    for path in record_paths:
        try:
            record = corpus.load(path, StudyRecord)  # shared with what the command reads next
        except AppraiseError as exc:
            problems.append(_from_error(path, exc))
            record_ids.add(corpus.study_of(path))  # its appraisals are not orphans
            continue
        record_ids.add(record.id)
        if not corpus.is_named_for(path, record.id):
            problems.append(
                Problem(
                    path,
                    line_of(read_text(path), ["id"]),
                    f"the file name does not match the record's id {record.id}",
                    f"rename it to {corpus.record_path(record.id).name}",
                )
            )
    for path in appraisal_paths:
        problems.extend(check_appraisal_file(corpus, path, record_ids))
    problems.extend(_check_documents(corpus, record_ids))
    problems.extend(_check_claims(corpus, record_ids))
    return problems


def check_appraisal_file(
    corpus: Corpus, path: Path, record_ids: set[str] | None = None
) -> list[Problem]:
    """Schema, rubric and version, answer codes, judgements against the rules, overrides."""
    try:
        appraisal = corpus.load(path, Appraisal)
    except AppraiseError as exc:
        return [_from_error(path, exc)]
    found = _Located(path)
    try:
        rubric = load_rubric(appraisal.rubric)
    except AppraiseError as exc:
        found.add(["rubric"], exc.message, exc.fix)
        return found.problems
    if appraisal.rubric_version != rubric.version:
        found.add(
            ["rubric_version"],
            f"written for {rubric.id} version {appraisal.rubric_version}; this appraise "
            f"ships version {rubric.version}",
            "re-appraise with the current rubric, or use the appraise release that wrote it",
        )
    if appraisal.rubric_file_version != rubric.file_version:
        found.add(
            ["rubric_file_version"],
            f"written with rubric file version {appraisal.rubric_file_version}; the "
            f"shipped {rubric.id} file is version {rubric.file_version}",
            "run `appraise assess` on it again so the judgements follow the current rules",
        )
    if record_ids is not None and appraisal.study not in record_ids:
        found.add(
            ["study"],
            f"no record for study {appraisal.study}",
            f"run `appraise fetch {appraisal.study}` into this corpus, or correct the id",
        )
    elif not corpus.is_named_for(path, appraisal.study):
        found.add(
            ["study"],
            f"the file is in the folder of another study ({path.parent.name})",
            f"move it to appraisals/{corpus.study_stem(appraisal.study)}/",
        )
    try:
        engine = _engine(appraisal.rubric, appraisal.profile, tuple(appraisal.options.items()))
    except AppraiseError as exc:
        found.add(["profile"] if "profile" in exc.message else ["options"], exc.message, exc.fix)
        return found.problems
    imported = bool(appraisal.answers) and all(
        a.source == "imported" for a in appraisal.answers.values()
    )
    if not appraisal.answers or imported:
        _check_imported(found, appraisal, engine)
        return found.problems
    values = dict(appraisal.context)
    for qid, answer in appraisal.answers.items():
        try:
            values.update(engine.normalise({qid: answer.answer}))
        except AppraiseError as exc:
            found.add(["answers", qid, "answer"], exc.message, exc.fix)
    if found.problems:
        return found.problems
    evaluation = engine.evaluate(values)
    for did, result in evaluation.domains.items():
        stored = appraisal.domains.get(did)
        if stored is None:
            if result.judgement is not None:
                found.add(
                    ["domains"],
                    f"{did} is missing; the rules give {result.judgement}",
                    "run `appraise assess` on it again to fill in the judgements",
                )
            continue
        if stored.proposed != result.judgement:
            found.add(
                ["domains", did, "proposed"],
                f"{did} proposed judgement {stored.proposed} does not follow from the "
                f"stored answers (the rules give {result.judgement})",
                "an answer was edited by hand: run `appraise assess` on it again to "
                "re-derive the judgements",
            )
        _check_override(found, ["domains", did], did, stored, rubric.labels)
    finals = {d: j.judgement or j.proposed for d, j in appraisal.domains.items()}
    expected, _ = engine.overall_from(finals)
    if appraisal.overall.proposed != expected:
        found.add(
            ["overall", "proposed"],
            f"overall proposed judgement {appraisal.overall.proposed} does not follow "
            f"from the domain judgements (the rules give {expected})",
            "run `appraise assess` on it again to re-derive the judgements",
        )
    _check_override(found, ["overall"], "overall", appraisal.overall, rubric.labels)
    extra = sorted(set(appraisal.domains) - set(evaluation.domains))
    for did in extra:
        found.add(
            ["domains", did],
            f"domain {did} is not part of {rubric.id} with these options",
            "remove it",
        )
    return found.problems


@cache
def _engine(rubric: str, profile: str | None, options: tuple[tuple[str, str], ...]) -> Engine:
    """One compiled engine per rubric, profile and options (building one costs more than
    checking an appraisal with it; a corpus has few distinct ones)."""
    return Engine(load_rubric(rubric), profile=profile, options=dict(options))


def _check_override(
    found: _Located, keys: list[str], name: str, judgement: Judgement, labels: list[str]
) -> None:
    if judgement.overridden and judgement.proposed is not None and not judgement.override_reason:
        found.add(
            [*keys, "judgement"],
            f"{name} judgement {judgement.judgement} overrides the rules' "
            f"{judgement.proposed} without a reason",
            "add override_reason: why",
        )
    if judgement.judgement is not None and judgement.judgement not in labels:
        found.add(
            [*keys, "judgement"],
            f"'{judgement.judgement}' is not a judgement level",
            "use one of " + ", ".join(labels),
        )


def _check_imported(found: _Located, appraisal: Appraisal, engine: Engine) -> None:
    """Judgements-only appraisals (e.g. from a database): labels valid, overall consistent."""
    from appraise.graph.style import BEYOND_SCALE

    labels = engine.rubric.labels
    finals: dict[str, str | None] = {}
    for did, j in appraisal.domains.items():
        label = j.judgement or j.proposed
        # robvis' own words beyond a tool's scale come in with imported judgements
        if label is not None and label not in labels and label not in BEYOND_SCALE:
            found.add(
                ["domains", did],
                f"'{label}' is not a {engine.rubric.id} judgement",
                "use one of " + ", ".join(labels),
            )
        finals[did] = label
    overall = appraisal.overall.judgement or appraisal.overall.proposed
    expected, _ = engine.overall_from(finals)
    if (
        overall is not None
        and expected is not None
        and overall != expected
        and not (appraisal.overall.override_reason)
    ):
        found.add(
            ["overall"],
            f"overall {overall} does not follow from the domains by the rubric's rule "
            f"(which gives {expected}) and gives no reason",
            "correct it, or add overall.override_reason saying why it differs",
        )


def _check_documents(corpus: Corpus, record_ids: set[str]) -> list[Problem]:
    problems = []
    for path in corpus.document_paths():
        study = corpus.study_of(path)
        if study not in record_ids:
            problems.append(
                Problem(
                    path,
                    None,
                    f"a document with no record ({study})",
                    f"run `appraise fetch {study}`, or remove the file",
                    "warning",
                )
            )
    return problems


def _check_claims(corpus: Corpus, record_ids: set[str]) -> list[Problem]:
    try:
        claims = corpus.read_claims()
    except AppraiseError as exc:
        return [_from_error(corpus.claims_path, exc)]
    if claims is None:
        return []
    found = _Located(corpus.claims_path)
    claim_ids = {c.id for c in claims.claims}
    for index, claim in enumerate(claims.claims):
        for cite_index, citation in enumerate(claim.cites):
            keys: list[str | int] = ["claims", index, "cites", cite_index, "target"]
            target = citation.target
            if target.startswith("claim:"):
                if target.removeprefix("claim:") not in claim_ids:
                    found.add(
                        keys,
                        f"claim {claim.id} cites {target}, which is not a claim",
                        "correct the claim id",
                        "warning",
                    )
                continue
            try:
                study = str(parse_identifier(target))
            except AppraiseError as exc:
                found.add(keys, f"claim {claim.id} cites '{target}': {exc.message}", exc.fix)
                continue
            if study not in record_ids and corpus.find_record(study) is None:
                found.add(
                    keys,
                    f"claim {claim.id} cites {study}, which has no record",
                    f"run `appraise fetch {study}` into this corpus",
                    "warning",
                )
    return found.problems
