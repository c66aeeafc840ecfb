"""The loader's second sink: raw rows as Parquet, the raw layer Spark reads (SIYU_ENGINE=spark).

The loader checks a file once and writes its good rows to both sinks in one step: the
PostgreSQL raw table (whose load log, quarantine and cursors stay the loader's ledger) and,
when a lake folder is configured, ``<lake>/raw/<table>/<batch id>.parquet``. A batch's file
is named for its content hash and written before the PostgreSQL transaction commits:

- a load that fails after the Parquet write leaves a file the next attempt overwrites with the
  same rows (the file is not in the load log, so it is loaded again);
- a file that was already loaded is skipped by the content-hash check before either sink.

So a batch is in the lake exactly when the load log says it was loaded. The columns carry
their declared types (bigint, decimal(18,2), timestamp, date, text) and the lineage columns,
as in PostgreSQL; ``dbt`` registers each table folder in Spark's catalog before a run
(``dbt/macros/raw_on_spark.sql``).
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from siyu.ingest.loader import parsed_column
from siyu.ingest.schemas import EntitySchema

LINEAGE = {
    "_batch_id": pl.String,
    "_source_file": pl.String,
    "_loaded_at": pl.Datetime("us", "UTC"),
    "_source_line": pl.Int64,
}


def typed_rows(frame: pl.DataFrame, schema: EntitySchema) -> pl.DataFrame:
    """The loader's rows (declared columns as checked text, then the lineage columns) with
    each column in its declared type, in PostgreSQL's column order."""
    return frame.select(
        *(
            parsed_column(pl.col(c.name).cast(pl.String), c.kind).alias(c.name)
            for c in schema.columns
        ),
        pl.col("_batch_id").cast(pl.String),
        pl.col("_source_file").cast(pl.String),
        pl.col("_loaded_at")
        .cast(pl.String)
        .str.to_datetime(time_zone="UTC", time_unit="us")
        .alias("_loaded_at"),
        pl.col("_source_line").cast(pl.Int64),
    )


def write_batches(lake: Path, schema: EntitySchema, frame: pl.DataFrame) -> list[Path]:
    """Write the loader's rows of one or more batches, one Parquet file per batch id."""
    folder = lake / "raw" / schema.table
    folder.mkdir(parents=True, exist_ok=True)
    typed = typed_rows(frame, schema)
    written = []
    for (batch_id,), rows in typed.partition_by("_batch_id", as_dict=True).items():
        written.append(write_whole(rows, folder / f"{batch_id}.parquet"))
    return written


def write_whole(frame: pl.DataFrame, target: Path) -> Path:
    """Write ``frame`` to ``target`` aside, then rename: a reader never sees half a file."""
    partial = target.with_name(f".{target.name}.partial")
    frame.write_parquet(partial)
    os.replace(partial, target)
    return target


def spark_table_folder(spark_dir: Path, schema: str, table: str) -> Path:
    """Where local Spark keeps the files of a table dbt built (its warehouse folder)."""
    return spark_dir / "warehouse" / f"{schema}.db" / table


def read_parquet_folder(folder: Path) -> pl.LazyFrame | None:
    """Every Parquet file under ``folder``, Hive-style partition folders as columns; None
    when there is none."""
    if not any(folder.rglob("*.parquet")):
        return None
    return pl.scan_parquet(folder / "**" / "*.parquet", hive_partitioning=True)


def prepare_lake(lake: Path) -> None:
    """Every table dbt reads as a source on Spark, with at least an empty file: the raw
    entities (the loader's batches follow) and the ``ml`` tables of the Python assets, which
    run after dbt's first step has already registered them."""
    from siyu.ingest.schemas import SCHEMAS
    from siyu.ml.tables import ML_TABLES

    for schema in SCHEMAS:
        write_empty(lake, schema)
    for relation, columns in ML_TABLES.items():
        folder = lake / Path(*relation.split("."))
        if not any(folder.glob("*.parquet")):
            folder.mkdir(parents=True, exist_ok=True)
            pl.DataFrame(schema=columns).write_parquet(folder / "empty.parquet")


def write_empty(lake: Path, schema: EntitySchema) -> None:
    """An empty Parquet file with the table's columns, for an entity with no batch yet: Spark
    takes a table's columns from its files, and a folder without one has none."""
    folder = lake / "raw" / schema.table
    if folder.exists() and any(folder.glob("*.parquet")):
        return
    folder.mkdir(parents=True, exist_ok=True)
    text = {c.name: pl.String for c in schema.columns} | dict.fromkeys(LINEAGE, pl.String)
    typed_rows(pl.DataFrame(schema=text), schema).write_parquet(folder / "empty.parquet")
