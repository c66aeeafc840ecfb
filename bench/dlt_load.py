"""Load CSV files into PostgreSQL with dlt; run by bench.loader_compare in its own environment.

    python bench/dlt_load.py <postgres url> <table name> <max rows> <file> [<file> ...]

dlt is installed only for the benchmark (bench/.dlt-venv, made by bench.loader_compare), so this
script imports nothing from Siyu. Rows are read with the standard csv module and handed to
dlt in batches, and dlt loads them with its preferred format for PostgreSQL (insert_values).
Prints one JSON line: the rows loaded and the seconds dlt took (extract, normalize and load).
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import time
from pathlib import Path

import dlt

BATCH = 10_000


def _rows(files: list[Path], limit: int, taken: list[int]):
    """Batches of up to ``limit`` rows of ``files``; ``taken[0]`` counts the rows handed out."""
    batch = []
    for path in files:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                batch.append(row)
                taken[0] += 1
                if len(batch) == BATCH:
                    yield batch
                    batch = []
                if taken[0] >= limit:
                    break
        if taken[0] >= limit:
            break
    if batch:
        yield batch


def main(url: str, table: str, limit: int, files: list[Path]) -> None:
    taken = [0]  # counted as dlt reads the rows, so the files are read once
    with tempfile.TemporaryDirectory() as pipelines_dir:
        pipeline = dlt.pipeline(
            pipeline_name="siyu_loader_bench",
            pipelines_dir=pipelines_dir,
            destination=dlt.destinations.postgres(url),
            dataset_name="bench_dlt",
            progress=None,
        )
        resource = dlt.resource(_rows(files, limit, taken), name=table, write_disposition="replace")
        started = time.perf_counter()
        pipeline.run(resource)
        seconds = time.perf_counter() - started
    measured = {"dlt_rows": taken[0], "dlt_seconds": seconds, "dlt_version": dlt.__version__}
    print(json.dumps(measured))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), [Path(p) for p in sys.argv[4:]])
