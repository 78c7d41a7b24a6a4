"""Sentence-level evidence retrieval: precision and recall of proposal quotes against hand labels.

For each labelled text in benchmarks/labels/fulltext/ (open-access full texts and RCT abstracts
from ../shared/fixtures), the document is read the way a reviewer's file would be, the detectors
propose answers for RoB 2 and the psychotherapy rubric, and the quoted sentences of the questions
that belong to each family are compared with the sentences a methodologist would quote.

A labelled sentence is retrieved when a quote overlaps it; a quote is a true positive when it
overlaps a labelled sentence of its family, a false positive otherwise (including every quote
for a family labelled 'none'). Micro-averages pool all families.

    python benchmarks/retrieval_quality.py [--shared ../shared] [--json PATH]

RobotReviewer's published reference (Marshall et al., JAMIA 2016; user study, Soboczenski et al.
2019): highlight recall 0.90, precision 0.87.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appraise.documents import read_document  # noqa: E402
from appraise.evidence import Document, propose  # noqa: E402
from appraise.files import read_data  # noqa: E402
from appraise.rubrics import load_rubric  # noqa: E402
from appraise.sources.pubmed import parse_efetch  # noqa: E402

LABELS = ROOT / "benchmarks" / "labels" / "fulltext"
RESULTS = ROOT / "benchmarks" / "results" / "retrieval_quality.json"
ROBOTREVIEWER = {"recall": 0.90, "precision": 0.87}

FAMILIES = (
    "sequence_generation",
    "allocation_concealment",
    "blinding",
    "attrition",
    "registration",
    "funding",
    "coi",
)
# Which rubric questions speak for which family.
QUESTION_FAMILIES: dict[tuple[str, str], str] = {
    ("rob2", "1.1"): "sequence_generation",
    ("rob2", "1.2"): "allocation_concealment",
    ("rob2", "2.1"): "blinding",
    ("rob2", "2.2"): "blinding",
    ("rob2", "4.3"): "blinding",
    ("rob2", "3.1"): "attrition",
    ("rob2", "5.1"): "registration",
    ("psychotherapy", "4.1"): "coi",
    ("psychotherapy", "4.2"): "coi",
    ("psychotherapy", "4.3"): "coi",
    ("psychotherapy", "4.4"): "funding",
}

Span = tuple[int, int]


@dataclass
class Tally:
    true_positives: int = 0
    false_positives: int = 0
    retrieved_labels: int = 0
    labels: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_hits: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.true_positives += other.true_positives
        self.false_positives += other.false_positives
        self.retrieved_labels += other.retrieved_labels
        self.labels += other.labels
        self.misses += other.misses
        self.false_hits += other.false_hits

    @property
    def precision(self) -> float | None:
        quoted = self.true_positives + self.false_positives
        return self.true_positives / quoted if quoted else None

    @property
    def recall(self) -> float | None:
        return self.retrieved_labels / self.labels if self.labels else None

    def summary(self) -> dict[str, Any]:
        return {
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "quotes_correct": self.true_positives,
            "quotes_wrong": self.false_positives,
            "labelled_sentences": self.labels,
            "labelled_retrieved": self.retrieved_labels,
        }


def _round(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(labelled: Iterable[Span], quoted: Iterable[Span]) -> Tally:
    """Compare one family's labelled sentences with the sentences the detectors quoted."""
    labels = sorted(set(labelled))
    quotes = sorted(set(quoted))
    tally = Tally(labels=len(labels))
    for quote in quotes:
        if any(_overlaps(quote, label) for label in labels):
            tally.true_positives += 1
        else:
            tally.false_positives += 1
    tally.retrieved_labels = sum(1 for label in labels if any(_overlaps(label, q) for q in quotes))
    return tally


def pubmed_document(path: Path) -> Document:
    """What a record from PubMed offers a detector: title, abstract, COI statement."""
    fields = parse_efetch(path.read_bytes()) or {}
    return Document.from_sections(
        [
            ("Title", "title", fields.get("title") or ""),
            ("Abstract", "abstract", fields.get("abstract") or ""),
            ("Conflict of interest statement", "coi", fields.get("coi_statement") or ""),
        ],
        source=str(path),
    )


