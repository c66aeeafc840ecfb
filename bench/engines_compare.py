"""Two heavy marts in PostgreSQL beside Polars doing the same computation on the same rows.

For each mart, the rows it reads (its staging and intermediate inputs, only the columns it
uses) are first copied into plain tables of a ``bench_inputs`` schema and into Polars frames,
untimed, so neither engine pays for the staging views' de-duplication. Then, timed:

- PostgreSQL runs the model's own SQL, compiled by dbt, with its inputs pointed at those
  tables (``create unlogged table ... as``, as dbt's table materialisation does);
- Polars runs the same computation written with its lazy API, on all cores.

The two results are compared row for row (sorted by the mart's key): equal or not, and how
many rows differ. Ratios are PostgreSQL's time over Polars' (target: PostgreSQL within 2 ×).
"""

from __future__ import annotations

import io
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
import psycopg

from bench.dbt_compile import dbt_compile

SCHEMA = "bench_inputs"
PG_TYPES = {
    "text": pl.String,
    "bigint": pl.Int64,
    "integer": pl.Int64,
    "date": pl.Date,
    "timestamp without time zone": pl.Datetime("us"),
    "boolean": pl.Boolean,
}


@dataclass(frozen=True)
class Mart:
    model: str
    inputs: dict[str, list[str]]  # relation (schema.name) → the columns the model reads
    polars: Callable[[dict[str, pl.LazyFrame]], pl.LazyFrame]


def _calendar(first: pl.Expr, last: pl.Expr) -> pl.LazyFrame:
    return pl.LazyFrame().select(pl.date_ranges(first, last).explode().alias("date_day"))


def task_progress(f: dict[str, pl.LazyFrame]) -> pl.LazyFrame:
    """fct_guide_task_progress: every task × guide × day from the task's start to its verdict."""
    tasks, assignments = f["stg_tasks__tasks"], f["stg_tasks__task_assignments"]
    completions = f["stg_tasks__task_completions"]
    last_day = pl.concat(
        [
            completions.select(pl.col("completed_date").alias("d")),
            tasks.select(pl.col("start_date").alias("d")),
        ]
    ).select(pl.col("d").max().alias("last_day"))
    done = (
        completions.join(tasks.select("task_id", "due_at"), on="task_id")
        .group_by("task_id", "guide_id", pl.col("completed_date").alias("date_day"))
        .agg(
            pl.len().alias("done"),
            (pl.col("completed_at") <= pl.col("due_at")).sum().alias("done_by_deadline"),
        )
    )
    last_done = done.group_by("task_id", "guide_id").agg(pl.col("date_day").max().alias("ld"))
    verdict_day = pl.col("due_date") + pl.duration(days=1)
    task_guides = (
        assignments.select("task_id", "guide_id", "target")
        .join(
            tasks.select("task_id", "brand_id", "task_type", "start_date", "due_date"), on="task_id"
        )
        .join(last_done, on=["task_id", "guide_id"], how="left")
        .with_columns(
            work_end=pl.when(pl.col("ld") > verdict_day).then(pl.col("ld")).otherwise(verdict_day)
        )
        .join(last_day, how="cross")
        .with_columns(last=pl.min_horizontal("work_end", "last_day"))
        .filter(pl.col("start_date") <= pl.col("last"))
        .with_columns(date_day=pl.date_ranges("start_date", "last"))
        .explode("date_day")
    )
    progress = (
        task_guides.join(done, on=["task_id", "guide_id", "date_day"], how="left")
        .with_columns(pl.col("done", "done_by_deadline").fill_null(0))
        .sort("task_id", "guide_id", "date_day")
        .with_columns(
            done_to_date=pl.col("done").cum_sum().over("task_id", "guide_id"),
            done_by_deadline=pl.col("done_by_deadline").cum_sum().over("task_id", "guide_id"),
        )
    )
    guides = f["stg_master__guides"].join(
        f["stg_master__stores"].select("store_id", "region"),
        left_on="home_store_id",
        right_on="store_id",
        how="left",
    )
    return progress.join(guides, on="guide_id").select(
        "task_id",
        "guide_id",
        "date_day",
        "brand_id",
        "task_type",
        pl.col("home_store_id").alias("store_id"),
        "region",
        "target",
        "due_date",
        "done",
        "done_to_date",
        "done_by_deadline",
        (pl.col("done_to_date") / pl.col("target"))
        .round(4, mode="half_away_from_zero")
        .alias("attainment"),
        pl.when(pl.col("done_by_deadline") >= pl.col("target"))
        .then(pl.lit("done_on_time"))
        .when(pl.col("done_to_date") >= pl.col("target"))
        .then(pl.lit("done_late"))
        .when(pl.col("date_day") > pl.col("due_date"))
        .then(pl.lit("overdue"))
        .otherwise(pl.lit("in_progress"))
        .alias("task_status"),
    )


