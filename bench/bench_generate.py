"""Benchmark: generate a world per preset, print wall time, peak memory, rows and size.

    .venv/bin/python -m bench.bench_generate [tiny demo bosideng]

Each preset runs in a fresh process so its peak RSS is its own; its progress bar shows on
stderr. Budgets (issue 3): tiny < 5 s; demo < 2 min and < 2 GB; bosideng streamed in member
chunks with a peak RSS < 4 GB. ``bosideng`` writes ~10 GB under the temporary directory.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

CHILD = """
import json, resource, sys, time
from pathlib import Path
from siyu.demo_world.generate import generate
started = time.perf_counter()
manifest = generate(sys.argv[1], 42, sys.argv[2], progress=True)
elapsed = time.perf_counter() - started
entities = manifest["entities"]
rows = sum(e["rows"] for e in entities.values())
line_entities = ("mall__order_lines", "pos__receipt_lines", "live__live_orders")
lines = sum(entities[k]["rows"] for k in line_entities)
size = sum(p.stat().st_size for p in Path(sys.argv[2]).rglob("*") if p.is_file())
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": round(elapsed, 2), "peak_rss_mb": round(peak_mb), "rows": rows,
                  "members": entities["mall__members"]["rows"], "order_lines": lines,
                  "disk_mb": round(size / 2**20)}))
"""

BUDGETS = {"tiny": (5, None), "demo": (120, 2048), "bosideng": (None, 4096)}


def main(presets: list[str]) -> None:
    print(
        f"{'preset':<9} {'seconds':>8} {'peak RSS MB':>12} {'rows':>12} {'rows/s':>10} "
        f"{'accounts':>11} {'order lines':>12} {'disk MB':>8}  budget"
    )
    for preset in presets:
        with tempfile.TemporaryDirectory() as out:
            result = subprocess.run(
                [sys.executable, "-c", CHILD, preset, out],
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )
        f = json.loads(result.stdout.strip().splitlines()[-1])
        seconds, memory = BUDGETS.get(preset, (None, None))
        within = (seconds is None or f["seconds"] < seconds) and (
            memory is None or f["peak_rss_mb"] < memory
        )
        budget = ", ".join(
            part
            for part in (
                f"< {seconds} s" if seconds else "",
                f"< {memory:,} MB" if memory else "",
            )
            if part
        )
        print(
            f"{preset:<9} {f['seconds']:>8.2f} {f['peak_rss_mb']:>12,} {f['rows']:>12,} "
            f"{f['rows'] / f['seconds']:>10,.0f} {f['members']:>11,} {f['order_lines']:>12,} "
            f"{f['disk_mb']:>8,}  {budget} {'met' if within else 'MISSED'}"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or ["tiny", "demo"])
