"""What every benchmark shares: a metric row, the machine's description, the appraise command."""

from __future__ import annotations

import os
import platform
import resource
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SHARED = os.environ.get("APPRAISE_SHARED") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared"
)


def metric(name: str, value: float, unit: str, note: str = "") -> dict[str, Any]:
    return {"name": name, "value": round(value, 3), "unit": unit, "note": note}


def skipped(reason: str) -> dict[str, Any]:
    return {"skipped": reason, "metrics": []}


def machine() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        # Other work on the machine slows every figure: read them beside the load.
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def appraise_command() -> list[str]:
    """The installed `appraise` console script, or the same entry point through this Python."""
    script = shutil.which("appraise")
    if script:
        return [script]
    return [sys.executable, "-c", "import sys; from appraise.cli.main import run; run()"]


def peak_memory_mb() -> float:
    """This process's peak resident memory since it started (Linux: VmHWM).

    ru_maxrss is not used on Linux: it keeps the high-water mark of the process that forked
    this one, so a child started by a large benchmark would report its parent's peak.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / (1024 * 1024 if sys.platform == "darwin" else 1024)


def peak_rss_mb(usage_maxrss: int) -> float:
    """ru_maxrss in MB (kilobytes on Linux, bytes on macOS)."""
    return usage_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
