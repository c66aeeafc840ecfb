"""One loader for every source: read a file with Polars, check it, COPY it into ``raw``.

A file lands whole or not at all. A file already loaded (same content hash, same table) is
skipped, so re-running a day never loads it twice. A file that breaks its declared schema is
rejected with a message naming the file, the column and the problem.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import psycopg
from psycopg import sql

from extract.schemas import KINDS, SCHEMAS, EntitySchema, schema_for

LINEAGE_COLUMNS = ("_batch_id", "_source_file", "_loaded_at")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"


class SchemaError(ValueError):
    """A file does not match the schema declared for its source entity."""


@dataclass(frozen=True)
class LoadResult:
    table: str
    source_file: str
    status: str  # "loaded" or "skipped"
    rows: int
    batch_id: str


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_raw_tables(conn: psycopg.Connection, schemas: Iterable[EntitySchema] = SCHEMAS) -> None:
    """Create the raw schema, the load log and every raw table that does not exist yet."""
    conn.execute("create schema if not exists raw")
    conn.execute(
        """
        create table if not exists raw._load_log (
            table_name text not null,
            content_hash text not null,
            source_file text not null,
            batch_id text not null,
            row_count bigint not null,
            loaded_at timestamptz not null default now(),
            primary key (table_name, content_hash)
        )
        """
    )
    for schema in schemas:
        columns = ",\n".join(
            f'    "{c.name}" {KINDS[c.kind]}{"" if c.nullable else " not null"}'
            for c in schema.columns
        )
        conn.execute(
            f"""
            create table if not exists {schema.qualified_table} (
            {columns},
                _batch_id text not null,
                _source_file text not null,
                _loaded_at timestamptz not null
            )
            """
        )
        conn.execute(
            sql.SQL("comment on table {} is {}").format(
                sql.Identifier("raw", schema.table), sql.Literal(schema.description)
            )
        )
    conn.commit()


def _parsed(column: pl.Expr, kind: str) -> pl.Expr:
    """The value parsed as its declared kind; null where it does not parse."""
    if kind == "int":
        return column.cast(pl.Int64, strict=False)
    if kind == "money":
        return column.cast(pl.Decimal(18, 2), strict=False)
    if kind == "timestamp":
        return column.str.to_datetime(TIMESTAMP_FORMAT, strict=False)
    if kind == "date":
        return column.str.to_date(DATE_FORMAT, strict=False)
    return column


def read_checked(path: Path, schema: EntitySchema) -> pl.DataFrame:
    """Read a file as text and check it against ``schema``; raise SchemaError on any problem."""
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except (pl.exceptions.ComputeError, UnicodeDecodeError) as err:
        raise SchemaError(f"{path}: cannot be read as UTF-8 CSV: {err}") from err
    declared = [c.name for c in schema.columns]
    missing = [c for c in declared if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{path}: column {missing[0]!r} is missing "
            f"(required by {schema.qualified_table}; missing: {missing})"
        )
    extra = [c for c in frame.columns if c not in declared]
    if extra:
        raise SchemaError(
            f"{path}: column {extra[0]!r} is not declared for {schema.qualified_table} "
            f"(unexpected: {extra})"
        )
    frame = frame.select(pl.col(c).str.strip_chars().replace("", None).alias(c) for c in declared)
    problems = frame.select(
        *(
            (pl.col(c.name).is_not_null() & _parsed(pl.col(c.name), c.kind).is_null())
            .arg_true()
            .first()
            .alias(f"bad:{c.name}")
            for c in schema.columns
            if c.kind != "text"
        ),
        *(
            pl.col(c.name).is_null().arg_true().first().alias(f"null:{c.name}")
            for c in schema.columns
            if not c.nullable
        ),
    ).row(0, named=True)
    for key, row in problems.items():
        if row is None:
            continue
        problem, name = key.split(":", 1)
        kind = next(c.kind for c in schema.columns if c.name == name)
        if problem == "bad":
            value = frame[name][row]
            raise SchemaError(
                f"{path}: column {name!r} has {value!r} on data line {row + 1}, "
                f"which is not a valid {kind}"
            )
        raise SchemaError(
            f"{path}: column {name!r} is empty on data line {row + 1} but is required"
        )
    return frame


def load_file(conn: psycopg.Connection, path: Path, source: str, entity: str) -> LoadResult:
    """Load one file into raw.<source>__<entity> in a single transaction."""
    schema = schema_for(source, entity)
    path = Path(path)
    digest = file_hash(path)
    batch_id = digest[:16]
    already = conn.execute(
        "select row_count from raw._load_log where table_name = %s and content_hash = %s",
        (schema.table, digest),
    ).fetchone()
    if already:
        conn.rollback()
        return LoadResult(schema.table, str(path), "skipped", int(already[0]), batch_id)
    frame = read_checked(path, schema)
    loaded_at = dt.datetime.now(dt.UTC)
    frame = frame.with_columns(
        pl.lit(batch_id).alias("_batch_id"),
        pl.lit(str(path)).alias("_source_file"),
        pl.lit(loaded_at.isoformat()).alias("_loaded_at"),
    )
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    with conn.cursor() as cur:
        cur.execute(
            "insert into raw._load_log (table_name, content_hash, source_file, batch_id, "
            "row_count, loaded_at) values (%s, %s, %s, %s, %s, %s)",
            (schema.table, digest, str(path), batch_id, frame.height, loaded_at),
        )
        with cur.copy(
            f"copy {schema.qualified_table} ({columns}) from stdin with (format csv)"
        ) as copy:
            copy.write(buffer.getvalue())
    conn.commit()
    return LoadResult(schema.table, str(path), "loaded", frame.height, batch_id)


def entity_files(landing: Path, source: str, entity: str) -> list[Path]:
    """Files of one source entity in the landing folder, oldest day first."""
    return sorted((Path(landing) / source / entity).glob("*.csv"))


def load_entity(
    conn: psycopg.Connection, landing: Path, source: str, entity: str
) -> list[LoadResult]:
    return [load_file(conn, path, source, entity) for path in entity_files(landing, source, entity)]
