"""How often `appraise propose` is right on real trial reports: answers and quotes against labels.

For every labelled text of ../shared/data/oa-trials (labels in benchmarks/labels/oa_trials/,
split fixed in split.yaml before labelling), the text is read as a reviewer's file would be, the
detectors propose answers for RoB 2 and the psychotherapy rubric, and each labelled question is
scored:

- direction: the label and the proposal each say yes (Y/PY), no (N/PN) or nothing (NI, NA or no
  answer). Over the questions the text answers (label yes or no): *right* (same direction),
  *opposite* (yes for no, or no for yes) and *missed* (the proposal says nothing). Over the
  questions the text leaves open (label NI): *unfounded* (the proposal says yes or no anyway).
- quote recall: of the questions whose label cites sentences, the share where a proposed quote
  overlaps one of them;
- quote precision: of the quotes proposed for a family's questions, the share that overlap a
  sentence labelled for that family in the same text (a quote under a question labelled NI is a
  false one).

Every rate comes with a 95% Wilson interval (statsmodels). The dev half is what detectors may be
developed on; the test half is untouched and is what the README reports.

    python3 benchmarks/proposal_quality.py                 # dev, test and all
    python3 benchmarks/proposal_quality.py --split dev --details
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from statsmodels.stats.proportion import proportion_confint  # noqa: E402

from appraise.documents import read_document  # noqa: E402
from appraise.evidence import Document, ProposalSet, propose  # noqa: E402
from appraise.rubrics import load_rubric  # noqa: E402

LABELS = ROOT / "benchmarks" / "labels" / "oa_trials"
RESULTS = ROOT / "benchmarks" / "results" / "proposal_quality.json"
DEFAULT_SHARED = ROOT.parent / "shared"

FAMILIES: dict[tuple[str, str], str] = {
    ("rob2", "1.1"): "sequence",
    ("rob2", "1.2"): "concealment",
    ("rob2", "2.1"): "blinding",
    ("rob2", "2.2"): "blinding",
    ("rob2", "4.3"): "blinding",
    ("psychotherapy", "1.2"): "blinding",
    ("psychotherapy", "1.1"): "assessor-rated",
    ("psychotherapy", "2.1"): "diagnostic interview",
    ("psychotherapy", "2.2"): "diagnostic interview",
    ("psychotherapy", "2.3"): "diagnostic interview",
    ("psychotherapy", "3.1"): "allegiance",
    ("psychotherapy", "4.1"): "conflicts of interest",
    ("psychotherapy", "4.2"): "conflicts of interest",
    ("psychotherapy", "7.1"): "follow-up",
}
FAMILY_ORDER = list(dict.fromkeys(FAMILIES.values()))
SPLITS = ("dev", "test")

Span = tuple[int, int]


def direction(answer: str | None) -> str:
    if answer in ("Y", "PY"):
        return "yes"
    if answer in ("N", "PN"):
        return "no"
    return "none"


def wilson(successes: int, total: int) -> dict[str, Any]:
    if total == 0:
        return {"rate": None, "low": None, "high": None, "n": 0}
    low, high = proportion_confint(successes, total, alpha=0.05, method="wilson")
    return {
        "rate": round(successes / total, 3),
        "low": round(float(low), 3),
        "high": round(float(high), 3),
        "n": total,
    }


@dataclass
class Tally:
    right: int = 0
    opposite: int = 0
    missed: int = 0
    unfounded: int = 0
    open_questions: int = 0
    quotes_recalled: int = 0
    quoted_questions: int = 0
    true_quotes: int = 0
    proposed_quotes: int = 0
    cases: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in (
            "right",
            "opposite",
            "missed",
            "unfounded",
            "open_questions",
            "quotes_recalled",
            "quoted_questions",
            "true_quotes",
            "proposed_quotes",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.cases += other.cases

    def summary(self) -> dict[str, Any]:
        answered = self.right + self.opposite + self.missed
        return {
            "answered_questions": answered,
            "right": wilson(self.right, answered),
            "opposite": wilson(self.opposite, answered),
            "missed": wilson(self.missed, answered),
            "unfounded": wilson(self.unfounded, self.open_questions),
            "quote_recall": wilson(self.quotes_recalled, self.quoted_questions),
            "quote_precision": wilson(self.true_quotes, self.proposed_quotes),
        }


def locate(document: Document, quote: str) -> Span | None:
    """Where a labelled quote lies in the text, ignoring runs of whitespace."""
    words = quote.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    match = pattern.search(document.text) or pattern.search(document.search_text)
    return (match.start(), match.end()) if match else None


def overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def read_labels(split: str) -> list[dict[str, Any]]:
    folder = LABELS / split
    return [
        yaml.safe_load(path.read_text("utf-8")) | {"_path": str(path.relative_to(ROOT))}
        for path in sorted(folder.glob("*.yaml"))
    ]


def score_text(
    label: dict[str, Any], document: Document, proposals: dict[str, ProposalSet]
) -> tuple[dict[str, Tally], list[str]]:
    """Per-family tallies for one labelled text, and the quotes that could not be found."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    problems: list[str] = []
    spans: dict[tuple[str, str], list[Span]] = {}
    family_spans: dict[str, list[Span]] = defaultdict(list)
    for rubric, questions in (label.get("answers") or {}).items():
        for qid, item in (questions or {}).items():
            found = []
            for quote in item.get("quotes") or []:
                span = locate(document, quote)
                if span is None:
                    problems.append(f"{label['_path']}: {rubric} {qid}: quote not in the text")
                else:
                    found.append(span)
            spans[(rubric, str(qid))] = found
            if (rubric, str(qid)) in FAMILIES:
                family_spans[FAMILIES[(rubric, str(qid))]] += found
    for (rubric, qid), family in FAMILIES.items():
        item = ((label.get("answers") or {}).get(rubric) or {}).get(qid)
        if item is None:
            continue
        proposal = proposals[rubric].get(qid)
        wanted = direction(item.get("answer"))
        got = direction(proposal.answer if proposal else None)
        tally = tallies[family]
        case = {
            "file": label["file"],
            "rubric": rubric,
            "question": qid,
            "label": item.get("answer"),
            "proposed": proposal.answer if proposal else None,
        }
        if wanted == "none":
            tally.open_questions += 1
            if got != "none":
                tally.unfounded += 1
                tally.cases.append(case | {"outcome": "unfounded"})
        elif got == wanted:
            tally.right += 1
        elif got == "none":
            tally.missed += 1
            tally.cases.append(case | {"outcome": "missed"})
        else:
            tally.opposite += 1
            tally.cases.append(case | {"outcome": "opposite"})
        proposed = [(q.start, q.end) for q in (proposal.quotes if proposal else [])]
        labelled = spans.get((rubric, qid), [])
        if labelled:
            tally.quoted_questions += 1
            if any(overlaps(p, s) for p in proposed for s in labelled):
                tally.quotes_recalled += 1
            else:
                tally.cases.append(case | {"outcome": "quote missed"})
        tally.proposed_quotes += len(proposed)
        tally.true_quotes += sum(
            1 for p in proposed if any(overlaps(p, s) for s in family_spans[family])
        )
    return tallies, problems


