#!/usr/bin/env python3
"""Build corpus/metapsy-ptsd from the Metapsy PTSD psychotherapy trials database.

    python3 scripts/build_metapsy_corpus.py [--shared ../shared] [--out corpus/metapsy-ptsd]

Reads ``data/metapsy-ptsd/`` (data.csv: one row per comparison and instrument, semicolon
separated with decimal commas; references.json: one reference string per study) and writes:

- ``records/``: one StudyRecord per study, parsed from its reference string (never invented),
  with the outcome measures and their rater type; provenance ``metapsy``;
- ``appraisals/``: the database's RoB 2 domain judgements as imported appraisals (reviewer
  ``metapsy-database``), overall computed by the rubric engine (cochrane profile) and compared
  with the database's own overall column;
- ``claims.yaml``: one claim per treatment family versus control (and for samples exposed to
  political violence or forced displacement), each citing its trials with an inverse-variance
  weight.

The output depends only on the input: the same data gives the same bytes.
The data are (c) the Metapsy project / National Center for PTSD, under the Open Data Commons
Attribution License (ODC-By 1.0).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from appraise.corpus import Corpus, CorpusInfo
from appraise.errors import AppraiseError, InputError
from appraise.files import atomic_write_text, dump_yaml
from appraise.ids import normalise_doi, slug
from appraise.models import (
    Appraisal,
    Author,
    Citation,
    Claim,
    ClaimsFile,
    Judgement,
    MadeIn,
    Measure,
    ResultAssessed,
    StudyRecord,
)
from appraise.models.appraisal import SCHEMA_VERSION as APPRAISAL_SCHEMA
from appraise.models.record import SCHEMA_VERSION as RECORD_SCHEMA
from appraise.rubrics import Engine, load_rubric

SOURCE = "metapsy"
REVIEWER = "metapsy-database"
TOOL = "scripts/build_metapsy_corpus.py"
DATA_DIR = ("data", "metapsy-ptsd")
DOMAIN_COLUMNS = {"D1": "rob_d1", "D2": "rob_d2", "D3": "rob_d3", "D4": "rob_d4", "D5": "rob_d5"}
ATTRIBUTION = "Metapsy project / National Center for PTSD"
LICENCE = "Open Data Commons Attribution License (ODC-By 1.0)"
# The database spells one label differently from RoB 2 and robvis.
_JUDGEMENT_WORDS = {"low": "Low", "some concerns": "Some concerns", "high": "High"}
_RATING = {"clinician": "clinician", "self-report": "self-report"}
# RoB 2's context item 'rater' (read by the metapsy profile's D4) calls a clinician 'assessor'.
_RATER_CONTEXT = {"clinician": "assessor", "self-report": "self-report"}
_ASSESSMENT_KIND = {
    "Structured Clinical Interview": "structured clinical interview",
    "Self report": "self-report questionnaire",
}

# --- reference strings (NLM style: Authors. Title. Journal. Date;Vol(Issue):Pages. doi. PMID.)

_DOI = re.compile(r"\bdoi:\s*(10\.\d{4,9}/\S+?)\.?(?=\s|$)", re.IGNORECASE)
_PMID = re.compile(r"\bPMID:\s*(\d{1,9})")
_PMCID = re.compile(r"\bPMCID:\s*(PMC\d+)")
_TRAILER = re.compile(r"\s*(?:\bdoi:|\bPMID:|\bPMCID:|\bEpub\b).*$", re.IGNORECASE | re.DOTALL)
# "Surname AB, Other C, et al." up to the first full stop after initials or "et al".
_AUTHORS = re.compile(r"^(?P<authors>.+?(?:\bet al|\b[A-Z]{1,4}))\.\s+")
# The citation: ". 2016 Sep;46(12):2583-93" / ". 2019 29(5): 621-639" / ". 2012;181:128-32"
_CITATION = re.compile(
    r"\.\s+(?P<year>(?:19|20)\d\d)\b[^;:()]*?[;\s]\s*(?P<volume>[\w-]+)?"
    r"(?:\((?P<issue>[^)]*)\))?(?::\s*(?P<pages>[\w-]+))?\.*\s*$"
)
_YEAR_ONLY = re.compile(r"\.\s+(?P<year>(?:19|20)\d\d)\b[^.]*\.*\s*$")
# Full stops inside a title or journal that do not end it.
_NOT_A_BREAK = re.compile(r"\b(?:vs|et al|[A-Z])\.$")


@dataclass(frozen=True)
class ParsedReference:
    """The facts a reference string states; None where it does not state one."""

    text: str
    authors: tuple[tuple[str, str | None], ...] = ()
    authors_complete: bool = True
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None


def _split_author(name: str) -> tuple[str, str | None]:
    """'van den Berg DP' -> ('van den Berg', 'DP'); a name without initials stays whole."""
    parts = name.split()
    if len(parts) > 1 and re.fullmatch(r"[A-Z]{1,4}", parts[-1]):
        return " ".join(parts[:-1]), parts[-1]
    return name, None


def _split_title_journal(middle: str) -> tuple[str | None, str | None]:
    """Title first, journal last: split at the first full stop that ends a sentence."""
    for match in re.finditer(r"\.\s+", middle):
        head = middle[: match.start() + 1]
        if not _NOT_A_BREAK.search(head):
            return head[:-1].strip() or None, middle[match.end() :].strip(" .") or None
    return middle.strip(" .") or None, None


def parse_reference(text: str) -> ParsedReference:
    """Parse one Metapsy reference string. Pure; states only what the string states."""
    clean = " ".join(text.split())
    doi_match = _DOI.search(clean)
    pmid_match = _PMID.search(clean)
    pmcid_match = _PMCID.search(clean)
    body = _TRAILER.sub("", clean).strip()
    found: dict[str, Any] = {
        "text": text,
        "doi": normalise_doi(doi_match.group(1)) if doi_match else None,
        "pmid": pmid_match.group(1) if pmid_match else None,
        "pmcid": pmcid_match.group(1) if pmcid_match else None,
    }
    if m := _AUTHORS.match(body):
        names = [n.strip() for n in m.group("authors").split(",") if n.strip()]
        found["authors_complete"] = names[-1] != "et al"
        found["authors"] = tuple(_split_author(n) for n in names if n != "et al")
        body = body[m.end() :]
    citation = _CITATION.search(body) or _YEAR_ONLY.search(body)
    if citation:
        found["year"] = int(citation.group("year"))
        for part in ("volume", "issue", "pages"):
            found[part] = citation.groupdict().get(part)
        body = body[: citation.start() + 1]
    found["title"], found["journal"] = _split_title_journal(body)
    return ParsedReference(**found)


# --- the dataset ------------------------------------------------------------------------------


def read_dataset(shared: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The comparisons table and the reference string of each study."""
    folder = shared.joinpath(*DATA_DIR)
    data_path, refs_path = folder / "data.csv", folder / "references.json"
    for path in (data_path, refs_path):
        if not path.is_file():
            raise InputError(
                f"{path} not found", fix="give --shared the folder that holds data/metapsy-ptsd"
            )
    frame = pd.read_csv(
        data_path, sep=";", decimal=",", na_values=["NA"], keep_default_na=False, index_col=0
    )
    missing = {"study", "full_ref", ".g", ".g_se", "rob", *DOMAIN_COLUMNS.values()} - set(
        frame.columns
    )
    if missing:
        raise InputError(
            f"{data_path} lacks the columns {', '.join(sorted(missing))}",
            fix="use the Metapsy PTSD database's data.csv",
        )
    references = json.loads(refs_path.read_text(encoding="utf-8"))
    return frame, references


