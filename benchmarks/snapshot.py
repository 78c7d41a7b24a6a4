"""The detectors' outputs pinned, so a speed change can show it changed nothing.

For every text of ``../shared/data/oa-trials`` (read as ``appraise propose FILE`` reads it) and
every full-text record of ``../shared/fixtures/europepmc`` (as the batch path builds it), each
detector's answer, confidence, comment and quote offsets, and a hash of each part of the
findings, are compared with ``benchmarks/snapshots/proposals.json``. The texts themselves are
not stored: a hash of each document's text says the input is the one the snapshot was made on.

    python3 benchmarks/snapshot.py            # compare; exit 1 and list what differs
    python3 benchmarks/snapshot.py --update   # regenerate (after changing detectors on purpose)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

from common import SHARED  # noqa: E402

from appraise.evidence import Document, document_from_record  # noqa: E402
from appraise.evidence.proposals import DETECTORS, findings, quotes_for, run_detector  # noqa: E402
from appraise.evidence.signals import Context  # noqa: E402
from appraise.models import StudyRecord  # noqa: E402

SNAPSHOT = HERE / "snapshots" / "proposals.json"


def documents(shared: Path = Path(SHARED)) -> Iterator[tuple[str, Document, StudyRecord | None]]:
    """(key, document, record) for every input the snapshot covers, in a fixed order."""
    from appraise.documents import read_document

    for path in sorted((shared / "data" / "oa-trials").glob("*")):
        if path.is_file():
            yield f"oa-trials/{path.name}", read_document(path), None
    from bench_proposals import full_text_records

    for record in full_text_records(shared / "fixtures" / "europepmc"):
        yield f"fixtures/{record.id}", document_from_record(record), record


def outputs(document: Document, record: StudyRecord | None) -> dict[str, Any]:
    """What the detectors say of one document, in a form that compares exactly."""
    ctx = Context(document, record)
    detectors = {}
    for name in DETECTORS:
        signal = run_detector(name, ctx)
        detectors[name] = [
            signal.answer,
            round(signal.confidence, 6),
            signal.comment,
            [[q.start, q.end] for q in quotes_for(document, signal.evidence)],
        ]
    found = findings(ctx)
    return {
        "text_sha256": _digest(document.text),
        "detectors": detectors,
        "findings_sha256": {
            key: _digest(json.dumps(value, sort_keys=True)) for key, value in found.items()
        },
    }


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def current(keys: set[str] | None = None, shared: Path = Path(SHARED)) -> dict[str, Any]:
    return {
        key: outputs(document, record)
        for key, document, record in documents(shared)
        if keys is None or key in keys
    }


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """One line per document and part that differs (empty: identical)."""
    lines = []
    for key in sorted(set(expected) | set(actual)):
        if key not in actual:
            lines.append(f"{key}: in the snapshot, not among the inputs")
            continue
        if key not in expected:
            lines.append(f"{key}: not in the snapshot")
            continue
        want, got = expected[key], actual[key]
        if want["text_sha256"] != got["text_sha256"]:
            lines.append(f"{key}: the input text differs from the one the snapshot was made on")
        for name in sorted(set(want["detectors"]) | set(got["detectors"])):
            if want["detectors"].get(name) != got["detectors"].get(name):
                lines.append(
                    f"{key}: {name}: {want['detectors'].get(name)} -> {got['detectors'].get(name)}"
                )
        for part in sorted(set(want["findings_sha256"]) | set(got["findings_sha256"])):
            if want["findings_sha256"].get(part) != got["findings_sha256"].get(part):
                lines.append(f"{key}: findings.{part} differs")
    return lines


def load() -> dict[str, Any]:
    return dict(json.loads(SNAPSHOT.read_text())["documents"])


def write(snapshot: dict[str, Any]) -> None:
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "about": "detector outputs on ../shared/data/oa-trials and ../shared/fixtures/europepmc; "
        "regenerate with: python3 benchmarks/snapshot.py --update",
        "documents": snapshot,
    }
    SNAPSHOT.write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="regenerate the snapshot")
    args = parser.parse_args(argv)
    actual = current()
    if args.update:
        write(actual)
        print(f"written: {SNAPSHOT} ({len(actual)} documents)")
        return 0
    lines = differences(load(), actual)
    for line in lines:
        print(line)
    print(f"{len(actual)} documents, {len(lines)} differences from {SNAPSHOT.name}")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
