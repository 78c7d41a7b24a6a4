"""Run appraise's benchmarks, print a table and write benchmarks/results/latest.json.

    python3 benchmarks/run.py              # everything, full sizes (about 5 minutes)
    python3 benchmarks/run.py --quick      # smaller sizes, for a check that all still runs
    python3 benchmarks/run.py --only fetch rubric

Benchmarks whose capability is not installed (or whose inputs in ../shared are absent) are
reported as skipped with the reason; a benchmark that fails is reported and the rest still run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))  # appraise itself, when run from a plain clone

from common import machine  # noqa: E402

# name -> module; each module has run(quick: bool) -> {"metrics": [...], ...}, except the graph
# benchmark (run(works=, edges=) -> dict), adapted by run_graph below.
BENCHMARKS = {
    "fetch": "bench_fetch",
    "proposals": "bench_proposals",
    "rubric": "bench_rubric",
    "scale": "bench_scale",
    "graph": "bench_graph",
    "report": "bench_report",
    "proposal-quality": "proposal_quality",
    "quote-offsets": "quote_file_offsets",
    "hostile": "hostile_cases",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(BENCHMARKS),
        metavar="NAME",
        help=f"run only these: {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE / "results" / "latest.json",
        help="where to write the results JSON",
    )
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"machine": machine(), "quick": args.quick, "benchmarks": {}}
    failed = False
    for name in args.only or list(BENCHMARKS):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            outcome = (
                run_graph(args.quick)
                if name == "graph"
                else (importlib.import_module(BENCHMARKS[name]).run(quick=args.quick))
            )
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            outcome = {"error": f"{type(exc).__name__}: {exc}", "metrics": []}
            failed = True
        outcome["seconds"] = round(time.perf_counter() - started, 1)
        results["benchmarks"][name] = outcome

    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n")
    os.replace(tmp, args.out)
    print(f"\nwritten: {args.out}", file=sys.stderr)
    return 1 if failed else 0


def run_graph(quick: bool) -> dict[str, Any]:
    """Graph build and trace over 100,000 works and 1,000,000 edges (a tenth with --quick)."""
    if not (HERE / "bench_graph.py").exists():
        return {"skipped": "benchmarks/bench_graph.py is not there yet", "metrics": []}
    works, edges = (10_000, 100_000) if quick else (100_000, 1_000_000)
    outcome = dict(importlib.import_module("bench_graph").run(works=works, edges=edges))
    if "metrics" not in outcome:  # plain figures: show each number as a row
        outcome = {
            "metrics": [
                {"name": key, "value": value, "unit": "", "note": ""}
                for key, value in outcome.items()
                if isinstance(value, int | float) and not isinstance(value, bool)
            ],
            "details": outcome,
        }
    return outcome


def print_table(results: dict[str, Any]) -> None:
    info = results["machine"]
    print(
        f"\nappraise benchmarks{' (quick)' if results['quick'] else ''}: {info['date']}, "
        f"{info['cores']} cores, Python {info['python']}, {info['platform']}; load average "
        f"{info['load_average_at_start'][0]} at start, {info['load_average_at_end'][0]} at end"
    )
    rows = [("benchmark", "measure", "value", "unit", "note")]
    for name, outcome in results["benchmarks"].items():
        if "skipped" in outcome or "error" in outcome:
            status = "skipped" if "skipped" in outcome else "FAILED"
            rows.append((name, status, "", "", outcome.get("skipped") or outcome["error"]))
        for m in outcome["metrics"]:
            rows.append((name, m["name"], format_value(m["value"]), m["unit"], m["note"]))
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    for i, row in enumerate(rows):
        cells = [
            str(c).ljust(w) if j != 2 else str(c).rjust(w)
            for j, (c, w) in enumerate(zip(row[:4], widths, strict=True))
        ]
        print("  ".join(cells) + "  " + str(row[4]))
        if i == 0:
            print("  ".join("-" * w for w in widths) + "  " + "-" * 4)


def format_value(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 10 else f"{value:.1f}"


if __name__ == "__main__":
    sys.exit(main())