def _text(value: Any) -> str | None:
    return None if pd.isna(value) else str(value).strip() or None


def judgement_word(raw: Any, where: str) -> str:
    """'Some Concerns' (the database) -> 'Some concerns' (RoB 2, robvis)."""
    word = _JUDGEMENT_WORDS.get(str(raw).strip().lower()) if not pd.isna(raw) else None
    if word is None:
        raise InputError(
            f"{where}: '{raw}' is not a RoB 2 judgement",
            fix="expected Low, Some Concerns or High",
        )
    return word


def measures_of(rows: pd.DataFrame) -> list[Measure]:
    """Each instrument once, with its rater type, kind and time points, in a stable order."""
    found: dict[tuple[str, str | None, str | None], set[str]] = {}
    for _, row in rows.iterrows():
        name = _text(row.get("instrument"))
        if name is None:
            continue
        rating = _RATING.get(_text(row.get("rating")) or "")
        kind = _ASSESSMENT_KIND.get(_text(row.get("outcome_assessment_type")) or "")
        times = found.setdefault((name, rating, kind), set())
        if time := _text(row.get("time")):
            times.add(time)
    return [
        Measure(name=name, rating=rating, kind=kind, timepoints=sorted(times))
        for (name, rating, kind), times in sorted(found.items(), key=lambda kv: str(kv[0]))
    ]


