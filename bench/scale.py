"""Benchmark: how the daily pipeline's cost grows with the size of the group.

    .venv/bin/python -m bench.scale --scale bosideng --members 1000000

On a throw-away embedded PostgreSQL: generates the world (the preset cut to ``--members``),
holds its last day back, builds all history from the landed files (``siyu run``), then lands
the last day and runs again (the daily increment). Prints, and writes to
``bench/results/<date>-<scale>-<members>.md`` with the machine's cores and memory:

- each stage's wall time and peak memory (PSS of the process tree, so PostgreSQL's shared
  buffers count once), the slowest Dagster steps and dbt models of each run
- the loader against one plain ``COPY FROM STDIN`` stream, two parallel streams and pandas
  ``to_sql`` on the same files of the largest table
- the warehouse size against the source files' bytes
- two heavy marts in PostgreSQL beside Polars on the same rows, results compared
- the p50 and p95 of each dashboard chart's query (bench.chart_queries)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.warehouse import measure_in_throwaway, relation_sizes
from siyu.ingest.loader import file_day

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS = REPO_ROOT / "bench" / "results"


@dataclass
class Stage:
    name: str
    seconds: float
    peak_pss_mb: float
    notes: list[str] = field(default_factory=list)


def _pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return 0.0
    return 0.0


def _tree_pss_mb(roots: list[int]) -> float:
    pids: set[int] = set()
    for root in roots:
        try:
            proc = psutil.Process(root)
            pids |= {proc.pid, *(c.pid for c in proc.children(recursive=True))}
        except psutil.NoSuchProcess:
            continue
    return sum(_pss_mb(pid) for pid in pids)


def measured(name: str, args: list[str], env: dict[str, str], server_pid: int | None) -> Stage:
    """Run ``args``; its wall time and the peak PSS of it, its children and the server."""
    peak = 0.0
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(proc.stdout or []), daemon=True)
    reader.start()
    while proc.poll() is None:
        roots = [proc.pid] + ([server_pid] if server_pid else [])
        peak = max(peak, _tree_pss_mb(roots))
        time.sleep(1.0)
    reader.join()
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{name} failed:\n{''.join(output)[-4000:]}")
    print(f"{name:<44} {elapsed:>8.1f} s   peak {peak:>8,.0f} MB", flush=True)
    return Stage(name, elapsed, peak, [line.rstrip() for line in output[-3:]])


def _server_pid(data: Path) -> int | None:
    pidfile = data / "pg" / "postmaster.pid"
    return int(pidfile.read_text().split()[0]) if pidfile.exists() else None


def hold_back_last_day(landing: Path, held: Path, manifest: dict) -> str:
    """Move the files of the world's last day aside, with the late files dated after it
    (orders arriving in a later day's extract); returns that day."""
    scale = manifest["scale"]
    last = dt.date.fromisoformat(scale["start"]) + dt.timedelta(days=scale["days"] - 1)
    for path in list(landing.glob("*/*/*.*")):
        if (file_day(path.name) or "") >= last.isoformat():
            target = held / path.relative_to(landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
    return last.isoformat()


def bytes_under(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def step_times(dagster_home: Path, top: int = 8) -> list[tuple[str, float]]:
    """The slowest steps of the latest Dagster run recorded under ``dagster_home``."""
    from dagster import DagsterInstance

    os.environ["DAGSTER_HOME"] = str(dagster_home)
    with DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        stats = instance.get_run_step_stats(run.run_id)
    times = [(s.step_key, (s.end_time or 0) - (s.start_time or 0)) for s in stats]
    return sorted(times, key=lambda t: -t[1])[:top]


def _dbt_node_results(since: float) -> Iterator[dict]:
    """Each node result of every dbt invocation that finished after ``since``."""
    for results in (REPO_ROOT / "dbt" / "target").rglob("run_results.json"):
        if results.stat().st_mtime >= since:
            yield from json.loads(results.read_text())["results"]


def dbt_model_times(since: float, top: int = 10) -> list[tuple[str, float]]:
    """The slowest dbt nodes of every invocation that finished after ``since``."""
    times: dict[str, float] = {}
    for node in _dbt_node_results(since):
        name = node["unique_id"].split(".", 2)[-1]
        times[name] = max(times.get(name, 0.0), float(node["execution_time"]))
    return sorted(times.items(), key=lambda t: -t[1])[:top]


def dbt_time_by_kind(since: float) -> dict[str, tuple[int, float]]:
    """Nodes and summed execution seconds of each dbt resource type (model, test, unit_test,
    ...) over every invocation that finished after ``since``."""
    kinds: dict[str, tuple[int, float]] = {}
    for node in _dbt_node_results(since):
        kind = node["unique_id"].split(".", 1)[0]
        count, seconds = kinds.get(kind, (0, 0.0))
        kinds[kind] = (count + 1, seconds + float(node["execution_time"]))
    return kinds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="bosideng")
    parser.add_argument("--members", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="keep the data in this folder")
    args = parser.parse_args(argv)
    measure_in_throwaway(
        "siyu-scale-", args.keep, lambda data, url, env: _measure(args, data, url, env)
    )


def _warehouse_bytes(url: str) -> tuple[int, list[tuple[str, int]]]:
    database, tables = relation_sizes(url)
    by_schema: dict[str, int] = {}
    for schema, _, size in tables:
        by_schema[schema] = by_schema.get(schema, 0) + size
    return database, sorted(by_schema.items(), key=lambda item: (-item[1], item[0]))


def _measure(args: argparse.Namespace, data: Path, url: str, env: dict[str, str]) -> None:
    from bench.chart_queries import time_charts
    from bench.engines_compare import compare_engines
    from bench.loader_compare import compare_loaders
    from bench.report import write_report

    siyu = str(Path(sys.executable).parent / "siyu")
    landing, held = data / "landing", data / "next_day"
    members = ["--members", str(args.members)] if args.members else []
    label = f"{args.scale}-{args.members or 'preset'}"
    print(f"scale {label}, data in {data}", flush=True)
    generate = [siyu, "generate", "--scale", args.scale, *members]
    stages = [measured("generate", generate, env, None)]
    manifest = json.loads((landing / "manifest.json").read_text())
    last_day = hold_back_last_day(landing, held, manifest)
    day_before = (dt.date.fromisoformat(last_day) - dt.timedelta(days=1)).isoformat()
    source_bytes, server_pid = bytes_under(landing), _server_pid(data)
    started = time.time()
    stages.append(
        measured(
            "full build (load + dbt + BG/NBD + checks)",
            [siyu, "run", "--as-of", day_before],
            env,
            server_pid,
        )
    )
    full = step_times(data / "dagster"), dbt_model_times(started)
    db_bytes, schema_bytes = _warehouse_bytes(url)
    day_bytes = bytes_under(held)
    shutil.copytree(held, landing, dirs_exist_ok=True)
    started = time.time()
    stages.append(
        measured(
            f"one new day ({last_day}, {day_bytes / 1e6:.1f} MB)",
            [siyu, "run", "--as-of", last_day],
            env,
            server_pid,
        )
    )
    day = step_times(data / "dagster"), dbt_model_times(started)
    write_report(
        RESULTS / f"{dt.date.today().isoformat()}-{label}.md",
        label=label,
        manifest=manifest,
        stages=stages,
        runs={"full build": full, "one new day": day},
        sizes={
            "source": source_bytes,
            "database": db_bytes,
            "schemas": schema_bytes,
            "day": day_bytes,
        },
        charts=time_charts(url),
        loaders=compare_loaders(url, landing, manifest),
        engines=compare_engines(url),
    )


if __name__ == "__main__":
    main()
