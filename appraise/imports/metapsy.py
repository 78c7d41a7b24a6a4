"""Metapsy databases into a corpus: one record per study, one appraisal per comparison.

A Metapsy database (https://docs.metapsy.org) is a table with one row per comparison: the study
label (``study``), the arms, the instrument, time point and rater, effect sizes, and risk of bias
in one of two layouts:

- RoB 2 domain columns ``rob_d1``..``rob_d5`` with an overall ``rob`` (the PTSD and GAD
  databases; words such as "Low", "Some Concerns", "some concerns", "high risk");
- RoB 1 items per comparison (the depression database): sequence generation ``sg``,
  allocation concealment ``ac``, blinding of assessors ``ba`` (``sr`` for self-report) and
  intention to treat ``itt``, coded 1 (low risk) or 0 (high risk), with their 0-4 sum ``rob``.

Each row becomes the database's own judgements as an appraisal by ``metapsy-database`` (its
overall kept as the database states it, with the rubric's rule beside it), and, for the Metapsy
RoB tool (``metapsy-rob``), a second appraisal by ``metapsy-computed`` holding the items the
tool computes from database fields (appraise.rubrics.metapsy) and what the engine derives from
them, so ``appraise agree`` compares the two. Records come from the reference fields.

Everything is read and checked before the first write; bad cells are all reported at once.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from appraise.corpus import Corpus
from appraise.errors import AppraiseError, InputError
from appraise.files import TooDeepError, loads_json, read_text
from appraise.ids import normalise_doi, slug
from appraise.imports.references import ParsedReference, parse_label, parse_reference
from appraise.models import (
    Answer,
    Appraisal,
    Author,
    Judgement,
    Measure,
    ResultAssessed,
    StudyRecord,
)
from appraise.models.rubric import Rubric
from appraise.outputs.robvis import read_judgement
from appraise.rubrics import Engine, load_rubric
from appraise.rubrics.metapsy import RowFacts, computed_items

SOURCE = "metapsy"
DATABASE_REVIEWER = "metapsy-database"
COMPUTED_REVIEWER = "metapsy-computed"
Z_95 = 1.959964  # the normal quantile for a 95% interval
Layout = Literal["rob2-domains", "rob1-items"]
ROB2_COLUMNS = {"D1": "rob_d1", "D2": "rob_d2", "D3": "rob_d3", "D4": "rob_d4", "D5": "rob_d5"}
# RoB 1 domains the depression database rates: D1 sequence, D2 concealment, D4 blinding of
# outcome assessment, D5 incomplete outcome data. D3, D6 and D7 are not rated there.
ROB1_COLUMNS = {"D1": "sg", "D2": "ac", "D4": "ba", "D5": "itt"}
RUBRICS_FOR: dict[Layout, tuple[str, ...]] = {
    "rob2-domains": ("rob2", "metapsy-rob"),
    "rob1-items": ("rob1",),
}
# Database fields the computed items read: the Metapsy data standard's name first, then the
# PTSD database's.
FACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "randomised_1": ("rand_arm1", "n_randomized_arm1"),
    "randomised_2": ("rand_arm2", "n_randomized_arm2"),
    "ratio": ("rand_ratio",),
    "lost_1": ("attr_arm1",),
    "lost_2": ("attr_arm2",),
    "baseline_mean_1": ("baseline_m_arm1", "m_baseline_arm1"),
    "baseline_sd_1": ("baseline_sd_arm1", "sd_baseline_arm1"),
    "baseline_n_1": ("baseline_n_arm1", "n_baseline_arm1"),
    "baseline_mean_2": ("baseline_m_arm2", "m_baseline_arm2"),
    "baseline_sd_2": ("baseline_sd_arm2", "sd_baseline_arm2"),
    "baseline_n_2": ("baseline_n_arm2", "n_baseline_arm2"),
    "rating": ("rating",),
}
_TEXT_FACTS = {"ratio", "rating"}
_RATING = {"clinician": "clinician", "self-report": "self-report"}
_RATER_CONTEXT = {"clinician": "assessor", "self-report": "self-report"}
_ASSESSMENT_KIND = {
    "structured clinical interview": "structured clinical interview",
    "self report": "self-report questionnaire",
    "self-report": "self-report questionnaire",
}
_REFERENCE_COLUMNS = ("full_ref", "reference", "ref")
_STAMPS = {"tool", "created", "updated"}
_LONG_ARM = 40  # longer arm details are named by their category, so file names stay apart


# --- reading ---------------------------------------------------------------------------------
@dataclass
class Database:
    path: Path
    frame: pd.DataFrame
    layout: Layout
    references: dict[str, str] = field(default_factory=dict)

    @property
    def default_rubric(self) -> str:
        return RUBRICS_FOR[self.layout][0]


def _line(position: int) -> int:
    """Line of a data row in the file: the header is line 1."""
    return position + 2


def read_database(path: Path) -> Database:
    """Read a Metapsy database CSV: ``;`` with decimal commas (as the PTSD release) or ``,``
    with decimal points; ``NA`` or empty for missing. ``references.json`` beside the file (label
    -> reference string), when there, supplies the references."""
    text = read_text(path).lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    semicolons = header.count(";") > header.count(",")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=";" if semicolons else ",",
            decimal="," if semicolons else ".",
            na_values=["NA", ""],
            keep_default_na=False,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(
            f"{path}: not a readable CSV ({exc})", fix="give the database's data.csv"
        ) from None
    first = str(frame.columns[0]) if len(frame.columns) else ""
    if first == "" or first.startswith("Unnamed: 0"):
        frame = frame.drop(columns=frame.columns[0])  # R's row names
    if "study" not in frame.columns:
        raise InputError(
            f"{path}: no 'study' column", fix="give a Metapsy database (one row per comparison)"
        )
    if frame.empty:
        raise InputError(f"{path} has a header but no comparisons", fix="give the full database")
    frame = frame.reset_index(drop=True)
    if set(ROB2_COLUMNS.values()) <= set(frame.columns):
        layout: Layout = "rob2-domains"
    elif set(ROB1_COLUMNS.values()) <= set(frame.columns):
        layout = "rob1-items"
    else:
        raise InputError(
            f"{path}: no risk-of-bias columns",
            fix="expected rob_d1..rob_d5 (RoB 2) or sg, ac, ba, itt (RoB 1 items)",
        )
    references: dict[str, str] = {}
    beside = path.with_name("references.json")
    if beside.is_file():
        try:
            loaded = loads_json(read_text(beside))
        except TooDeepError as exc:
            raise InputError(f"{beside}: {exc}", fix="fix or remove it") from None
        except json.JSONDecodeError as exc:
            raise InputError(f"{beside}: not JSON ({exc.msg})", fix="fix or remove it") from None
        if not isinstance(loaded, dict):
            raise InputError(f"{beside}: not a map of study -> reference", fix="fix or remove it")
        references = {str(k): str(v) for k, v in loaded.items()}
    return Database(path, frame, layout, references)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value).strip() or None


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except ValueError:
        return None
    return None if math.isnan(number) else number


def _column(row: pd.Series, names: Iterable[str]) -> Any:
    for name in names:
        if name in row.index and _text(row[name]) is not None:
            return row[name]
    return None


# --- rows ------------------------------------------------------------------------------------
@dataclass
class Comparison:
    """One database row, read."""

    line: int
    label: str  # the study label, e.g. 'Acarturk, 2016'
    result: str  # 'EMDR vs Waitlist (IES, post)', unique within the study
    instrument: str | None
    time: str | None
    domains: dict[str, str]
    database_overall: str | None  # RoB 2 layouts: the database's own overall
    score: int | None  # RoB 1 layout: the database's 0-4 sum
    weight: float | None
    effect: tuple[float, float] | None  # the database's Hedges' g and its standard error
    rater: str | None
    facts: RowFacts


def _arm(row: pd.Series, arm: int) -> str:
    """'Imaginal exposure (arm B)': the arm's detail (its category when the detail is long),
    the multi-arm specification when it adds something, and the database's arm letter."""
    detail = _text(row.get(f"condition_arm{arm}.detail"))
    category = _text(row.get(f"condition_arm{arm}"))
    multi = _text(row.get(f"multi_arm{arm}"))
    letter = None
    if multi and (match := re.fullmatch(r"(.*\S)\s+([A-Z])", multi)):
        multi, letter = match.group(1), match.group(2)  # the PTSD database's 'PE B'
    name = detail if detail and len(detail) <= _LONG_ARM else (category or detail or multi or "?")
    if multi and multi.lower() not in (detail or name).lower():
        name = f"{name} [{multi}]"
    return f"{name} (arm {letter})" if letter else name


