"""How well the instrument lexicon classes outcome measures by who rates them.

    python3 benchmarks/instruments_quality.py [--json]

Three checks:
1. Every instrument in the Metapsy PTSD database (../shared/data/metapsy-ptsd/data.csv) against
   its `rating` column (self-report / clinician). Diagnostic interviews count as clinician
   ratings there. This table was read while building the lexicon, so it must be 100%.
2. A held-out list of instruments that are not in that table, each with the kind its own
   published definition gives (written down here before running the lexicon on them): the
   test of whether the lexicon generalises rather than memorising one table.
3. Coverage: how many names are known to the lexicon itself (not just classed by a rule that
   reads the name, and not unknown), for the Metapsy PTSD names (distinct names and rows) and
   for COMMON, outcome measures that psychotherapy trials report, listed from published
   instrument lists (issue 13 grew the lexicon to cover them, so after the change this is a
   count of what was added, not a test of generalisation).

4. Speed: the lexicon's text search (``Lexicon.mentions``) over the dev half of
   ../shared/data/oa-trials (split.yaml; the test half is never read), best of three.

The Metapsy PTSD data are the Metapsy project's / National Center for PTSD's (ODC-By 1.0).

Writes benchmarks/results/instruments_quality.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

from common import SHARED, metric, skipped  # noqa: E402

from appraise.evidence.instruments import classify  # noqa: E402

# name as a report might write it -> kind by the instrument's own definition.
HELD_OUT: list[tuple[str, str]] = [
    ("PHQ-9", "self-report"),
    ("PHQ-8", "self-report"),
    ("GAD-7", "self-report"),
    ("BDI-II", "self-report"),
    ("BDI-IA", "self-report"),
    ("HAM-D", "clinician-rated"),
    ("HAMD-17", "clinician-rated"),
    ("HRSD-24", "clinician-rated"),
    ("Hamilton Rating Scale for Depression", "clinician-rated"),
    ("MADRS", "clinician-rated"),
    ("MADRS-S", "self-report"),
    ("Montgomery-Åsberg Depression Rating Scale", "clinician-rated"),
    ("CES-D", "self-report"),
    ("EPDS", "self-report"),
    ("GDS-15", "self-report"),
    ("HADS", "self-report"),
    ("HADS-D", "self-report"),
    ("PSWQ", "self-report"),
    ("HAM-A", "clinician-rated"),
    ("BAI", "self-report"),
    ("STAI-T", "self-report"),
    ("QIDS-SR16", "self-report"),
    ("QIDS-C", "clinician-rated"),
    ("LSAS", "clinician-rated"),
    ("LSAS-SR", "self-report"),
    ("Y-BOCS", "clinician-rated"),
    ("OCI-R", "self-report"),
    ("PDSS", "clinician-rated"),
    ("PDSS-SR", "self-report"),
    ("CAPS-5", "diagnostic-interview"),
    ("CAPS-CA", "diagnostic-interview"),
    ("Clinician-Administered PTSD Scale for DSM-5", "diagnostic-interview"),
    ("PCL-5", "self-report"),
    ("PCL-C", "self-report"),
    ("PCL-M", "self-report"),
    ("IES-R", "self-report"),
    ("PSS-I-5", "diagnostic-interview"),
    ("PDS-5", "self-report"),
    ("ITQ", "self-report"),
    ("CPSS", "self-report"),
    ("UCLA PTSD Reaction Index", "self-report"),
    ("CORE-10", "self-report"),
    ("CORE-OM", "self-report"),
    ("WSAS", "self-report"),
    ("K10", "self-report"),
    ("GHQ-12", "self-report"),
    ("SCL-90-R", "self-report"),
    ("BSI", "self-report"),
    ("OQ-45", "self-report"),
    ("WEMWBS", "self-report"),
    ("DASS-21", "self-report"),
    ("SCID-5", "diagnostic-interview"),
    ("SCID-I", "diagnostic-interview"),
    ("Structured Clinical Interview for DSM-IV", "diagnostic-interview"),
    ("MINI", "diagnostic-interview"),
    ("Mini-International Neuropsychiatric Interview", "diagnostic-interview"),
    ("MINI-KID", "diagnostic-interview"),
    ("ADIS-IV", "diagnostic-interview"),
    ("ADIS-5", "diagnostic-interview"),
    ("CIS-R", "diagnostic-interview"),
    ("SCAN", "diagnostic-interview"),
    ("K-SADS-PL", "diagnostic-interview"),
    ("CIDI", "diagnostic-interview"),
    ("CGI-S", "clinician-rated"),
    ("GAF", "clinician-rated"),
    ("PANSS", "clinician-rated"),
    ("BPRS", "clinician-rated"),
    ("YMRS", "clinician-rated"),
    ("CDRS-R", "clinician-rated"),
    ("CDI-2", "self-report"),
    ("RCADS", "self-report"),
    ("SDQ", "self-report"),
    ("ISI", "self-report"),
    ("PSQI", "self-report"),
    ("AUDIT", "self-report"),
    ("EQ-5D-5L", "self-report"),
    ("SF-36", "self-report"),
    ("EDE-Q", "self-report"),
    ("EDE", "diagnostic-interview"),
    # Not in the lexicon: the rules read the name's own words.
    ("Sheehan Disability Scale self-report", "self-report"),
    ("Brief Fear of Negative Evaluation Questionnaire", "self-report"),
    ("Structured Interview for DSM-IV Personality", "diagnostic-interview"),
    ("Clinician-rated Dimensions of Psychosis Symptom Severity", "clinician-rated"),
]


# Outcome measures common in psychotherapy trials, from published instrument lists (the
# Metapsy databases' outcome lists, ICHOM depression and anxiety set, the NCPTSD list of
# PTSD measures): name as a report writes it -> kind by the instrument's own definition.
COMMON: list[tuple[str, str]] = [
    ("WHODAS 2.0", "self-report"),
    ("BSL-23", "self-report"),
    ("PTCI", "self-report"),
    ("Timeline Followback", "self-report"),
    ("FTND", "self-report"),
    ("Addiction Severity Index", "clinician-rated"),
    ("ASI-3", "self-report"),
    ("Rosenberg Self-Esteem Scale", "self-report"),
    ("QOLI", "self-report"),
    ("Q-LES-Q-SF", "self-report"),
    ("Sheehan Disability Scale", "self-report"),
    ("SANS", "clinician-rated"),
    ("CDSS", "clinician-rated"),
    ("PHQ-A", "self-report"),
    ("PHQ-15", "self-report"),
    ("ASRS", "self-report"),
    ("YSR", "self-report"),
    ("MASC", "self-report"),
    ("Spence Children's Anxiety Scale", "self-report"),
    ("RCMAS", "self-report"),
    ("CRIES-13", "self-report"),
    ("TSQ", "self-report"),
    ("Epworth Sleepiness Scale", "self-report"),
    ("Beck Hopelessness Scale", "self-report"),
    ("Beck Scale for Suicide Ideation", "self-report"),
    ("Scale for Suicide Ideation", "clinician-rated"),
    ("SIDAS", "self-report"),
    ("DERS", "self-report"),
    ("AAQ-II", "self-report"),
    ("FFMQ", "self-report"),
    ("MAAS", "self-report"),
    ("SIAS", "self-report"),
    ("Social Phobia Scale", "self-report"),
    ("BFNE", "self-report"),
    ("Agoraphobic Cognitions Questionnaire", "self-report"),
    ("Body Sensations Questionnaire", "self-report"),
    ("Mobility Inventory", "self-report"),
    ("SHAI", "self-report"),
    ("DOCS", "self-report"),
    ("EDI-3", "self-report"),
    ("Binge Eating Scale", "self-report"),
    ("SCOFF", "self-report"),
    ("DAST-10", "self-report"),
    ("CUDIT-R", "self-report"),
    ("Outcome Rating Scale", "self-report"),
    ("WAI-SR", "self-report"),
    ("CSQ-8", "self-report"),
    ("OASIS", "self-report"),
    ("ODSIS", "self-report"),
    ("PROMIS Depression", "self-report"),
    ("RRS", "self-report"),
    ("Dysfunctional Attitude Scale", "self-report"),
    ("ATQ", "self-report"),
    ("BADS", "self-report"),
    ("IIP-32", "self-report"),
    ("MSPSS", "self-report"),
    ("UCLA Loneliness Scale", "self-report"),
    ("Self-Compassion Scale", "self-report"),
    ("PANAS", "self-report"),
    ("Fear Questionnaire", "self-report"),
    ("MOCI", "self-report"),
    ("SPAI", "self-report"),
    ("RHS-15", "self-report"),
    ("SOFAS", "clinician-rated"),
    ("CSDD", "clinician-rated"),
    ("ADHD-RS-IV", "clinician-rated"),
    ("PSP", "clinician-rated"),
    ("SAPS", "clinician-rated"),
    ("SCID-5-PD", "diagnostic-interview"),
    ("IPDE", "diagnostic-interview"),
    ("SIDP-IV", "diagnostic-interview"),
    ("Present State Examination", "diagnostic-interview"),
    ("DAWBA", "diagnostic-interview"),
    ("CAPA", "diagnostic-interview"),
    ("ChIPS", "diagnostic-interview"),
    ("Longitudinal Interval Follow-up Evaluation", "clinician-rated"),
    # already known before issue 13
    ("PHQ-9", "self-report"),
    ("GAD-7", "self-report"),
    ("BDI-II", "self-report"),
    ("HAM-D", "clinician-rated"),
    ("CAPS-5", "diagnostic-interview"),
    ("PCL-5", "self-report"),
    ("SCID-I", "diagnostic-interview"),
    ("MINI", "diagnostic-interview"),
    ("CORE-10", "self-report"),
    ("WSAS", "self-report"),
    ("EQ-5D-5L", "self-report"),
    ("K10", "self-report"),
]


def _by_lexicon(matched: str | None) -> bool:
    return matched is not None and not matched.startswith("rule:")


def coverage_check(metapsy: dict[str, Any]) -> dict[str, Any]:
    """Names known to the lexicon itself, classed by a rule, or unknown."""
    rows = metapsy["instruments"]
    common = []
    for name, expected in COMMON:
        match = classify(name)
        common.append(
            {
                "name": name,
                "expected": expected,
                "kind": match.kind,
                "matched": match.matched,
                "known": _by_lexicon(match.matched),
                "correct": match.kind == expected,
            }
        )
    return {
        "metapsy_names_known": sum(_by_lexicon(r["matched"]) for r in rows),
        "metapsy_names": len(rows),
        "metapsy_rows_known": sum(r["rows"] for r in rows if _by_lexicon(r["matched"])),
        "metapsy_rows": sum(r["rows"] for r in rows),
        "common": common,
        "common_known": sum(r["known"] for r in common),
        "common_correct": sum(r["correct"] for r in common),
        "common_total": len(common),
    }


def speed_check(shared: Path) -> dict[str, Any] | None:
    """Seconds and MB per second for finding every instrument mention in the dev texts."""
    import time

    import yaml

    from appraise.documents import read_document
    from appraise.evidence.instruments import lexicon

    split = HERE / "labels" / "oa_trials" / "split.yaml"
    texts = shared / "data" / "oa-trials"
    if not (split.exists() and texts.is_dir()):
        return None
    names = [entry["file"] for entry in yaml.safe_load(split.read_text("utf-8"))["dev"]]
    documents = [read_document(texts / name) for name in names]
    for document in documents:  # sentences and folded text are the document's, not the search's
        _ = document.sentences, document.search_text
    search = lexicon()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        mentions = sum(len(search.mentions(document)) for document in documents)
        best = min(best, time.perf_counter() - start)
    megabytes = sum(len(d.text) for d in documents) / 1e6
    return {"texts": len(documents), "mb": megabytes, "seconds": best, "mentions": mentions}


def _rater(kind: str) -> str | None:
    if kind == "unknown":
        return None
    return "self-report" if kind == "self-report" else "clinician"


def metapsy_check(path: Path) -> dict[str, Any]:
    pairs: dict[tuple[str, str], int] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            name, rating = row["instrument"].strip(), row["rating"].strip()
            if name and name != "NA" and rating != "NA":
                pairs[(name, rating)] = pairs.get((name, rating), 0) + 1
    rows = []
    for (name, rating), count in sorted(pairs.items()):
        match = classify(name)
        rows.append(
            {
                "name": name,
                "rating": rating,
                "rows": count,
                "kind": match.kind,
                "matched": match.matched,
                "correct": _rater(match.kind) == rating,
            }
        )
    return {
        "instruments": rows,
        "correct": sum(r["correct"] for r in rows),
        "total": len(rows),
        "rows_correct": sum(r["rows"] for r in rows if r["correct"]),
        "rows_total": sum(r["rows"] for r in rows),
    }


def held_out_check() -> dict[str, Any]:
    rows = []
    for name, expected in HELD_OUT:
        match = classify(name)
        rows.append(
            {
                "name": name,
                "expected": expected,
                "kind": match.kind,
                "matched": match.matched,
                "correct": match.kind == expected,
                "rater_correct": _rater(match.kind) == _rater(expected),
            }
        )
    return {
        "instruments": rows,
        "correct": sum(r["correct"] for r in rows),
        "rater_correct": sum(r["rater_correct"] for r in rows),
        "total": len(rows),
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Entry point for benchmarks/run.py (``quick`` changes nothing: the check is small)."""
    path = Path(SHARED) / "data" / "metapsy-ptsd" / "data.csv"
    if not path.exists():
        return skipped(f"{path} not found")
    metapsy, held = metapsy_check(path), held_out_check()
    cover = coverage_check(metapsy)
    speed = speed_check(Path(SHARED))
    speed_metrics = (
        [
            metric(
                "lexicon search speed",
                speed["mb"] / speed["seconds"],
                "MB/s",
                f"{speed['mentions']} mentions in {speed['texts']} dev texts, "
                f"{speed['mb']:.2f} MB in {speed['seconds']:.2f} s",
            )
        ]
        if speed
        else []
    )
    return {
        "metapsy": metapsy,
        "held_out": held,
        "coverage": cover,
        "metrics": [
            metric(
                "metapsy instruments classed right",
                metapsy["correct"] / metapsy["total"],
                "fraction",
                f"{metapsy['correct']}/{metapsy['total']} distinct instruments",
            ),
            metric(
                "held-out kind right",
                held["correct"] / held["total"],
                "fraction",
                f"{held['correct']}/{held['total']}",
            ),
            metric(
                "held-out rater right",
                held["rater_correct"] / held["total"],
                "fraction",
                "self-report vs assessor-rated",
            ),
            metric(
                "metapsy names in the lexicon",
                cover["metapsy_names_known"] / cover["metapsy_names"],
                "fraction",
                f"{cover['metapsy_names_known']}/{cover['metapsy_names']} distinct names",
            ),
            metric(
                "metapsy rows in the lexicon",
                cover["metapsy_rows_known"] / cover["metapsy_rows"],
                "fraction",
                f"{cover['metapsy_rows_known']}/{cover['metapsy_rows']} rows",
            ),
            metric(
                "common measures in the lexicon",
                cover["common_known"] / cover["common_total"],
                "fraction",
                f"{cover['common_known']}/{cover['common_total']} names",
            ),
            metric(
                "common measures kind right",
                cover["common_correct"] / cover["common_total"],
                "fraction",
                f"{cover['common_correct']}/{cover['common_total']} (unknown counts as wrong)",
            ),
            *speed_metrics,
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = parser.parse_args(argv)
    result = run()
    out = HERE / "results" / "instruments_quality.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    if "skipped" in result:
        print(f"skipped: {result['skipped']}")
        return 0
    for m in result["metrics"]:
        print(f"{m['name']:<36} {m['value']:.3f}  ({m['note']})")
    for part, rows in (
        ("metapsy", result["metapsy"]["instruments"]),
        ("held_out", result["held_out"]["instruments"]),
        ("common", result["coverage"]["common"]),
    ):
        for row in rows:
            if not row["correct"]:
                want = row.get("expected") or row.get("rating")
                print(f"  {part} miss: {row['name']}: got {row['kind']}, want {want}")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
