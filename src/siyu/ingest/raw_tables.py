"""DDL of the raw layer: the load log, quarantine, cursors, rejected files, and one table per
declared source entity with its lineage columns."""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg import sql

from siyu.ingest.schemas import KINDS, SCHEMAS, EntitySchema

__all__ = ["ensure_raw_tables"]


def ensure_raw_tables(conn: psycopg.Connection, schemas: Iterable[EntitySchema] = SCHEMAS) -> None:
    """Create the raw schema, the load log and every raw table that does not exist yet."""
    # The loader role owns an existing raw schema but may not create schemas.
    if not conn.execute("select 1 from pg_namespace where nspname = 'raw'").fetchone():
        conn.execute("create schema raw")
    _ensure_bookkeeping_tables(conn)
    for schema in schemas:
        _ensure_entity_table(conn, schema)
    conn.commit()


def _ensure_bookkeeping_tables(conn: psycopg.Connection) -> None:
    """The load log, quarantine, API cursors and rejected files."""
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
    for column in (
        "quarantined_rows bigint not null default 0",
        "encoding text",
        "extra_columns text",
        # when the batch's rows passed Great Expectations' blocking suite (siyu.quality)
        "validated_at timestamptz",
    ):
        conn.execute(f"alter table raw._load_log add column if not exists {column}")
    conn.execute(
        """
        create table if not exists raw._quarantine (
            table_name text not null,
            source_file text not null,
            batch_id text not null,
            line_number bigint not null,
            reason_code text not null,
            reason text not null,
            record text not null,
            quarantined_at timestamptz not null default now()
        )
        """
    )
    conn.execute("alter table raw._quarantine add column if not exists column_name text")
    conn.execute(
        """
        create table if not exists raw._cursors (
            table_name text primary key,
            cursor text not null,
            pages bigint not null,
            updated_at timestamptz not null default now()
        )
        """
    )
    conn.execute("alter table raw._cursors add column if not exists last_record text")
    conn.execute(
        """
        create table if not exists raw._rejected_files (
            table_name text not null,
            content_hash text not null,
            source_file text not null,
            reason text not null,
            rejected_at timestamptz not null default now(),
            primary key (table_name, content_hash)
        )
        """
    )


def _ensure_entity_table(conn: psycopg.Connection, schema: EntitySchema) -> None:
    """raw.<source>__<entity>: its declared columns and the lineage columns."""
    columns = ",\n".join(
        f'    "{c.name}" {KINDS[c.kind]}{"" if c.nullable else " not null"}' for c in schema.columns
    )
    conn.execute(
        f"""
        create table if not exists {schema.qualified_table} (
        {columns},
            _batch_id text not null,
            _source_file text not null,
            _loaded_at timestamptz not null default now(),
            _source_line bigint
        )
        """
    )
    conn.execute(
        f"alter table {schema.qualified_table} add column if not exists _source_line bigint"
    )
    # The batch loader leaves _loaded_at to the server: its transaction's now(), which the
    # load log records too (a table made before the default gets it here, once).
    if not conn.execute(
        "select 1 from pg_attrdef d join pg_attribute a "
        "on a.attrelid = d.adrelid and a.attnum = d.adnum "
        "where d.adrelid = %s::regclass and a.attname = '_loaded_at'",
        (schema.qualified_table,),
    ).fetchone():
        conn.execute(
            f"alter table {schema.qualified_table} alter column _loaded_at set default now()"
        )
    # Rows are only ever appended, so load time follows the rows' physical order: a BRIN
    # index (a few pages) lets a check read just the newest batches' rows.
    conn.execute(
        f"create index if not exists {schema.table}__loaded_at on {schema.qualified_table} "
        "using brin (_loaded_at)"
    )
    conn.execute(
        sql.SQL("comment on table {} is {}").format(
            sql.Identifier("raw", schema.table), sql.Literal(schema.description)
        )
    )
