"""The SQL of each dashboard chart, timed in the warehouse (p50 and p95 of repeated runs).

Each chart's ``query_context`` (kept in the export YAML) is compiled to the aggregate query
Superset sends for it: the dataset's metric expressions, grouped by the chart's columns (time
grains as ``date_trunc``), its filters, ordered by its first order-by metric, limited to its
row limit. Run against the marts without Superset, so only the warehouse is measured.

``.venv/bin/python -m bench.chart_queries <warehouse url> [landing dir]`` times every chart of
a built warehouse, prints the table and writes ``bench/results/<date>-charts-<database>.md``,
with ``pg_database_size`` against the landing dir's source files when it is given.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import psycopg
import yaml

BUNDLE = Path(__file__).resolve().parent.parent / "dashboards" / "bundle"
TARGET_P95 = 0.5  # issue 11: each chart query of each dashboard, p95 < 0.5 s
GRAINS = {"P1D": "day", "P1W": "week", "P1M": "month", "P3M": "quarter", "P1Y": "year"}


def _literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def _filter(item: dict) -> str | None:
    col, op, val = f'"{item["col"]}"', item["op"], item.get("val")
    if op in ("IS NULL", "IS NOT NULL"):
        return f"{col} {op.lower()}"
    if op == "TEMPORAL_RANGE":
        return None if val == "No filter" else f"{col} is not null"
    if op in ("IN", "NOT IN"):
        return f"{col} {op.lower()} ({', '.join(_literal(v) for v in val)})"
    if op == "==":
        return f"{col} = {_literal(val)}"
    return f"{col} {op} {_literal(val)}"


def chart_sql(chart: dict, dataset: dict) -> str:
    query = json.loads(chart["query_context"])["queries"][0]
    metrics = {m["metric_name"]: m["expression"] for m in dataset["metrics"]}
    # A dataset's calculated column is its SQL expression; any other column is its name.
    named = {
        c["column_name"]: f"({c['expression']})" for c in dataset["columns"] if c.get("expression")
    }

    def column_sql(name: str) -> str:
        return named.get(name, f'"{name}"')

    columns = []
    for column in query["columns"]:
        if isinstance(column, str):
            columns.append(column_sql(column))
        elif column.get("timeGrain"):
            grain = GRAINS[column["timeGrain"]]
            columns.append(f"date_trunc('{grain}', {column_sql(column['sqlExpression'])})")
        else:
            columns.append(column_sql(column["sqlExpression"]))
    selected = [*columns, *(f'{metrics[m]} as "{m}"' for m in query["metrics"])]
    where = [w for w in map(_filter, query.get("filters", [])) if w]
    sql = f'select {", ".join(selected)} from "{dataset["schema"]}"."{dataset["table_name"]}"'
    if where:
        sql += " where " + " and ".join(where)
    if columns:
        sql += " group by " + ", ".join(columns)
    if query.get("orderby"):
        name, ascending = query["orderby"][0]
        sql += f' order by "{name}" {"asc" if ascending else "desc"}'
    return sql + f" limit {int(query.get('row_limit') or 10000)}"


def time_charts(url: str, repeats: int = 20) -> list[tuple[str, float, float, int]]:
    """(chart, p50 s, p95 s, rows) per chart of the bundle."""
    datasets = {
        d["uuid"]: d
        for d in (yaml.safe_load(p.read_text()) for p in BUNDLE.glob("datasets/*/*.yaml"))
    }
    timings = []
    with psycopg.connect(url) as conn:
        for path in sorted(BUNDLE.glob("charts/*.yaml")):
            chart = yaml.safe_load(path.read_text())
            sql = chart_sql(chart, datasets[chart["dataset_uuid"]])
            seconds, rows = [], 0
            for _ in range(repeats):
                started = time.perf_counter()
                rows = len(conn.execute(sql).fetchall())
                seconds.append(time.perf_counter() - started)
            cuts = statistics.quantiles(seconds, n=20)
            timings.append((chart["slice_name"], statistics.median(seconds), cuts[18], rows))
    return timings


def _sizes(url: str, landing: Path | None) -> list[str]:
    """The warehouse's size, against the source files when ``landing`` is given, and its
    largest tables."""
    from bench.scale import bytes_under
    from bench.warehouse import relation_sizes

    size, tables = relation_sizes(url)
    catalog = ("pg_catalog", "information_schema")
    largest = [(f"{s}.{t}", n) for s, t, n in tables if s not in catalog][:5]
    line = f"`pg_database_size`: {size / 1e6:,.0f} MB"
    if landing is not None:
        files = bytes_under(landing)
        line += f" = {size / files:.2f} x the source files ({files / 1e6:,.0f} MB); target <= 3 x"
    tables = ", ".join(f"{name} {n / 1e6:,.0f} MB" for name, n in largest)
    return [line + ".", "", f"Largest tables: {tables}."]


def report(url: str, landing: Path | None) -> str:
    from bench.report import machine

    charts = time_charts(url)
    missed = [name for name, _, p95, _ in charts if p95 >= TARGET_P95]
    lines = [
        f"# Chart queries: {url.rsplit('/', 1)[-1]}",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {machine()}; "
        "`python -m bench.chart_queries`; each chart's query run 20 times in the warehouse.",
        "",
        "| chart | p50 | p95 | rows |",
        "|---|---|---|---|",
        *(f"| {name} | {p50:.3f} s | {p95:.3f} s | {rows} |" for name, p50, p95, rows in charts),
        "",
        f"Slowest p95: {max(p95 for _, _, p95, _ in charts):.3f} s; target p95 < {TARGET_P95} s"
        + (f"; missed by {', '.join(missed)}." if missed else ", met by every chart."),
        "",
        *_sizes(url, landing),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    url, landing = args[0], Path(args[1]) if len(args) > 1 else None
    text = report(url, landing)
    name = f"{dt.date.today().isoformat()}-charts-{url.rsplit('/', 1)[-1]}.md"
    from bench.scale import RESULTS

    (RESULTS / name).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