def study_id_for(label: str, ref: ParsedReference) -> str:
    if ref.doi:
        return ref.doi
    if ref.pmid:
        return f"pmid:{ref.pmid}"
    return f"ref:{slug(label)}"


def record_for(label: str, ref: ParsedReference, measures: list[Measure]) -> StudyRecord:
    values: dict[str, Any] = {
        "doi": ref.doi,
        "pmid": ref.pmid,
        "pmcid": ref.pmcid,
        "title": ref.title,
        "authors": [Author(family=f, given=g) for f, g in ref.authors] or None,
        "journal": ref.journal,
        "year": ref.year,
        "volume": ref.volume,
        "issue": ref.issue,
        "pages": ref.pages,
        "publication_types": ["Randomized Controlled Trial"],
        "measures": measures or None,
    }
    filled = {k: v for k, v in values.items() if v is not None}
    etal = "" if ref.authors_complete else " It lists the first authors only ('et al.')."
    return StudyRecord(
        schema_version=RECORD_SCHEMA,
        id=study_id_for(label, ref),
        **filled,
        notes=f"Metapsy PTSD database, study '{label}'. Reference as given there: "
        f"{' '.join(ref.text.split())}{etal}",
        sources={name: SOURCE for name in filled},
    )


# --- appraisals -------------------------------------------------------------------------------


@dataclass
class StudyRoB:
    """The database's RoB 2 judgements for one study (or one of its comparisons)."""

    study: str
    label: str
    domains: dict[str, str]
    database_overall: str
    comparisons: list[str] = field(default_factory=list)
    weight: float = 0.0
    rater: str | None = None


def _comparison_label(row: pd.Series) -> str:
    arm1 = _text(row.get("multi_arm1")) or _text(row.get("condition_arm1.detail")) or "?"
    arm2 = _text(row.get("condition_arm2.detail")) or _text(row.get("condition_arm2")) or "?"
    arm1 = re.sub(r"\s+[A-Z]$", "", arm1)  # the database's arm letter ('... (PE) B')
    instrument = _text(row.get("instrument")) or "?"
    return f"{arm1} vs {arm2} ({instrument}, {_text(row.get('time')) or '?'})"


def inverse_variance(rows: pd.DataFrame) -> float:
    se = rows[".g_se"].dropna()
    return float((1.0 / se.pow(2)).sum())


def rob_per_study(study_id: str, label: str, rows: pd.DataFrame) -> list[StudyRoB]:
    """One entry per study; one per comparison only if its judgements differ between them."""
    groups: dict[tuple[str, ...], pd.DataFrame] = {}
    for index, row in rows.iterrows():
        where = f"data.csv row {index} ({label})"
        key = tuple(judgement_word(row[c], where) for c in [*DOMAIN_COLUMNS.values(), "rob"])
        groups[key] = (
            pd.concat([groups[key], rows.loc[[index]]]) if key in groups else rows.loc[[index]]
        )
    entries = []
    for key, group in groups.items():
        comparisons = sorted({_comparison_label(r) for _, r in group.iterrows()})
        raters = {_RATER_CONTEXT.get(_text(r) or "") for r in group["rating"]}
        entries.append(
            StudyRoB(
                study=study_id,
                label="PTSD severity, post" if len(groups) == 1 else "; ".join(comparisons),
                domains=dict(zip(DOMAIN_COLUMNS, key[:-1], strict=True)),
                database_overall=key[-1],
                comparisons=comparisons,
                weight=inverse_variance(group),
                rater=raters.pop() if len(raters) == 1 else None,
            )
        )
    return entries