def community_daily(f: dict[str, pl.LazyFrame]) -> pl.LazyFrame:
    """fct_community_daily: every customer group × day from its creation to the last day."""
    groups, events = f["stg_wecom__community_groups"], f["stg_wecom__community_member_events"]
    stats = f["stg_wecom__community_daily_stats"]
    lines = f["int_order_lines_unioned"].filter(pl.col("community_group_id").is_not_null())
    last_day = pl.concat(
        [
            events.select(pl.col("occurred_date").alias("d")),
            stats.select(pl.col("stat_date").alias("d")),
            lines.select(pl.col("paid_date").alias("d")),
        ]
    ).select(pl.col("d").max().alias("last_day"))
    group_days = (
        groups.select("group_id", "brand_id", "operator_id", "created_date")
        .join(last_day, how="cross")
        .filter(pl.col("created_date") <= pl.col("last_day"))
        .with_columns(date_day=pl.date_ranges("created_date", "last_day"))
        .explode("date_day")
    )
    movements = events.group_by("group_id", pl.col("occurred_date").alias("date_day")).agg(
        (pl.col("event_type") == "join").sum().alias("joins"),
        (pl.col("event_type") == "leave").sum().alias("leaves"),
    )
    sales = lines.group_by(
        pl.col("community_group_id").alias("group_id"), pl.col("paid_date").alias("date_day")
    ).agg(
        pl.col("member_id").drop_nulls().n_unique().alias("buyers"),
        pl.col("order_key").drop_nulls().n_unique().alias("orders"),
        pl.col("paid_amount").sum().alias("gmv"),
    )
    day_stats = stats.rename({"stat_date": "date_day"})
    return (
        group_days.join(movements, on=["group_id", "date_day"], how="left")
        .join(day_stats, on=["group_id", "date_day"], how="left")
        .join(sales, on=["group_id", "date_day"], how="left")
        .with_columns(pl.col("joins", "leaves", "buyers", "orders").fill_null(0))
        .sort("group_id", "date_day")
        .select(
            "date_day",
            "group_id",
            "brand_id",
            "operator_id",
            (pl.col("joins") - pl.col("leaves")).cum_sum().over("group_id").alias("members"),
            "joins",
            "leaves",
            (pl.col("message_count").fill_null(0) > 0).cast(pl.Int32).alias("is_active"),
            pl.col("speaker_count").fill_null(0).alias("speakers"),
            pl.col("message_count").fill_null(0).alias("messages"),
            pl.col("member_count").alias("reported_members"),
            "buyers",
            "orders",
            pl.col("gmv").fill_null(0).cast(pl.Decimal(18, 2)),
        )
    )


MARTS = [
    Mart(
        "fct_guide_task_progress",
        {
            "staging.stg_tasks__tasks": [
                "task_id", "brand_id", "task_type", "start_date", "due_at", "due_date",
            ],
            "staging.stg_tasks__task_assignments": ["task_id", "guide_id", "target"],
            "staging.stg_tasks__task_completions": [
                "task_id", "guide_id", "completed_at", "completed_date",
            ],
            "staging.stg_master__guides": ["guide_id", "home_store_id"],
            "staging.stg_master__stores": ["store_id", "region"],
        },
        task_progress,
    ),
    Mart(
        "fct_community_daily",
        {
            "staging.stg_wecom__community_groups": [
                "group_id", "brand_id", "operator_id", "created_date",
            ],
            "staging.stg_wecom__community_member_events": [
                "group_id", "event_type", "occurred_date",
            ],
            "staging.stg_wecom__community_daily_stats": [
                "group_id", "stat_date", "member_count", "speaker_count", "message_count",
            ],
            "intermediate.int_order_lines_unioned": [
                "community_group_id", "member_id", "order_key", "paid_amount", "paid_date",
            ],
        },
        community_daily,
    ),
]  # fmt: skip