def comparison_label(row: pd.Series) -> str:
    instrument = _text(row.get("instrument")) or "?"
    return f"{_arm(row, 1)} vs {_arm(row, 2)} ({instrument}, {_text(row.get('time')) or '?'})"


def _facts(row: pd.Series) -> RowFacts:
    values: dict[str, Any] = {}
    for name, columns in FACT_COLUMNS.items():
        raw = _column(row, columns)
        values[name] = _text(raw) if name in _TEXT_FACTS else _number(raw)
    return RowFacts(**values)


def _weight(row: pd.Series) -> float | None:
    se = _number(row.get(".g_se"))
    return round(1.0 / se**2, 4) if se and se > 0 else None


def _effect(row: pd.Series) -> tuple[float, float] | None:
    g, se = _number(row.get(".g")), _number(row.get(".g_se"))
    return (g, se) if g is not None and se is not None and se > 0 else None


def _rob1_word(raw: Any) -> str | None:
    """The depression database's coding: 1 low risk, 0 high risk, 'sr' self-report only."""
    text = (_text(raw) or "").lower()
    if text in ("1", "1.0", "sr"):
        return "Low"
    if text in ("0", "0.0"):
        return "High"
    return None


def read_comparisons(db: Database, rubric: Rubric) -> list[Comparison]:
    """Every row, read; every bad cell is collected and reported in one error."""
    problems: list[str] = []
    out: list[Comparison] = []
    used: dict[str, set[str]] = {}
    for position, row in db.frame.iterrows():
        line = _line(int(str(position)))
        label = _text(row["study"])
        if label is None:
            problems.append(f"line {line}, column study: empty")
            continue
        domains: dict[str, str] = {}
        columns = ROB2_COLUMNS if db.layout == "rob2-domains" else ROB1_COLUMNS
        for domain, column in columns.items():
            raw = row[column]
            word = (
                read_judgement(_text(raw) or "", rubric.labels)
                if db.layout == "rob2-domains"
                else _rob1_word(raw)
            )
            if word is None:
                problems.append(f"line {line}, column {column}: '{_text(raw) or ''}'")
            else:
                domains[domain] = word
        database_overall = None
        score = None
        if "rob" in row.index and _text(row["rob"]) is not None:
            if db.layout == "rob2-domains":
                database_overall = read_judgement(_text(row["rob"]) or "", rubric.labels)
                if database_overall is None:
                    problems.append(f"line {line}, column rob: '{_text(row['rob'])}'")
            else:
                number = _number(row["rob"])
                if number is None or not number.is_integer() or not 0 <= number <= 4:
                    problems.append(f"line {line}, column rob: '{_text(row['rob'])}' (not 0-4)")
                else:
                    score = int(number)
        result = comparison_label(row)
        # Appraisal file names are slugs of the result: keep them apart within a study.
        taken = used.setdefault(label, set())
        unique, count = result, 1
        while slug(unique) in taken:
            count += 1
            unique = f"#{count} {result}"
        taken.add(slug(unique))
        rating = _text(row.get("rating"))
        out.append(
            Comparison(
                line=line,
                label=label,
                result=unique,
                instrument=_text(row.get("instrument")),
                time=_text(row.get("time")),
                domains=domains,
                database_overall=database_overall,
                score=score,
                weight=_weight(row),
                effect=_effect(row),
                rater=_RATER_CONTEXT.get((rating or "").lower()),
                facts=_facts(row),
            )
        )
    if problems:
        words = ", ".join(rubric.labels) if db.layout == "rob2-domains" else "1, 0 or sr"
        raise InputError(
            f"{db.path}: {len(problems)} cell{'s' if len(problems) > 1 else ''} not read: "
            + "; ".join(problems),
            fix=f"judgements must be {words} (first letter, any case, is enough)",
        )
    return out


