"""Startup benchmark: wall time of `tendlc --help` and of importing receiver and tui (best and median of 7).

Run: python benchmarks/startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
TARGET_HELP = 0.3  # seconds


def timed(args: list[str]) -> list[float]:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    py = sys.executable
    baseline = timed([py, "-c", "pass"])
    rows = {
        "python -c pass (baseline)": baseline,
        "tendlc --help": timed([py, "-m", "tendlc", "--help"]),
        "tendlc receive --help": timed([py, "-m", "tendlc", "receive", "--help"]),
        "import receiver, tui": timed([py, "-c", "import receiver, tui, tendlc.main"]),
        "import receiver.http.server+store": timed(
            [py, "-c", "import receiver.http.server, receiver.store.store"]
        ),
        "import tui.app (Textual)": timed([py, "-c", "import tui.app"]),
    }
    base = statistics.median(baseline)
    print(f"startup: best / median of {RUNS} runs")
    for name, times in rows.items():
        med = statistics.median(times)
        print(
            f"{name:<30} best {min(times) * 1000:6.0f} ms  median {med * 1000:6.0f} ms  "
            f"{med / base:5.1f}x baseline"
        )
    helped = statistics.median(rows["tendlc --help"])
    verdict = "ok" if helped <= TARGET_HELP else "MISSED"
    print(f"target: tendlc --help <= {TARGET_HELP * 1000:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
