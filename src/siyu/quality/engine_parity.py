"""Are the marts Spark built the marts PostgreSQL built? Row for row, amounts to the cent.

Used by the Spark tests and the engine benchmark, and by anyone moving a group from one
engine to the other: build the same files on both, then ``mart_differences``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import psycopg

from siyu.ingest.lake import read_parquet_folder, spark_table_folder


def spark_table(spark_dir: Path, schema: str, table: str) -> pl.DataFrame:
    """A table dbt built on local Spark, read from its Parquet files (partitions included)."""
    folder = spark_table_folder(spark_dir, schema, table)
    if not folder.is_dir():
        raise FileNotFoundError(f"{schema}.{table} was not built on Spark (no {folder})")
    return parquet_folder(folder)


def parquet_folder(folder: Path) -> pl.DataFrame:
    """Every Parquet file under ``folder``, Hive-style partition folders as columns."""
    files = read_parquet_folder(folder)
    return pl.DataFrame() if files is None else files.collect()


FLOAT_TOLERANCE = 1e-6  # relative: two fits of the same model differ in the 7th digit


def comparable(frame: pl.DataFrame, types: pl.Schema) -> pl.DataFrame:
    """Rows in one form for both engines, in ``types``' columns: amounts (decimals) to the
    cent, floats (model scores) as Float64, every integer as Int64, times without zone."""
    columns = []
    for name, kind in types.items():
        column = pl.col(name)
        if isinstance(kind, pl.Decimal):
            column = column.cast(pl.Float64).round(2)
        elif kind.is_float():
            column = column.cast(pl.Float64)
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
    """None when ``built`` holds exactly ``expected``'s rows (floats within FLOAT_TOLERANCE);
    else what differs."""
    if expected.height == 0 and built.height == 0:
        return None
    if set(built.columns) != set(expected.columns):
        return f"columns differ: {sorted(set(built.columns) ^ set(expected.columns))}"
    if built.height != expected.height:
        return f"{built.height} rows against {expected.height}"
    exact = [c for c, kind in expected.schema.items() if not kind.is_float()]
    floats = [c for c in expected.columns if c not in exact]
    order = [*exact, *floats]
    mine = comparable(built, expected.schema).sort(order, nulls_last=True)
    theirs = comparable(expected, expected.schema).sort(order, nulls_last=True)
    paired = pl.concat([mine, theirs.select(pl.all().name.suffix("__expected"))], how="horizontal")
    unequal = pl.any_horizontal(
        *(pl.col(c).ne_missing(pl.col(f"{c}__expected")) for c in exact),
        *(
            (pl.col(c) - pl.col(f"{c}__expected")).abs()
            > FLOAT_TOLERANCE * pl.max_horizontal(pl.lit(1.0), pl.col(f"{c}__expected").abs())
            for c in floats
        ),
        *(pl.col(c).is_null() != pl.col(f"{c}__expected").is_null() for c in floats),
    )
    wrong = paired.filter(unequal)
    if wrong.height == 0:
        return None
    return f"{wrong.height} of {built.height} rows differ, e.g. {wrong.head(2).to_dicts()}"


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