# --- records ---------------------------------------------------------------------------------
def measures_of(rows: pd.DataFrame) -> list[Measure]:
    """Each instrument once, with its rater type, kind and time points, in a stable order."""
    found: dict[tuple[str, str | None, str | None], set[str]] = {}
    for _, row in rows.iterrows():
        name = _text(row.get("instrument"))
        if name is None:
            continue
        rating = _RATING.get((_text(row.get("rating")) or "").lower())
        kind = _ASSESSMENT_KIND.get((_text(row.get("outcome_assessment_type")) or "").lower())
        times = found.setdefault((name, rating, kind), set())
        if time := _text(row.get("time")):
            times.add(time)
    return [
        Measure(name=name, rating=rating, kind=kind, timepoints=sorted(times))
        for (name, rating, kind), times in sorted(found.items(), key=lambda kv: str(kv[0]))
    ]


def _reference_text(db: Database, label: str, rows: pd.DataFrame) -> str | None:
    if label in db.references:
        return db.references[label]
    for column in _REFERENCE_COLUMNS:
        if column in rows.columns:
            for value in rows[column]:
                if text := _text(value):
                    return text
    return None


def study_id_for(label: str, ref: ParsedReference | None, doi: str | None) -> str:
    if ref and ref.doi:
        return ref.doi
    if doi:
        return doi
    if ref and ref.pmid:
        return f"pmid:{ref.pmid}"
    return f"ref:{slug(label)}"


