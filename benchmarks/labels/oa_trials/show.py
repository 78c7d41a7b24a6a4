"""Print a text as appraise reads it, sentence by sentence with offsets, for labelling.

    python3 benchmarks/labels/oa_trials/show.py ../shared/data/oa-trials/PMCxxxxxxx.xml --grep RE

Quotes in a label file are copied from this output: each must be an exact stretch of
``read_document(path).text`` (the scorer finds it there, ignoring runs of whitespace).
"""

from __future__ import annotations

import argparse
import contextlib
import re

from appraise.documents import read_document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--grep", help="only sentences matching this regex (case-insensitive)")
    args = parser.parse_args()
    doc = read_document(args.path)
    pattern = re.compile(args.grep, re.I) if args.grep else None
    current = None
    for s in doc.sentences:
        text = doc.text[s.start : s.end]
        if pattern and not pattern.search(text):
            continue
        if s.section != current:
            current = s.section
            print(f"\n## {s.section} [{s.kind}]")
        print(f"[{s.start}-{s.end}] {text}")


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):  # piped into head
        main()
