"""`appraise claims` on a chain of claims (claim i cites claim i+1, the last cites a study of
the shipped IAPT corpus): seconds per chain length, to see whether it grows linearly (issue 19).
With ``--baseline COMMIT`` the same chains are also timed on the appraise package at that commit
(unpacked with `git archive`), in the same run.

    python3 benchmarks/bench_claims_chain.py 100 1000 10000 --baseline 7c9e2cf --timeout 600
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_chain(corpus: Path, length: int) -> None:
    shutil.copytree(ROOT / "corpus" / "iapt", corpus)
    lines = ["claims:"]
    for i in range(length):
        target = f"claim:c{i + 1}" if i + 1 < length else "10.1111/bjc.12259"
        lines += [f"- id: c{i}", f"  text: claim {i}", "  made_in: {source: s}", "  cites:"]
        lines += [f"  - target: {target}", "    kind: supports"]
    (corpus / "claims.yaml").write_text("\n".join(lines) + "\n")


def claims_seconds(tree: Path, length: int, timeout: float) -> float | None:
    """Seconds `appraise claims --json` takes on the chain with the package in ``tree``, or
    None when it did not end within ``timeout``."""
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "iapt"
        write_chain(corpus, length)
        started = time.perf_counter()
        try:
            subprocess.run(
                [sys.executable, "-m", "appraise", "claims", "--json", "-c", str(corpus)],
                check=True,
                capture_output=True,
                env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
                cwd=folder,  # `python -m` puts the working folder first on sys.path
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return None
        return time.perf_counter() - started


def unpack(commit: str, folder: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "appraise", "rubrics", "pyproject.toml"],
        capture_output=True,
        check=True,
    )
    tar = folder / "tree.tar"
    tar.write_bytes(archive.stdout)
    with tarfile.open(tar) as handle:
        handle.extractall(folder / "tree", filter="data")
    return folder / "tree"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lengths", nargs="*", type=int, default=[100, 1000, 10000])
    parser.add_argument("--baseline", metavar="COMMIT", help="also time this commit's code")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="appraise-bench-chain-") as folder:
        trees = {"now": ROOT}
        if args.baseline:
            trees[args.baseline] = unpack(args.baseline, Path(folder))
        for length in args.lengths:
            for name, tree in trees.items():
                seconds = claims_seconds(tree, length, args.timeout)
                shown = f"{seconds:.1f} s" if seconds is not None else f"> {args.timeout:.0f} s"
                print(f"{length} claims in a chain ({name}): {shown}", flush=True)


if __name__ == "__main__":
    main()