def record_for(db: Database, label: str, rows: pd.DataFrame, name: str) -> StudyRecord:
    """The record from the reference the database gives; from the label alone (first author,
    year) when it gives none. Nothing is looked up or invented."""
    text = _reference_text(db, label, rows)
    ref = parse_reference(text) if text else None
    doi_cell = next((d for d in map(_text, rows.get("doi", [])) if d), None)
    doi = normalise_doi(doi_cell) if doi_cell else None
    values: dict[str, Any] = {"publication_types": ["Randomized Controlled Trial"]}
    if ref is not None:
        values.update(
            doi=ref.doi or doi,
            pmid=ref.pmid,
            pmcid=ref.pmcid,
            title=ref.title,
            authors=[Author(family=f, given=g) for f, g in ref.authors] or None,
            journal=ref.journal,
            year=ref.year,
            volume=ref.volume,
            issue=ref.issue,
            pages=ref.pages,
        )
    else:
        family_year = parse_label(label)
        values.update(doi=doi)
        if family_year:
            values.update(authors=[Author(family=family_year[0])], year=family_year[1])
    values["measures"] = measures_of(rows) or None
    filled = {k: v for k, v in values.items() if v is not None}
    if ref is None:
        told = "It gives no reference: first author and year are read from the label."
    else:
        etal = "" if ref.authors_complete else " It lists the first authors only ('et al.')."
        told = f"Reference as given there: {' '.join(ref.text.split())}{etal}"
    return StudyRecord(
        id=study_id_for(label, ref, doi),
        **filled,
        notes=f"{name}, study '{label}'. {told}",
        sources={key: SOURCE for key in filled},
    )


