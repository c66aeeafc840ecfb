"""The tables the Python assets read from dbt and write for dbt, on either engine.

Identity resolution's graph step and the BG/NBD fit run in Python between two dbt steps: they
read a table dbt built and write one that dbt reads back as a source (``ml``). On PostgreSQL
(the default) both go through the warehouse. On Spark (SIYU_ENGINE=spark) a table dbt built
is the Parquet under Spark's warehouse folder, read with Polars (no second Spark session
beside dbt's), and a table written for dbt is Parquet in the lake, which dbt registers as a
source before each run (``dbt/macros/raw_on_spark.sql``).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Mapping
from pathlib import Path

import polars as pl
import psycopg
from dagster import ConfigurableResource

from siyu.core.settings import Settings
from siyu.ingest.lake import read_parquet_folder, spark_table_folder, write_whole


class ModelTables(ConfigurableResource):
    """Read dbt's tables and write the ``ml`` tables: PostgreSQL at ``url``, or Spark's
    Parquet under ``spark_dir`` when it is set."""

    url: str
    spark_dir: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, url: str) -> ModelTables:
        spark = None if settings.engine == "postgres" else str(settings.spark_dir)
        return cls(url=url, spark_dir=spark)

    @property
    def engine(self) -> str:
        return "postgres" if self.spark_dir is None else "spark"

    def read(self, relation: str, columns: Mapping[str, pl.DataType]) -> pl.DataFrame:
        """``columns`` of ``relation`` (``schema.table``) as dbt built it, in those types."""
        if self.spark_dir is None:
            return _read_postgres(self.url, relation, columns)
        built = read_parquet_folder(spark_table_folder(Path(self.spark_dir), *relation.split(".")))
        if built is None:
            return pl.DataFrame(schema=dict(columns))
        return built.select(pl.col(name).cast(kind) for name, kind in columns.items()).collect()

    def replace(self, relation: str, frame: pl.DataFrame, ddl: str) -> None:
        """Make ``frame`` the whole content of ``relation`` (``ddl`` creates it in PostgreSQL)."""
        self._write(relation, frame, ddl, replace=True)

    def append(self, relation: str, frame: pl.DataFrame, ddl: str) -> None:
        """Add ``frame``'s rows to ``relation``."""
        self._write(relation, frame, ddl, replace=False)

    def _write(self, relation: str, frame: pl.DataFrame, ddl: str, replace: bool) -> None:
        if self.spark_dir is None:
            _write_postgres(self.url, relation, frame, ddl, replace)
            return
        schema, table = relation.split(".")
        folder = lake_dir(Path(self.spark_dir)) / schema / table
        write_parquet_table(folder, frame, replace)


def lake_dir(spark_dir: Path) -> Path:
    """Where the loader and the Python assets write the Parquet that dbt reads as sources."""
    return spark_dir / "lake"


def write_parquet_table(folder: Path, frame: pl.DataFrame, replace: bool) -> Path:
    """Write ``frame`` as a new file of the table folder; with ``replace``, the only one.

    The file appears whole (written aside, then renamed); older files are removed after.
    """
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.parquet"
    write_whole(frame, folder / name)
    if replace:
        for old in folder.glob("*.parquet"):
            if old.name != name:
                old.unlink()
    return folder / name


def _read_postgres(url: str, relation: str, columns: Mapping[str, pl.DataType]) -> pl.DataFrame:
    listed = ", ".join(columns)
    buffer = io.BytesIO()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(
            f"copy (select {listed} from {relation}) to stdout with (format csv, header true)"
        ) as copy:
            for chunk in copy:
                buffer.write(chunk)
    buffer.seek(0)
    return pl.read_csv(buffer, schema=dict(columns))


def _write_postgres(url: str, relation: str, frame: pl.DataFrame, ddl: str, replace: bool) -> None:
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    listed = ", ".join(frame.columns)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(ddl)
        if replace:
            cur.execute(f"truncate {relation}")
        with cur.copy(f"copy {relation} ({listed}) from stdin with (format csv)") as copy:
            copy.write(buffer.getvalue())
        conn.commit()
