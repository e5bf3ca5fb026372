"""Startup benchmark: wall time of `tendlc --help` and of `import receiver, tui` (best and median of 7).

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
        "tendlc --help": timed([py, "-m", "tui.cli", "--help"]),
        "import receiver, tui": timed(
            [py, "-c", "import receiver.server, receiver.store, tui.cli"]
        ),
        "import tui.app (Textual)": timed([py, "-c", "import tui.app"]),
    }
    base = statistics.median(baseline)
    print(f"startup: best / median of {RUNS} runs")
    for name, times in rows.items():
        med = statistics.median(times)
        print(
            f"{name:<28} best {min(times) * 1000:6.0f} ms  median {med * 1000:6.0f} ms  {med / base:5.1f}x baseline"
        )


if __name__ == "__main__":
    main()