def measure(shared: Path, splits: tuple[str, ...]) -> dict[str, Any]:
    rubrics = {name: load_rubric(name) for name in ("rob2", "psychotherapy")}
    texts = shared / "data" / "oa-trials"
    by_split: dict[str, dict[str, Tally]] = {}
    problems: list[str] = []
    counts: dict[str, int] = {}
    for split in splits:
        labels = read_labels(split)
        counts[split] = len(labels)
        families: dict[str, Tally] = defaultdict(Tally)
        for label in labels:
            document = read_document(texts / label["file"])
            proposals = {name: propose(document, rubric) for name, rubric in rubrics.items()}
            tallies, missing = score_text(label, document, proposals)
            problems += missing
            for family, tally in tallies.items():
                families[family].add(tally)
        by_split[split] = families
    if len(splits) > 1:
        pooled: dict[str, Tally] = defaultdict(Tally)
        for families in by_split.values():
            for family, tally in families.items():
                pooled[family].add(tally)
        by_split["all"] = pooled
        counts["all"] = sum(counts.values())
    out: dict[str, Any] = {"texts": counts, "problems": problems, "splits": {}}
    for split, families in by_split.items():
        overall = Tally()
        for tally in families.values():
            overall.add(tally)
        out["splits"][split] = {
            "families": {f: families[f].summary() for f in FAMILY_ORDER if f in families},
            "overall": overall.summary(),
            "cases": overall.cases,
        }
    return out


