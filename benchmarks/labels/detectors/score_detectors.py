"""Precision and recall of each evidence detector against the hand labels in labels.yaml.

    python3 benchmarks/labels/detectors/score_detectors.py [--json] [--details]

Answers are compared by direction: Y/PY (the detector's property holds), N/PN (it does not),
NI (no basis). A detector *answers* when it proposes anything but NI.
  precision  = answers in the labelled direction / all answers (an answer where the label is
               NI counts against it: it claimed what the text does not say)
  recall     = answers in the labelled direction / labels that are not NI
  exact      = the same code as the label (Y vs PY counts as different), over every label
  quote recall = labelled quote sentences found among the proposal's quotes
Writes benchmarks/results/detectors_quality.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(1, str(ROOT))

from common import SHARED  # noqa: E402

from appraise.documents import read_document  # noqa: E402
from appraise.evidence import Document, document_from_record  # noqa: E402
from appraise.evidence.document import _SEARCH_FOLD  # noqa: E402
from appraise.evidence.proposals import quotes_for, run_detector  # noqa: E402
from appraise.evidence.signals import Context  # noqa: E402
from appraise.models.record import StudyRecord  # noqa: E402
from appraise.sources.pubmed import parse_efetch  # noqa: E402

DIRECTION = {"Y": "yes", "PY": "yes", "N": "no", "PN": "no", "NI": None}


def load(entry: dict[str, Any]) -> tuple[Document, StudyRecord | None]:
    path = Path(SHARED) / entry["path"]
    if entry["reader"] == "document":
        return read_document(path), None
    fields = parse_efetch(path.read_bytes())
    if fields is None:
        raise ValueError(f"{path}: no PubMed article")
    known = {k: v for k, v in fields.items() if k in StudyRecord.model_fields}
    record = StudyRecord(id=f"pmid:{fields.get('pmid')}", **known)
    return document_from_record(record), record


def _fold(text: str) -> str:
    return " ".join(text.translate(_SEARCH_FOLD).split())


def score(labels_path: Path) -> dict[str, Any]:
    data = yaml.safe_load(labels_path.read_text(encoding="utf-8"))
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    details: list[dict[str, Any]] = []
    for entry in data["documents"]:
        document, record = load(entry)
        ctx = Context(document, record)
        for name, label in entry["labels"].items():
            signal = run_detector(name, ctx)
            quotes = [_fold(q.text) for q in quotes_for(document, signal.evidence)]
            want, got = DIRECTION[label["answer"]], DIRECTION[signal.answer]
            t = tally[name]
            t["labels"] += 1
            t["exact"] += signal.answer == label["answer"]
            if got is not None:
                t["answered"] += 1
                t["right"] += got == want
            if want is not None:
                t["informative"] += 1
            labelled_quotes = [_fold(q) for q in label.get("quotes", [])]
            found = sum(any(q in text for text in quotes) for q in labelled_quotes)
            t["quotes"] += len(labelled_quotes)
            t["quotes_found"] += found
            details.append(
                {
                    "document": entry["id"],
                    "detector": name,
                    "label": label["answer"],
                    "proposed": signal.answer,
                    "comment": signal.comment,
                    "quotes_found": f"{found}/{len(labelled_quotes)}",
                }
            )
    per_detector = {name: _rates(t) for name, t in sorted(tally.items())}
    total: dict[str, int] = defaultdict(int)
    for t in tally.values():
        for key, value in t.items():
            total[key] += value
    return {"detectors": per_detector, "overall": _rates(total), "details": details}


def _rates(t: dict[str, int]) -> dict[str, Any]:
    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 3) if b else None

    return {
        "labels": t["labels"],
        "answered": t["answered"],
        "informative_labels": t["informative"],
        "precision": ratio(t["right"], t["answered"]),
        "recall": ratio(t["right"], t["informative"]),
        "exact": ratio(t["exact"], t["labels"]),
        "quote_recall": ratio(t["quotes_found"], t["quotes"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument("--details", action="store_true", help="list every label and proposal")
    args = parser.parse_args(argv)
    if not Path(SHARED).exists():
        print(f"skipped: {SHARED} not found")
        return 0
    result = score(HERE / "labels.yaml")
    out = ROOT / "benchmarks" / "results" / "detectors_quality.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    header = f"{'detector':<30}{'labels':>7}{'answered':>9}{'precision':>10}{'recall':>8}"
    print(header + f"{'exact':>7}{'quotes':>8}")

    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    rows = [*result["detectors"].items(), ("ALL", result["overall"])]
    for name, r in rows:
        print(
            f"{name:<30}{r['labels']:>7}{r['answered']:>9}{fmt(r['precision']):>10}"
            f"{fmt(r['recall']):>8}{fmt(r['exact']):>7}{fmt(r['quote_recall']):>8}"
        )
    if args.details:
        for d in result["details"]:
            mark = "" if d["label"] == d["proposed"] else "  <--"
            print(
                f"{d['document']:<22}{d['detector']:<28}label {d['label']:<3} "
                f"proposed {d['proposed']:<3} quotes {d['quotes_found']}{mark}"
            )
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
