"""Write split.yaml: which oa-trials texts are for development and which stay untouched.

Per topic code in ../shared/data/oa-trials/SOURCES.md (MH, SUB, BEH, CLIN), files are ordered by
the SHA-1 of their name; the first half (rounded up) is for development, the rest is the
untouched half the benchmark reports on. The rule is fixed, so the split never depends on
how detectors do.

    python3 benchmarks/labels/oa_trials/make_split.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import hashlib
import re
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROW = re.compile(r"^\| (\S+\.xml) \| [^|]+ \| [^|]+ \| [^|]+ \| (MH|SUB|BEH|CLIN):")


def split(sources: str) -> dict[str, list[tuple[str, str]]]:
    by_topic: dict[str, list[str]] = defaultdict(list)
    for line in sources.splitlines():
        match = ROW.match(line)
        if match:
            by_topic[match.group(2)].append(match.group(1))
    out: dict[str, list[tuple[str, str]]] = {"dev": [], "test": []}
    for topic, files in sorted(by_topic.items()):
        files.sort(key=lambda name: hashlib.sha1(name.encode()).hexdigest())
        half = (len(files) + 1) // 2
        out["dev"] += [(f, topic) for f in files[:half]]
        out["test"] += [(f, topic) for f in files[half:]]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parents[2].parent / "shared")
    args = parser.parse_args()
    parts = split((args.shared / "data" / "oa-trials" / "SOURCES.md").read_text("utf-8"))
    lines = [
        "# Which ../shared/data/oa-trials texts are for development and which stay untouched.",
        "# Written by make_split.py (per topic, by SHA-1 of file name; fixed before labelling).",
        "# Detector work may read the dev texts and their labels; nobody tuning detectors reads",
        "# the test texts or their labels: the benchmark reports on them.",
    ]
    for half, rows in parts.items():
        lines.append(f"{half}:")
        lines += [f"  - {{file: {name}, topic: {topic}}}" for name, topic in rows]
    (HERE / "split.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
