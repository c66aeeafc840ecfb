"""The scale benchmark's result file: figures as measured, with the machine they ran on."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import psutil


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def machine() -> str:
    memory = psutil.virtual_memory().total / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, {platform.platform()}"


def _table(rows: list[tuple[str, float]], unit: str = "s") -> list[str]:
    return [f"| {name} | {value:,.1f} {unit} |" for name, value in rows]


def write_report(
    path: Path,
    *,
    label: str,
    manifest: dict,
    stages: list,
    runs: dict[str, tuple[list, list]],
    sizes: dict,
    loaders: dict,
    charts: list[tuple[str, float, float, int]],
    engines: list[dict] | None = None,
) -> None:
    raw_rows = sum(e["rows"] for e in manifest["entities"].values())
    scale = manifest["scale"]
    lines = [
        f"# Scale benchmark: {label}",
        "",
        f"Machine: {machine()}. Command: `.venv/bin/python -m bench.scale --scale "
        f"{scale['name']} --members {scale['members']}`.",
        "",
        f"World: {scale['members']:,} members, {scale['brands']} brands, {scale['stores']:,} "
        f"stores, {scale['guides']:,} guides, {scale['days']} days; {raw_rows:,} source rows, "
        f"{_mb(sizes['source'])} of files before the last day; the last day "
        f"{_mb(sizes['day'])}.",
        "",
        "## Stages",
        "",
        "| stage | wall | peak memory (PSS, pipeline + PostgreSQL) |",
        "|---|---|---|",
        *[f"| {s.name} | {s.seconds:,.1f} s | {s.peak_pss_mb:,.0f} MB |" for s in stages],
    ]
    for name, (steps, models) in runs.items():
        lines += ["", f"### {name}: slowest Dagster steps", "", "| step | wall |", "|---|---|"]
        lines += _table(steps)
        lines += ["", f"### {name}: slowest dbt nodes", "", "| node | wall |", "|---|---|"]
        lines += _table(models)
    ratio = sizes["database"] / sizes["source"]
    lines += [
        "",
        "## Warehouse size",
        "",
        f"`pg_database_size` after the full build: {_mb(sizes['database'])} = "
        f"{ratio:.1f} × the source files ({_mb(sizes['source'])}); target ≤ 3 ×.",
        "",
        "| schema | tables and indexes |",
        "|---|---|",
        *[f"| {schema} | {_mb(size)} |" for schema, size in sizes["schemas"]],
    ]
    lines += _loader_lines(loaders)
    lines += _chart_lines(charts)
    lines += _engine_lines(engines or [])
    text = "\n".join(lines) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(text)


def _engine_lines(engines: list[dict]) -> list[str]:
    """Heavy marts in PostgreSQL beside Polars on the same rows (bench.engines_compare)."""
    if not engines:
        return []
    lines = [
        "",
        "## Heavy marts: PostgreSQL beside Polars",
        "",
        "The model's compiled SQL in PostgreSQL against the same computation in Polars (lazy, "
        "all cores), both on copies of the mart's inputs (bench.engines_compare); target: "
        "PostgreSQL within 2 × of Polars, results equal.",
        "",
        "| mart | rows | PostgreSQL | Polars | PostgreSQL ÷ Polars | rows differing |",
        "|---|---|---|---|---|---|",
    ]
    for e in engines:
        ratio = e["postgres_seconds"] / e["polars_seconds"]
        lines.append(
            f"| {e['model']} | {e['rows']:,} | {e['postgres_seconds']:.1f} s | "
            f"{e['polars_seconds']:.1f} s | {ratio:.1f} × | {e['differing_rows']:,} |"
        )
    return lines


def _loader_lines(loaders: dict) -> list[str]:
    """Siyu's loader beside plain COPY, pandas and dlt on the same files (bench.loader_compare)."""
    lines = [
        "",
        "## Loader",
        "",
        f"The {loaders['files']:,} files of `{loaders['table']}` ({loaders['rows']:,} rows), into "
        "a scratch database of the same server:",
        "",
        "| method | rows/s | × one COPY stream |",
        "|---|---|---|",
    ]
    copy = loaders["copy_rows_per_s"]
    for name, key in [
        ("Siyu's loader (hash, decode, checks, quarantine, lineage, load log)", "siyu"),
        ("plain `COPY FROM STDIN`, one stream", "copy"),
        ("plain `COPY FROM STDIN`, two parallel streams", "parallel_copy"),
        (f"pandas `to_sql` (first {loaders['pandas_rows']:,} rows)", "pandas"),
    ]:
        rate = loaders[f"{key}_rows_per_s"]
        lines.append(f"| {name} | {rate:,.0f} | {rate / copy:.2f} |")
    if "together_rows_per_s" in loaders:
        tables = " and ".join(f"`{t}`" for t in loaders["together_tables"])
        for name, key in [
            (f"Siyu's loader, {tables} one after the other", "serial"),
            (f"Siyu's loader, {tables} at once (a process each)", "together"),
        ]:
            rate = loaders[f"{key}_rows_per_s"]
            lines.append(f"| {name} | {rate:,.0f} | {rate / copy:.2f} |")
    if "json_rows_per_s" in loaders:
        rate = loaders["json_rows_per_s"]
        lines.append(
            f"| Siyu's loader, `{loaders['json_table']}` (JSON Lines) | {rate:,.0f} | "
            f"{rate / copy:.2f} |"
        )
    if "dlt_rows_per_s" not in loaders:
        reason = loaders.get("dlt_error", "no result")
        return [*lines, "", f"dlt: not measured in this run ({reason})."]
    rate = loaders["dlt_rows_per_s"]
    return [
        *lines,
        f"| dlt {loaders['dlt_version']} (first {loaders['dlt_rows']:,} rows, "
        f"insert_values) | {rate:,.0f} | {rate / copy:.2f} |",
        "",
        f"Siyu's loader against dlt: {loaders['siyu_rows_per_s'] / rate:.1f} × (target ≥ 3 ×).",
    ]


def _chart_lines(charts: list[tuple[str, float, float, int]]) -> list[str]:
    """The p50 and p95 of each dashboard chart's query (bench.chart_queries)."""
    return [
        "",
        "## Chart queries",
        "",
        "Each chart's query, compiled from its `query_context` (bench.chart_queries), 20 runs "
        "after the daily increment; target p95 < 0.5 s.",
        "",
        "| chart | p50 | p95 | rows |",
        "|---|---|---|---|",
        *[f"| {n} | {p50:.3f} s | {p95:.3f} s | {rows:,} |" for n, p50, p95, rows in charts],
    ]


def loader_report(path: Path, label: str, manifest: dict, loaders: dict) -> str:
    """bench.loader_compare run alone: the machine, the world and the loader table."""
    rows = sum(e.get("rows", 0) for e in manifest["entities"].values())
    text = "\n".join(
        [
            f"# Loader benchmark: {label}",
            "",
            f"Machine: {machine()}. Command: `.venv/bin/python -m bench.loader_compare "
            f"<landing>`, on a throw-away embedded PostgreSQL.",
            "",
            f"World: {rows:,} source rows.",
            *_loader_lines(loaders),
            "",
        ]
    )
    path.write_text(text)
    return text