def _cell(stat: dict[str, Any]) -> str:
    if stat["rate"] is None:
        return "-"
    return f"{stat['rate']:.2f} [{stat['low']:.2f}-{stat['high']:.2f}]"


def render(result: dict[str, Any], details: bool) -> str:
    lines: list[str] = []
    header = (
        f"{'family':<22} {'n':>3} {'right':>17} {'opposite':>17} {'missed':>17} "
        f"{'unfounded':>17} {'quote recall':>17} {'quote precision':>17}"
    )
    for split, data in result["splits"].items():
        lines.append(f"\n{split} ({result['texts'][split]} texts)")
        lines.append(header)
        rows = [*data["families"].items(), ("overall", data["overall"])]
        for family, s in rows:
            lines.append(
                f"{family:<22} {s['answered_questions']:>3} {_cell(s['right']):>17} "
                f"{_cell(s['opposite']):>17} {_cell(s['missed']):>17} "
                f"{_cell(s['unfounded']):>17} {_cell(s['quote_recall']):>17} "
                f"{_cell(s['quote_precision']):>17}"
            )
        if details:
            for case in data["cases"]:
                lines.append(
                    f"  {case['outcome']:<12} {case['file']:<36} {case['rubric']:<13} "
                    f"{case['question']:<4} label {case['label']!s:<3} proposed {case['proposed']}"
                )
    for problem in result["problems"]:
        lines.append(f"problem: {problem}")
    return "\n".join(lines)


def run(quick: bool = False) -> dict[str, Any]:
    """For benchmarks/run.py: the untouched half's figures per family (the labels are small, so
    --quick changes nothing)."""
    shared = Path(os.environ.get("APPRAISE_SHARED") or DEFAULT_SHARED)
    if not (shared / "data" / "oa-trials").is_dir():
        return {"skipped": f"needs the texts in {shared}/data/oa-trials", "metrics": []}
    if not (LABELS / "test").is_dir():
        return {"skipped": f"needs the test labels in {LABELS / 'test'}", "metrics": []}
    result = measure(shared, SPLITS)
    metrics = []
    for family, s in [
        *result["splits"]["test"]["families"].items(),
        ("overall", result["splits"]["test"]["overall"]),
    ]:
        for key in ("right", "opposite", "quote_recall", "quote_precision"):
            stat = s[key]
            if stat["rate"] is None:
                continue
            metrics.append(
                {
                    "name": f"{family}: {key.replace('_', ' ')}",
                    "value": round(stat["rate"], 3),
                    "unit": "share",
                    "note": f"test half, n={stat['n']}, "
                    f"95% CI {stat['low']:.2f}-{stat['high']:.2f}",
                }
            )
    return {"metrics": metrics, "details": result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    parser.add_argument("--details", action="store_true", help="list every miss")
    parser.add_argument("--json", type=Path, help=f"write the figures here (e.g. {RESULTS})")
    args = parser.parse_args(argv)
    if not (args.shared / "data" / "oa-trials").is_dir():
        print(f"skipped: {args.shared}/data/oa-trials is not there", file=sys.stderr)
        return 0
    splits = SPLITS if args.split == "all" else (args.split,)
    result = measure(args.shared, splits)
    print(render(result, args.details))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