def compiled_sql(url: str, model: str) -> str:
    """The model's SQL as dbt compiles it against this warehouse for a full build (an
    incremental model's daily branch computes only its look-back window), in a dbt process
    of its own, so the warehouse's settings never pass through this process's environment."""
    return dbt_compile(url, "--select", model, "--full-refresh")


def _read(conn: psycopg.Connection, query: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    buffer = io.BytesIO()
    with conn.cursor() as cur, cur.copy(f"copy ({query}) to stdout with (format csv)") as copy:
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    return pl.read_csv(buffer, has_header=False, new_columns=list(schema), schema=schema)


def _pg_schema(
    conn: psycopg.Connection, schema: str, table: str, numeric: pl.DataType
) -> dict[str, pl.DataType]:
    """Polars types of a table's columns; ``numeric`` for PostgreSQL's numeric columns (the
    inputs' money as exact decimals, the results' decimals as floats to compare)."""
    rows = conn.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = %s and table_name = %s order by ordinal_position",
        (schema, table),
    ).fetchall()
    return {name: numeric if kind == "numeric" else PG_TYPES[kind] for name, kind in rows}


def _inputs(conn: psycopg.Connection, mart: Mart) -> dict[str, pl.LazyFrame]:
    """Copy the mart's inputs into bench_inputs tables and Polars frames (untimed)."""
    frames = {}
    for relation, columns in mart.inputs.items():
        name = relation.split(".")[1]
        conn.execute(f"create table {SCHEMA}.{name} as select {', '.join(columns)} from {relation}")
        conn.execute(f"analyze {SCHEMA}.{name}")
        conn.commit()
        schema = _pg_schema(conn, SCHEMA, name, pl.Decimal(18, 2))
        frames[name] = _read(conn, f"select * from {SCHEMA}.{name}", schema).lazy()
    return frames


def _point_at_inputs(sql: str, mart: Mart) -> str:
    for relation in mart.inputs:
        schema, name = relation.split(".")
        sql = re.sub(rf'"[^"]+"\."{schema}"\."{name}"', f'"{SCHEMA}"."{name}"', sql)
    return sql


def _differences(postgres: pl.DataFrame, polars: pl.DataFrame) -> int:
    """Rows in one result and not in the other (0: equal row for row)."""
    if postgres.columns != polars.columns:
        return max(postgres.height, polars.height)
    polars = polars.cast(dict(postgres.schema))
    on = postgres.columns
    missing = postgres.join(polars, on=on, how="anti", nulls_equal=True).height
    extra = polars.join(postgres, on=on, how="anti", nulls_equal=True).height
    return missing + extra + abs(postgres.height - polars.height)


def compare_engines(url: str) -> list[dict]:
    """Each mart: seconds in PostgreSQL and in Polars, rows, and whether the results agree."""
    results = []
    with psycopg.connect(url) as conn:
        for mart in MARTS:
            # a fresh schema per mart: its inputs' copies and its result, dropped after
            conn.execute(f"drop schema if exists {SCHEMA} cascade")
            conn.execute(f"create schema {SCHEMA}")
            conn.commit()
            frames = _inputs(conn, mart)
            sql = _point_at_inputs(compiled_sql(url, mart.model), mart)
            started = time.perf_counter()
            conn.execute(f"create unlogged table {SCHEMA}.result as {sql}")
            conn.commit()
            pg_seconds = time.perf_counter() - started
            started = time.perf_counter()
            computed = mart.polars(frames).collect()
            polars_seconds = time.perf_counter() - started
            postgres = _read(
                conn,
                f"select * from {SCHEMA}.result",
                _pg_schema(conn, SCHEMA, "result", pl.Float64),
            )
            results.append(
                {
                    "model": mart.model,
                    "rows": postgres.height,
                    "postgres_seconds": pg_seconds,
                    "polars_seconds": polars_seconds,
                    "differing_rows": _differences(postgres, computed),
                }
            )
        conn.execute(f"drop schema if exists {SCHEMA} cascade")
        conn.commit()
    return results


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.engines_compare <warehouse url>``: on an already built warehouse."""
    from bench.report import _engine_lines

    print("\n".join(_engine_lines(compare_engines((argv or sys.argv[1:])[0]))))


if __name__ == "__main__":
    main()