# --- appraisals ------------------------------------------------------------------------------
def _result(comparison: Comparison) -> ResultAssessed:
    """The result appraised, with the database's effect size (Hedges' g, 95% interval from its
    standard error) so the report can draw the forest plot beside the judgements."""
    effect: dict[str, Any] = {}
    if comparison.effect is not None:
        g, se = comparison.effect
        effect = {
            "measure": "Hedges' g",
            "estimate": round(g, 4),
            "ci_low": round(g - Z_95 * se, 4),
            "ci_high": round(g + Z_95 * se, 4),
        }
    return ResultAssessed(
        outcome=comparison.instrument, timepoint=comparison.time, label=comparison.result, **effect
    )


def database_appraisal(
    study: str, comparison: Comparison, engine: Engine, name: str, columns: dict[str, str]
) -> tuple[Appraisal, str | None]:
    """The database's judgements; overall as the database states it, the rule's beside it.
    Returns the appraisal and the rule's overall."""
    rubric = engine.rubric
    by_rule, rule = engine.overall_from(comparison.domains, assessed=comparison.domains)
    given = comparison.database_overall
    overall = Judgement(proposed=by_rule, rule=rule, judgement=given or by_rule)
    if given is not None:
        agrees = "agrees" if given == by_rule else "DISAGREES"
        overall.support = (
            f"The database's own overall is {given}; the {rubric.id} rule gives {by_rule} "
            f"({agrees})."
        )
        if by_rule is not None and given != by_rule:
            overall.override_reason = (
                f"kept as {name} states it; its overall follows the worst-domain rule"
            )
    elif comparison.score is not None:
        overall.support = (
            f"Computed by the {rubric.id} rule over the domains the database rates "
            f"({', '.join(comparison.domains)}); the database's own score is "
            f"{comparison.score} of 4 (sg, ac, ba, itt)."
        )
    context = (
        {"rater": comparison.rater}
        if comparison.rater and any(c.id == "rater" for c in rubric.context)
        else {}
    )
    appraisal = Appraisal(
        study=study,
        rubric=rubric.id,
        rubric_version=rubric.version,
        rubric_file_version=rubric.file_version,
        profile=engine.profile,
        options=dict(engine.options),
        result=_result(comparison),
        reviewer=DATABASE_REVIEWER,
        status="complete",
        context=context,
        domains={
            d: Judgement(judgement=j, support=f"Imported from {name} ({columns[d]}).")
            for d, j in comparison.domains.items()
        },
        overall=overall,
        weight=comparison.weight,
        notes=f"{name}, line {comparison.line}: the database's judgements (no item answers).",
    )
    return appraisal, by_rule


def computed_appraisal(study: str, comparison: Comparison, engine: Engine, name: str) -> Appraisal:
    """The Metapsy RoB items computed from the row, and what the engine derives from them."""
    rubric = engine.rubric
    items = computed_items(comparison.facts)
    answers = {
        qid: Answer(
            answer=item.answer, source="proposed", detector="metapsy-database", comment=item.reason
        )
        for qid, item in items.items()
    }
    evaluation = engine.evaluate({qid: item.answer for qid, item in items.items()})
    domains = {
        d: Judgement(
            proposed=r.judgement,
            rule=r.rule,
            judgement=r.judgement,
            support=None if r.judgement else "needs a reviewer's answers: " + ", ".join(r.missing),
        )
        for d, r in evaluation.domains.items()
    }
    overall, rule = engine.overall_from({d: j.judgement for d, j in domains.items()})
    return Appraisal(
        study=study,
        rubric=rubric.id,
        rubric_version=rubric.version,
        rubric_file_version=rubric.file_version,
        profile=engine.profile,
        result=_result(comparison),
        reviewer=COMPUTED_REVIEWER,
        status="in-progress",
        answers=answers,
        domains=domains,
        overall=Judgement(proposed=overall, rule=rule, judgement=overall),
        weight=comparison.weight,
        notes=f"{name}, line {comparison.line}: the items the Metapsy RoB tool computes from "
        "database fields; the others need a reviewer (`appraise assess`).",
    )


# --- the import ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Disagreement:
    study: str
    result: str
    by_rule: str
    database: str


