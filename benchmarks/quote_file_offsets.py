"""How many proposed quotes are found again in the reviewer's own file (issue 13: a quote's
offsets counted in the rebuilt text could not be checked in the file the reviewer holds).

For every oa-trials JATS text in ../shared, every rob2 and psychotherapy proposal's quote: is
``file_start``/``file_end`` set, and does the file hold the quote's words there (tags, entities
and spacing aside)?
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appraise.documents import read_document  # noqa: E402
from appraise.evidence.proposals import propose  # noqa: E402
from appraise.rubrics import load_rubric  # noqa: E402

RUBRICS = ("rob2", "psychotherapy")


def _words(text: str) -> str:
    return "".join(html.unescape(re.sub(r"<[^>]*>", "", text)).replace(":", "").split())


def measure(folder: Path) -> dict[str, int]:
    quotes = located = matching = 0
    rubrics = [load_rubric(name) for name in RUBRICS]
    for path in sorted(folder.glob("*.xml")):
        document = read_document(path)
        for rubric in rubrics:
            for proposal in propose(document, rubric).proposals:
                for quote in proposal.quotes:
                    quotes += 1
                    if quote.file_start is None or document.original is None:
                        continue
                    located += 1
                    held = document.original.text[quote.file_start : quote.file_end]
                    matching += _words(held) == _words(quote.text)
    return {"quotes": quotes, "located": located, "matching": matching}


def run(quick: bool = False) -> dict[str, object]:
    """The benchmarks/run.py entry point (quick changes nothing: the set is small)."""
    folder = Path(os.environ.get("APPRAISE_SHARED", ROOT.parent / "shared")) / "data" / "oa-trials"
    if not folder.is_dir():
        return {"skipped": f"needs the texts in {folder}", "metrics": []}
    figures = measure(folder)
    return {
        "metrics": [
            {
                "name": "quotes located in the file",
                "value": round(figures["located"] / figures["quotes"], 3),
                "unit": "share",
                "note": f"{figures['located']} of {figures['quotes']} quotes, "
                f"{figures['matching']} holding the quote's words exactly there",
            }
        ],
        "details": figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    folder = args.shared / "data" / "oa-trials"
    if not folder.is_dir():
        sys.exit(f"skipped: {folder} is not there")
    figures = measure(folder)
    print(json.dumps(figures))
    share = figures["located"] / figures["quotes"]
    print(
        f"{figures['located']} of {figures['quotes']} quotes located ({share:.1%}); "
        f"{figures['matching']} hold the quote's words exactly there"
    )


if __name__ == "__main__":
    main()
