#!/usr/bin/env python3
"""Build corpus/metapsy-ptsd from the Metapsy PTSD psychotherapy trials database.

    python3 scripts/build_metapsy_corpus.py [--shared ../shared] [--out corpus/metapsy-ptsd]

The records and appraisals are `appraise import metapsy` (appraise.imports.metapsy) run twice on
``data/metapsy-ptsd/data.csv`` (with its references.json): as ``rob2`` (the database's RoB 2
domain judgements per comparison, reviewer ``metapsy-database``, overall compared with the rule
the database states, the worst domain: RoB 2's cochrane profile) and as ``metapsy-rob`` (the
same judgements under the Metapsy RoB tool's rules, beside the items the tool computes from the
database's fields, reviewer ``metapsy-computed``). This script adds what is particular to this
corpus: ``claims.yaml`` (one claim per treatment family versus control, and for samples exposed
to political violence or forced displacement, each citing its trials with an inverse-variance
weight) and ``corpus.yaml``.

A rerun over the shipped corpus changes no file (unchanged appraisals are not rewritten).
The data are (c) the Metapsy project / National Center for PTSD, under the Open Data Commons
Attribution License (ODC-By 1.0).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pydantic import BaseModel

from appraise.corpus import Corpus, CorpusInfo
from appraise.errors import AppraiseError, InputError
from appraise.files import dump_yaml
from appraise.imports.metapsy import (
    Database,
    MetapsyImport,
    comparison_label,
    import_metapsy,
    read_database,
)
from appraise.models import Citation, Claim, ClaimsFile, MadeIn

DATA_DIR = ("data", "metapsy-ptsd")
NAME = "Metapsy PTSD database"
ATTRIBUTION = "Metapsy project / National Center for PTSD"
LICENCE = "Open Data Commons Attribution License (ODC-By 1.0)"
RUBRICS = ("rob2", "metapsy-rob")


def _text(value: object) -> str | None:
    return None if pd.isna(value) else str(value).strip() or None


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
        f"g={row['.g']:.2f} (SE {row['.g_se']:.2f}) {comparison_label(row)}, "
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


def corpus_info() -> CorpusInfo:
    return CorpusInfo(
        name="metapsy-ptsd",
        description="102 randomised trials of psychotherapy for PTSD (131 comparisons with "
        "control conditions) from the Metapsy PTSD database, with the database's RoB 2 "
        "judgements per comparison (rob2, and under the Metapsy RoB tool's rules beside the "
        "items it computes from the database: metapsy-rob), outcome measures and rater types, "
        "and claims per treatment family.",
        licence=LICENCE + " - http://opendatacommons.org/licenses/by/1.0/",
        attribution=ATTRIBUTION + ". Converted by scripts/build_metapsy_corpus.py.",
        default_rubric="rob2",
        rubrics=list(RUBRICS),
    )


def to_yaml(model: BaseModel) -> str:
    """Only the fields this script set, so the files stay put when the models gain fields."""
    return dump_yaml(model.model_dump(mode="json", exclude_none=True, exclude_unset=True))


def _write_if_changed(corpus: Corpus, path: Path, model: BaseModel) -> None:
    text = to_yaml(model)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        corpus.write_text(path, text)


def read_ptsd(shared: Path) -> Database:
    path = shared.joinpath(*DATA_DIR) / "data.csv"
    if not path.is_file() or not path.with_name("references.json").is_file():
        raise InputError(
            f"{path} not found, or no references.json beside it",
            fix="give --shared the folder that holds data/metapsy-ptsd",
        )
    return read_database(path)


def build(shared: Path, out: Path) -> dict[str, MetapsyImport]:
    db = read_ptsd(shared)
    corpus = Corpus(out)
    results = {rubric: import_metapsy(corpus, db, rubric=rubric, name=NAME) for rubric in RUBRICS}
    claims = family_claims(db.frame, results["rob2"].ids)
    _write_if_changed(corpus, corpus.claims_path, claims)
    _write_if_changed(corpus, corpus.info_path, corpus_info())
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("corpus/metapsy-ptsd"))
    args = parser.parse_args(argv)
    try:
        results = build(args.shared, args.out)
    except AppraiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    for rubric, result in results.items():
        print(
            f"{rubric}: {result.studies} studies, {result.comparisons} comparisons; "
            f"{result.appraisals_written} appraisals written, "
            f"{result.appraisals_unchanged} unchanged; {result.records_written} records written"
        )
        if result.disagreements:
            print(f"  {len(result.disagreements)} comparisons where the {rubric} overall differs:")
            for item in result.disagreements:
                print(
                    f"    {item.study} ({item.result}): "
                    f"rule {item.by_rule}, database {item.database}"
                )
        else:
            print(f"  the {rubric} overall agrees with the database's for every comparison")
    return 0


if __name__ == "__main__":
    sys.exit(main())
