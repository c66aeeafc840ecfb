"""Benchmark: the same models on PostgreSQL and on local Spark, side by side.

    .venv/bin/python -m bench.engines_spark --scale bosideng --members 20000

Generates one world (the preset cut to ``--members``), holds its last day back, then for each
engine on the same files: builds all history (``siyu run``), lands the last day and runs again.
Both engines run on the same machine, one after the other, with nothing else running. Prints,
and writes ``bench/results/<date>-spark-<scale>-<members>.md``:

- each run's wall time and peak memory (PSS of the process tree: siyu, dbt, Spark's JVM and
  PostgreSQL), the slowest Dagster steps and dbt models of each engine's full build;
- whether every mart Spark built equals PostgreSQL's (siyu.quality.engine_parity);
- the marts' and the whole warehouse's bytes on each engine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

import psycopg

from bench.scale import (
    RESULTS,
    Stage,
    _server_pid,
    bytes_under,
    dbt_model_times,
    dbt_time_by_kind,
    hold_back_last_day,
    measured,
    step_times,
)
from bench.warehouse import measure_in_throwaway
from siyu.core.warehouse import ensure_database
from siyu.quality.engine_parity import mart_differences


def _engine_runs(
    name: str,
    env: dict[str, str],
    landing: Path,
    held: Path,
    days: tuple[str, str],
    pid: int | None,
) -> dict:
    """Full build as of the day before the last, then the last day landed and run."""
    siyu = str(Path(sys.executable).parent / "siyu")
    started = time.time()
    full = measured(f"{name}: full build", [siyu, "run", "--as-of", days[0]], env, pid)
    slowest = step_times(Path(env["DAGSTER_HOME"]), top=6), dbt_model_times(started, top=8)
    kinds = {"full build": dbt_time_by_kind(started)}
    shutil.copytree(held, landing, dirs_exist_ok=True)
    day_started = time.time()
    day = measured(f"{name}: one new day", [siyu, "run", "--as-of", days[1]], env, pid)
    kinds["one new day"] = dbt_time_by_kind(day_started)
    return {"full": full, "day": day, "steps": slowest[0], "models": slowest[1], "kinds": kinds}


def _postgres_marts_bytes(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as conn:
        marts = conn.execute(
            "select coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint from pg_class c "
            "join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = 'marts' and c.relkind = 'r'"
        ).fetchone()[0]
        database = conn.execute("select pg_database_size(current_database())").fetchone()[0]
    return marts, database


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="bosideng")
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the data in this folder")
    args = parser.parse_args(argv)
    measure_in_throwaway(
        "siyu-spark-", args.keep, lambda data, url, env: _measure(args, data, url, env)
    )


def _measure(args: argparse.Namespace, data: Path, url: str, env: dict[str, str]) -> None:
    siyu = str(Path(sys.executable).parent / "siyu")
    label = f"{args.scale}-{args.members}"
    generate = [siyu, "generate", "--scale", args.scale, "--members", str(args.members)]
    generated = measured("generate", generate, env, None)
    landing, pristine = data / "landing", data / "landing-all"
    shutil.copytree(landing, pristine)
    manifest = json.loads((landing / "manifest.json").read_text())
    last = hold_back_last_day(landing, data / "held", manifest)
    days = ((dt.date.fromisoformat(last) - dt.timedelta(days=1)).isoformat(), last)
    source_bytes, pid = bytes_under(landing), _server_pid(data)
    postgres = _engine_runs("PostgreSQL", env, landing, data / "held", days, pid)
    pg_marts, pg_database = _postgres_marts_bytes(url)

    # Spark: the same files again, its own ledger database and Dagster home.
    shutil.rmtree(landing)
    shutil.copytree(pristine, landing)
    hold_back_last_day(landing, data / "held-spark", manifest)
    ledger = url.rsplit("/", 1)[0] + "/siyu_spark_ledger"
    ensure_database(ledger)
    (data / "dagster-spark").mkdir()
    spark_env = {
        **env,
        "WAREHOUSE_URL": ledger,
        "SIYU_ENGINE": "spark",
        "SIYU_SPARK_DIR": str(data / "spark"),
        "DAGSTER_HOME": str(data / "dagster-spark"),
    }
    spark = _engine_runs("Spark", spark_env, landing, data / "held-spark", days, pid)
    marts, differing = mart_differences(url, data / "spark")
    report = _report(
        label,
        generated,
        {"PostgreSQL": postgres, "Spark (local)": spark},
        source_bytes,
        {
            "PostgreSQL": (pg_marts, pg_database),
            "Spark (local)": (
                bytes_under(data / "spark" / "warehouse" / "marts.db"),
                bytes_under(data / "spark"),
            ),
        },
        (marts, differing),
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{dt.date.today().isoformat()}-spark-{label}.md"
    out.write_text(report)
    print(report)
    print(f"written to {out}")


def _report(
    label: str,
    generated: Stage,
    runs: dict[str, dict],
    source_bytes: int,
    sizes: dict[str, tuple[int, int]],
    parity: tuple[int, dict[str, str]],
) -> str:
    cores, memory = os.cpu_count(), os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    lines = [
        f"# PostgreSQL and local Spark: {label}",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {platform.node()}: {cores} cores, "
        f"{memory / 2**30:.0f} GiB; `python -m bench.engines_spark`; source files "
        f"{source_bytes / 1e6:,.1f} MB; generate {generated.seconds:.1f} s.",
        "",
        "| engine | full build | peak | one new day | peak | marts | whole store |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, run in runs.items():
        marts, whole = sizes[name]
        lines.append(
            f"| {name} | {run['full'].seconds:,.1f} s | {run['full'].peak_pss_mb:,.0f} MB "
            f"| {run['day'].seconds:,.1f} s | {run['day'].peak_pss_mb:,.0f} MB "
            f"| {marts / 1e6:,.1f} MB | {whole / 1e6:,.1f} MB |"
        )
    count, differing = parity
    lines += [
        "",
        f"Marts equal row for row (amounts to the cent): {count - len(differing)} of {count}.",
    ]
    lines += [f"- `{name}` differs: {problem[:300]}" for name, problem in differing.items()]
    lines += _time_by_kind(runs)
    for name, run in runs.items():
        lines += ["", f"## {name}: slowest steps and dbt nodes of the full build", ""]
        lines += [f"- step `{step}`: {seconds:,.1f} s" for step, seconds in run["steps"]]
        lines += [f"- dbt `{node}`: {seconds:,.1f} s" for node, seconds in run["models"]]
    return "\n".join(lines) + "\n"


def _time_by_kind(runs: dict[str, dict]) -> list[str]:
    """Where each run's dbt time goes: nodes and their summed seconds by resource type."""
    kinds = ("model", "test", "unit_test")
    lines = [
        "",
        "## Where the dbt time goes",
        "",
        "Nodes and the sum of their execution times, by kind, from dbt's `run_results.json` of "
        "the run's dbt steps; the rest of a step is dbt's and the engine's start-up.",
        "",
        "| engine | run | " + " | ".join(kinds) + " |",
        "|---|---|" + "---|" * len(kinds),
    ]
    for name, run in runs.items():
        for label, by_kind in run["kinds"].items():
            cells = [by_kind.get(kind, (0, 0.0)) for kind in kinds]
            row = " | ".join(f"{count} in {seconds:,.1f} s" for count, seconds in cells)
            lines.append(f"| {name} | {label} | {row} |")
    return lines


if __name__ == "__main__":
    main()