def labelled_spans(document: Document, entries: list[dict[str, Any]], where: str) -> list[Span]:
    """The labelled sentences' spans, checked against their first characters."""
    spans: list[Span] = []
    for entry in entries:
        start, end, begins = entry["start"], entry["end"], entry["begins"]
        if not document.text[start:end].startswith(begins):
            found = document.text.find(begins)
            if found < 0:
                raise SystemExit(f"{where}: label '{begins}' is not in the document any more")
            print(f"warning: {where}: label '{begins[:30]}...' moved to {found}", file=sys.stderr)
            start, end = found, found + (end - start)
        spans.append((start, end))
    return spans


def quoted_spans(document: Document) -> dict[str, list[Span]]:
    """Quotes of the questions mapped to each family, from both rubrics."""
    spans: dict[str, list[Span]] = {family: [] for family in FAMILIES}
    for rubric_id in ("rob2", "psychotherapy"):
        proposals = propose(document, load_rubric(rubric_id)).proposals
        for proposal in proposals:
            family = QUESTION_FAMILIES.get((rubric_id, proposal.question))
            if family:
                spans[family] += [
                    (q.start, q.end)
                    for q in proposal.quotes
                    if q.start is not None and q.end is not None
                ]
    return spans


def evaluate(shared: Path) -> dict[str, Any]:
    totals = {family: Tally() for family in FAMILIES}
    documents: list[dict[str, Any]] = []
    for label_path in sorted(LABELS.glob("*.yaml")):
        label = read_data(label_path)
        fixture = shared / label["fixture"]
        if label["fixture"].startswith("fixtures/pubmed/"):
            document = pubmed_document(fixture)
        else:
            document = read_document(fixture)
        quoted = quoted_spans(document)
        per_document: dict[str, Any] = {}
        for family in FAMILIES:
            entries = label["families"][family]
            labels = [] if entries == "none" else labelled_spans(document, entries, label_path.name)
            tally = score(labels, quoted[family])
            for span in labels:
                if not any(_overlaps(span, q) for q in quoted[family]):
                    tally.misses.append(_example(label_path, document, span))
            for span in sorted(set(quoted[family])):
                if not any(_overlaps(span, lab) for lab in labels):
                    tally.false_hits.append(_example(label_path, document, span))
            totals[family].add(tally)
            per_document[family] = tally.summary()
        documents.append({"labels": label_path.name, "fixture": label["fixture"], **per_document})
    micro = Tally()
    for tally in totals.values():
        micro.add(tally)
    return {
        "commit": _commit(),
        "documents": len(documents),
        "robotreviewer_reference": ROBOTREVIEWER,
        "families": {family: tally.summary() for family, tally in totals.items()},
        "micro": micro.summary(),
        "misses": {family: tally.misses for family, tally in totals.items() if tally.misses},
        "false_positives": {
            family: tally.false_hits for family, tally in totals.items() if tally.false_hits
        },
        "per_document": documents,
    }


def _example(label_path: Path, document: Document, span: Span) -> dict[str, Any]:
    return {
        "labels": label_path.name,
        "start": span[0],
        "end": span[1],
        "text": document.text[span[0] : span[1]][:160],
    }


def _commit() -> str | None:
    try:
        run = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return None
    return run.stdout.strip() or None


def _cell(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.2f}"


def print_table(result: dict[str, Any]) -> None:
    print(f"Sentence-level evidence retrieval on {result['documents']} labelled texts")
    print(f"{'family':<24}{'precision':>10}{'recall':>8}{'quotes ok/wrong':>17}{'labels hit':>12}")
    rows = [*result["families"].items(), ("micro-average", result["micro"])]
    for family, row in rows:
        print(
            f"{family:<24}{_cell(row['precision']):>10}{_cell(row['recall']):>8}"
            f"{row['quotes_correct']:>9}/{row['quotes_wrong']:<7}"
            f"{row['labelled_retrieved']:>6}/{row['labelled_sentences']:<5}"
        )
    reference = result["robotreviewer_reference"]
    print(f"{'RobotReviewer (ref.)':<24}{reference['precision']:>10.2f}{reference['recall']:>8.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not (args.shared / "fixtures").is_dir():
        print(f"needs the shared fixtures at {args.shared}", file=sys.stderr)
        return 2
    result = evaluate(args.shared)
    print_table(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
