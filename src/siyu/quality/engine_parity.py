"""Are the marts Spark built the marts PostgreSQL built? Row for row, amounts to the cent.

Used by the Spark tests and the engine benchmark, and by anyone moving a group from one
engine to the other: build the same files on both, then ``mart_differences``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import psycopg


def spark_table(spark_dir: Path, schema: str, table: str) -> pl.DataFrame:
    """A table dbt built on local Spark, read from its Parquet files (partitions included)."""
    folder = spark_dir / "warehouse" / f"{schema}.db" / table
    if not folder.is_dir():
        raise FileNotFoundError(f"{schema}.{table} was not built on Spark (no {folder})")
    return parquet_folder(folder)


def parquet_folder(folder: Path) -> pl.DataFrame:
    """Every Parquet file under ``folder``, Hive-style partition folders as columns."""
    if not any(folder.rglob("*.parquet")):
        return pl.DataFrame()
    return pl.scan_parquet(folder / "**" / "*.parquet", hive_partitioning=True).collect()


def comparable(frame: pl.DataFrame, types: pl.Schema) -> pl.DataFrame:
    """Rows in one form for both engines, in ``types``' columns: amounts (decimals) to the
    cent, floats (model scores) to 6 places, every integer as Int64, times without zone."""
    columns = []
    for name, kind in types.items():
        column = pl.col(name)
        if isinstance(kind, pl.Decimal):
            column = column.cast(pl.Float64).round(2)
        elif kind.is_float():
            column = column.cast(pl.Float64).round(6)
        elif kind.is_integer():
            column = column.cast(pl.Int64)
        elif isinstance(kind, pl.Datetime):
            column = column.cast(pl.Datetime("us")).dt.replace_time_zone(None)
        else:
            column = column.cast(kind)
        columns.append(column.alias(name))
    return frame.select(columns)


def postgres_marts(url: str) -> dict[str, pl.DataFrame]:
    """Every table of the ``marts`` schema, by name."""
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by 1"
        ).fetchall()
        return {
            name: pl.read_database(f'select * from marts."{name}"', conn, infer_schema_length=None)
            for (name,) in tables
        }


def difference(expected: pl.DataFrame, built: pl.DataFrame) -> str | None:
    """None when ``built`` holds exactly ``expected``'s rows; else what differs."""
    if expected.height == 0 and built.height == 0:
        return None
    if set(built.columns) != set(expected.columns):
        return f"columns differ: {sorted(set(built.columns) ^ set(expected.columns))}"
    mine = comparable(built, expected.schema)
    theirs = comparable(expected, expected.schema)
    only_built = mine.join(theirs, on=mine.columns, how="anti", nulls_equal=True)
    only_expected = theirs.join(mine, on=mine.columns, how="anti", nulls_equal=True)
    if built.height == expected.height and not only_built.height and not only_expected.height:
        return None
    return (
        f"{built.height} rows against {expected.height}; only here: "
        f"{only_built.head(2).to_dicts()}; only there: {only_expected.head(2).to_dicts()}"
    )


def mart_differences(postgres_url: str, spark_dir: Path) -> tuple[int, dict[str, str]]:
    """How many marts PostgreSQL has, and each Spark mart that differs, with how."""
    marts = postgres_marts(postgres_url)
    differing = {}
    for name, expected in marts.items():
        try:
            built = spark_table(spark_dir, "marts", name)
        except FileNotFoundError as missing:
            differing[name] = str(missing)
            continue
        problem = difference(expected, built)
        if problem:
            differing[name] = problem
    return len(marts), differing
