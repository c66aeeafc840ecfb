"""Benchmark: generate a world per preset, print wall time, peak memory and rows.

    .venv/bin/python -m bench.bench_generate [tiny demo]

Each preset runs in a fresh process so its peak RSS is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

CHILD = """
import json, resource, sys, time
from extract.generate import generate
started = time.perf_counter()
manifest = generate(sys.argv[1], 42, sys.argv[2])
elapsed = time.perf_counter() - started
rows = sum(e["rows"] for e in manifest["entities"].values())
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": round(elapsed, 2), "peak_rss_mb": round(peak_mb), "rows": rows}))
"""


def main(presets: list[str]) -> None:
    print(f"{'preset':<8} {'seconds':>8} {'peak RSS MB':>12} {'rows':>12} {'rows/s':>10}")
    for preset in presets:
        with tempfile.TemporaryDirectory() as out:
            result = subprocess.run(
                [sys.executable, "-c", CHILD, preset, out],
                capture_output=True,
                text=True,
                check=True,
            )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        rate = figures["rows"] / figures["seconds"]
        print(
            f"{preset:<8} {figures['seconds']:>8.2f} {figures['peak_rss_mb']:>12,} "
            f"{figures['rows']:>12,} {rate:>10,.0f}"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or ["tiny", "demo"])