def imported_appraisal(rob: StudyRoB, engine: Engine) -> Appraisal:
    overall, rule = engine.overall_from(rob.domains)
    agrees = "agrees" if overall == rob.database_overall else "DISAGREES"
    return Appraisal(
        schema_version=APPRAISAL_SCHEMA,
        study=rob.study,
        rubric=engine.rubric.id,
        rubric_version=engine.rubric.version,
        rubric_file_version=engine.rubric.file_version,
        profile=engine.profile,
        options=dict(engine.options),
        result=ResultAssessed(outcome="PTSD symptom severity", timepoint="post", label=rob.label),
        reviewer=REVIEWER,
        status="complete",
        context={"rater": rob.rater} if rob.rater else {},
        domains={
            d: Judgement(judgement=j, support=f"Imported from the Metapsy PTSD database ({col}).")
            for (d, col), j in zip(DOMAIN_COLUMNS.items(), rob.domains.values(), strict=True)
        },
        overall=Judgement(
            proposed=overall,
            rule=rule,
            judgement=overall,
            support=f"Computed from the imported domain judgements; the database's own overall "
            f"is {rob.database_overall} ({agrees}).",
        ),
        weight=round(rob.weight, 4),
        tool=TOOL,
        notes="Domain judgements imported from the Metapsy PTSD database (signalling questions "
        "not available). Comparisons covered: " + "; ".join(rob.comparisons) + ".",
    )


# --- claims -----------------------------------------------------------------------------------

Selector = Callable[[pd.DataFrame], "pd.Series[bool]"]


@dataclass(frozen=True)
class Family:
    claim_id: str
    name: str
    select: Selector


def _arm1(category: str) -> Selector:
    return lambda frame: frame["condition_arm1"] == category


FAMILIES: tuple[Family, ...] = (
    Family("psychotherapy-vs-control", "Psychotherapy", lambda f: f["study"].notna()),
    Family("emdr-vs-control", "EMDR", _arm1("EMDR")),
    Family("pe-vs-control", "Prolonged exposure (PE)", _arm1("PE")),
    Family(
        "cpt-vs-control",
        "Cognitive processing therapy (CPT)",
        lambda f: f["condition_arm1.detail"].fillna("").str.contains("Cognitive Processing"),
    ),
    Family("net-vs-control", "Narrative exposure therapy (NET)", _arm1("NET")),
    Family("tf-cbt-vs-control", "Trauma-focused CBT (TF-CBT)", _arm1("TF-CBT")),
    Family("exposure-vs-control", "Exposure therapy (other than PE)", _arm1("Exposure Therapy")),
    Family(
        "tf-cognitive-therapy-vs-control",
        "Trauma-focused cognitive therapy",
        _arm1("TF-Cognitive Therapy"),
    ),
    Family("tf-other-vs-control", "Other trauma-focused therapies", _arm1("TF-Other")),
    Family(
        "cbt-no-trauma-focus-vs-control",
        "CBT without a trauma focus",
        _arm1("CBT without trauma focus"),
    ),
    Family(
        "other-non-trauma-focused-vs-control",
        "Other non-trauma-focused therapies",
        _arm1("Other non-trauma-focused"),
    ),
    Family("mixed-psychotherapy-vs-control", "Mixed psychotherapy", _arm1("Mixed psychotherapy")),
    Family(
        "political-violence-displacement-vs-control",
        "Psychotherapy for survivors of terrorism, political violence or forced displacement",
        lambda f: f["trauma_type"] == "Terrorism/political violence/forced displacement",
    ),
)


def _citation(study_id: str, rows: pd.DataFrame) -> Citation:
    weights = 1.0 / rows[".g_se"].pow(2)
    pooled = float((rows[".g"] * weights).sum() / weights.sum())
    parts = [
        f"g={row['.g']:.2f} (SE {row['.g_se']:.2f}) {_comparison_label(row)}, "
        f"{_text(row.get('rating')) or 'rater not given'}"
        for _, row in rows.iterrows()
    ]
    return Citation(
        target=study_id,
        kind="supports" if pooled > 0 else "weakens",
        weight=round(float(weights.sum()), 4),
        note="; ".join(parts) + ". Weight: inverse variance (1/SE^2), summed over these rows.",
    )


