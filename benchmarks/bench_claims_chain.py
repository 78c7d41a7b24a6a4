"""`appraise claims` on a chain of claims (claim i cites claim i+1, the last cites a study of
the shipped IAPT corpus): seconds per chain length, to see whether it grows linearly (issue 19).

    python3 benchmarks/bench_claims_chain.py 100 300 1000
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def claims_seconds(length: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "iapt"
        shutil.copytree(ROOT / "corpus" / "iapt", corpus)
        lines = ["claims:"]
        for i in range(length):
            target = f"claim:c{i + 1}" if i + 1 < length else "10.1111/bjc.12259"
            lines += [f"- id: c{i}", f"  text: claim {i}", "  made_in: {source: s}", "  cites:"]
            lines += [f"  - target: {target}", "    kind: supports"]
        (corpus / "claims.yaml").write_text("\n".join(lines) + "\n")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "appraise", "claims", "--json", "-c", str(corpus)],
            check=True,
            capture_output=True,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        return time.perf_counter() - started


def main() -> None:
    for length in [int(arg) for arg in sys.argv[1:]] or [100, 300, 1000]:
        print(f"{length} claims in a chain: {claims_seconds(length):.1f} s")


if __name__ == "__main__":
    main()
