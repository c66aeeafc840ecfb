"""Benchmark: the whole daily job on a generated world, on a throw-away embedded PostgreSQL.

    .venv/bin/python -m bench.bench_pipeline [tiny|demo]

Prints the time of each phase: generate, first run (load + dbt build + checks), second run
(every file skipped, dbt rebuilt), and the rows landed in raw.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from bench.warehouse import throwaway_warehouse
from siyu.ingest.schemas import SCHEMAS

REPO_ROOT = Path(__file__).resolve().parent.parent


def timed(label: str, args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(args, env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{label} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    print(f"{label:<44} {elapsed:>8.1f} s", flush=True)
    return elapsed


def main(scale: str) -> None:
    siyu = str(Path(sys.executable).parent / "siyu")
    with tempfile.TemporaryDirectory() as tmp, throwaway_warehouse(Path(tmp)) as (url, env):
        print(f"scale {scale}")
        timed("generate", [siyu, "generate", "--scale", scale], env)
        timed("run 1 (load + dbt build + checks)", [siyu, "run"], env)
        timed("run 2 (files skipped, dbt build)", [siyu, "run"], env)
        with psycopg.connect(url) as conn:
            rows = sum(
                conn.execute(f"select count(*) from {s.qualified_table}").fetchone()[0]
                for s in SCHEMAS
            )
        print(f"{'rows in raw':<34} {rows:>10,}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tiny")