def family_claims(frame: pd.DataFrame, ids: dict[str, str]) -> ClaimsFile:
    claims = []
    for family in FAMILIES:
        rows = frame[family.select(frame)]
        if rows.empty:
            continue
        controls = ", ".join(sorted(rows["condition_arm2"].dropna().unique()))
        claims.append(
            Claim(
                id=family.claim_id,
                text=f"{family.name} reduces PTSD symptoms more than control conditions "
                f"({controls}) at the end of treatment.",
                made_in=MadeIn(
                    source="Metapsy PTSD psychotherapy trials database (comparisons with "
                    "control conditions)",
                    section=family.name,
                    url="https://www.metapsy.org",
                ),
                cites=[
                    _citation(ids[label], group)
                    for label, group in sorted(rows.groupby("study"), key=lambda kv: kv[0])
                ],
                notes=f"{len(rows)} comparisons from {rows['study'].nunique()} trials. A trial "
                "supports the claim when its inverse-variance-weighted g favours the therapy, "
                "and weakens it otherwise.",
            )
        )
    return ClaimsFile(claims=claims)


# --- writing ----------------------------------------------------------------------------------


@dataclass
class BuildResult:
    records: int
    appraisals: int
    claims: int
    disagreements: list[tuple[str, str, str]]  # (study label, engine overall, database overall)


def corpus_info() -> CorpusInfo:
    return CorpusInfo(
        name="metapsy-ptsd",
        description="102 randomised trials of psychotherapy for PTSD (131 comparisons with "
        "control conditions) from the Metapsy PTSD database, with the database's RoB 2 "
        "judgements, outcome measures and rater types, and claims per treatment family.",
        licence=LICENCE + " - http://opendatacommons.org/licenses/by/1.0/",
        attribution=ATTRIBUTION + ". Converted by scripts/build_metapsy_corpus.py.",
        default_rubric="rob2",
        rubrics=["rob2"],
    )


def to_yaml(model: BaseModel) -> str:
    """Only the fields this script set: files stay byte-identical when a later version of the
    models adds a field with a default."""
    return dump_yaml(model.model_dump(mode="json", exclude_none=True, exclude_unset=True))


def _write(path: Path, model: BaseModel) -> None:
    text = to_yaml(model)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)


def build(shared: Path, out: Path) -> BuildResult:
    """Convert everything in memory first, so bad data stops the build before any write."""
    frame, references = read_dataset(shared)
    engine = Engine(load_rubric("rob2"), profile="cochrane")
    corpus = Corpus(out)
    files: list[tuple[Path, BaseModel]] = []
    ids: dict[str, str] = {}
    appraisals = 0
    disagreements = []
    for label, rows in sorted(frame.groupby("study"), key=lambda kv: kv[0]):
        text = references.get(label) or _text(rows["full_ref"].iloc[0])
        if text is None:
            raise InputError(f"no reference for study '{label}'", fix="check references.json")
        record = record_for(label, parse_reference(text), measures_of(rows))
        if record.id in ids.values():
            raise InputError(
                f"two studies share the id {record.id} ('{label}')",
                fix="check the references' DOIs",
            )
        ids[label] = record.id
        files.append((corpus.record_path(record.id), record))
        for rob in rob_per_study(record.id, label, rows):
            appraisal = imported_appraisal(rob, engine)
            files.append((corpus.path_for(appraisal), appraisal))
            appraisals += 1
            if appraisal.overall.judgement != rob.database_overall:
                disagreements.append(
                    (label, appraisal.overall.judgement or "?", rob.database_overall)
                )
    claims = family_claims(frame, ids)
    files += [(corpus.claims_path, claims), (corpus.info_path, corpus_info())]
    for path, model in files:
        _write(path, model)
    return BuildResult(len(ids), appraisals, len(claims.claims), disagreements)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("corpus/metapsy-ptsd"))
    args = parser.parse_args(argv)
    try:
        result = build(args.shared, args.out)
    except AppraiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(
        f"wrote {result.records} records, {result.appraisals} appraisals and "
        f"{result.claims} claims to {args.out}"
    )
    if result.disagreements:
        print(f"{len(result.disagreements)} studies where the engine's overall differs:")
        for label, ours, theirs in result.disagreements:
            print(f"  {label}: engine {ours}, database {theirs}")
    else:
        print("the engine's overall (cochrane profile) agrees with the database's for every study")
    return 0


if __name__ == "__main__":
    sys.exit(main())
