"""A throw-away warehouse for a benchmark: an embedded PostgreSQL under ``data`` and the
environment `siyu` runs with against it."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from siyu.core.warehouse import EmbeddedPostgres, ensure_database, free_port


@contextmanager
def throwaway_warehouse(data: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(warehouse URL, environment for `siyu`); the server stops on exit."""
    server = EmbeddedPostgres(data / "pg", free_port())
    server.start()
    try:
        url = server.url("siyu_bench")
        ensure_database(url)
        (data / "dagster").mkdir(exist_ok=True)
        yield (
            url,
            {
                **os.environ,
                "WAREHOUSE_URL": url,
                "SIYU_DATA_DIR": str(data),
                "SIYU_LANDING_DIR": str(data / "landing"),
                "SIYU_PII_KEY": "bench",
                "SIYU_QUIET": "1",
                "DAGSTER_HOME": str(data / "dagster"),
            },
        )
    finally:
        server.stop()


def measure_in_throwaway(
    prefix: str, keep: Path | None, measure: Callable[[Path, str, dict[str, str]], None]
) -> None:
    """``measure(data folder, warehouse URL, environment)`` in a fresh folder and warehouse;
    the folder is deleted afterwards unless it was made under ``keep``."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix=prefix, dir=keep))
    try:
        with throwaway_warehouse(data) as (url, env):
            measure(data, url, env)
    finally:
        if keep is None:
            shutil.rmtree(data, ignore_errors=True)


def relation_sizes(url: str) -> tuple[int, list[tuple[str, str, int]]]:
    """``pg_database_size``, and (schema, table, bytes with indexes and TOAST) of every table
    and materialised view, largest first: what `bench.scale` sums by schema and
    `bench.chart_queries` lists the largest of."""
    with psycopg.connect(url) as conn:
        (database,) = conn.execute("select pg_database_size(current_database())").fetchone()
        tables = conn.execute(
            "select n.nspname, c.relname, pg_total_relation_size(c.oid) from pg_class c "
            "join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'm') "
            "order by 3 desc, 1, 2"
        ).fetchall()
    return database, tables