@dataclass
class MetapsyImport:
    layout: Layout
    rubric: str
    studies: int = 0
    comparisons: int = 0
    records_written: int = 0
    records_kept: list[str] = field(default_factory=list)  # existing, not from this database
    appraisals_written: int = 0
    appraisals_unchanged: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)
    computed_domains: dict[str, int] = field(default_factory=dict)  # judged from data alone
    ids: dict[str, str] = field(default_factory=dict)  # study label -> record id


def _same(existing: Appraisal, new: Appraisal) -> bool:
    return existing.model_dump(exclude=_STAMPS) == new.model_dump(exclude=_STAMPS)


def import_metapsy(
    corpus: Corpus,
    db: Database,
    *,
    rubric: str | None = None,
    name: str | None = None,
) -> MetapsyImport:
    """Import ``db`` into ``corpus`` under ``rubric`` (default: rob2 for RoB 2 domain columns,
    rob1 for RoB 1 items). Rerunning it changes nothing that has not changed."""
    rubric_id = rubric or db.default_rubric
    if rubric_id not in RUBRICS_FOR[db.layout]:
        raise InputError(
            f"{db.path} holds {db.layout.replace('-', ' ')}; rubric {rubric_id} cannot take them",
            fix="use --rubric " + " or ".join(RUBRICS_FOR[db.layout]),
        )
    rub = load_rubric(rubric_id)
    # The database's own overall follows the worst-domain rule: RoB 2's cochrane profile.
    engine = Engine(rub, profile="cochrane" if rubric_id == "rob2" else None)
    label = name or f"Metapsy database {db.path.name}"
    comparisons = read_comparisons(db, rub)
    columns = ROB2_COLUMNS if db.layout == "rob2-domains" else ROB1_COLUMNS
    result = MetapsyImport(db.layout, rubric_id, comparisons=len(comparisons))
    records: list[StudyRecord] = []
    appraisals: list[Appraisal] = []
    ids: dict[str, str] = {}
    for study_label, rows in sorted(db.frame.groupby("study"), key=lambda kv: str(kv[0])):
        record = record_for(db, str(study_label), rows, label)
        if record.id in ids.values():
            raise InputError(
                f"{db.path}: studies '{study_label}' and "
                f"'{next(k for k, v in ids.items() if v == record.id)}' share the id {record.id}",
                fix="check the references' DOIs",
            )
        ids[str(study_label)] = record.id
        records.append(record)
    for comparison in comparisons:
        study = ids[comparison.label]
        appraisal, by_rule = database_appraisal(study, comparison, engine, label, columns)
        appraisals.append(appraisal)
        given = comparison.database_overall
        if given is not None and by_rule != given:
            result.disagreements.append(
                Disagreement(comparison.label, comparison.result, by_rule or "none", given)
            )
        if rubric_id == "metapsy-rob":
            computed = computed_appraisal(study, comparison, engine, label)
            appraisals.append(computed)
            for domain in (d for d, j in computed.domains.items() if j.judgement):
                result.computed_domains[domain] = result.computed_domains.get(domain, 0) + 1
    result.studies = len(records)
    result.ids = ids
    for record in records:
        existing = corpus.find_record(record.id)
        if existing is not None and set(existing.sources.values()) - {SOURCE}:
            result.records_kept.append(record.id)  # fetched or entered by hand: keep it
            continue
        if existing != record:
            corpus.write_record(record)
            result.records_written += 1
    for appraisal in appraisals:
        path = corpus.path_for(appraisal)
        try:
            existing_appraisal = corpus.read_appraisal(path) if path.exists() else None
        except AppraiseError:
            existing_appraisal = None
        if existing_appraisal is not None and _same(existing_appraisal, appraisal):
            result.appraisals_unchanged += 1
            continue
        created = existing_appraisal.created if existing_appraisal else None
        corpus.write_appraisal(appraisal.model_copy(update={"created": created}), path)
        result.appraisals_written += 1
    return result
