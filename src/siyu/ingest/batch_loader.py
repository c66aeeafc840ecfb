"""Many files of one table through one stream: the loader for a landing folder.

The same loader as ``load_file`` — content-hash skip, decoding, whole-file reject, every
value check and row rule, quarantine with file line, column and reason, lineage columns, one
load-log row per file — but files are taken in batches: the reference values are read once
per batch, the checks run once over the batch's rows, and the batch goes to PostgreSQL in one
``COPY`` and one transaction. Should PostgreSQL still refuse a batch, its files are loaded
one by one instead, so a refusal sets aside only the file that caused it.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import psycopg

from siyu.ingest.lake import write_batches
from siyu.ingest.loader import (
    LINE,
    CheckedFile,
    LoadResult,
    SchemaError,
    check_rows,
    file_hash,
    load_or_reject,
    read_declared,
    record_rejection,
    reference_values,
    row_source_file,
)
from siyu.ingest.schemas import EntitySchema

BATCH_ROWS = 500_000  # rows held in memory and sent in one COPY
FILE = "__file"


@dataclass(frozen=True)
class _Pending:
    index: int
    path: Path
    digest: str
    read: CheckedFile


def load_files(
    conn: psycopg.Connection, paths: list[Path], schema: EntitySchema, lake: Path | None = None
) -> Iterator[LoadResult]:
    """Load ``paths`` into ``schema``'s raw table, yielding one result per file in order;
    with ``lake``, into its Parquet folder too (:mod:`siyu.ingest.lake`).

    Reading and checking run here while a second thread writes the previous batch, so the
    Python work overlaps PostgreSQL's: at most two batches are held at a time.
    """
    known: dict[str, int] = dict(
        conn.execute(
            "select content_hash, row_count from raw._load_log where table_name = %s",
            (schema.table,),
        ).fetchall()
    )
    references = reference_values(conn, schema)  # once per table and run, not per file
    conn.rollback()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"copy-{schema.table}") as db:
        pending: deque[Future] = deque()
        batch: list[_Pending] = []
        in_flight: set[str] = set()  # digests read but not yet known to be written
        rows = 0
        for path in paths:
            digest = file_hash(path)
            if digest in in_flight:  # a renamed copy of a file not yet written: write it first
                if batch:
                    pending.append(_submit(db, conn, schema, batch, references, known, lake))
                    batch, rows = [], 0
                yield from _drain(pending, keep=0)
                in_flight.clear()
            reason = ""
            try:
                read = None if digest in known else read_declared(path, schema)
            except SchemaError as err:
                read, reason = None, str(err)
            if read is None:  # skipped or rejected: after the files before it, in order
                if batch:
                    pending.append(_submit(db, conn, schema, batch, references, known, lake))
                    batch, rows = [], 0
                pending.append(
                    _completed(schema, path, digest, known[digest])
                    if digest in known
                    else db.submit(record_rejection, conn, schema, path, reason)
                )
                yield from _drain(pending, keep=1)
                continue
            batch.append(_Pending(len(batch), path, digest, read))
            in_flight.add(digest)
            rows += read.rows.height
            if rows >= BATCH_ROWS:
                pending.append(_submit(db, conn, schema, batch, references, known, lake))
                batch, rows = [], 0
            yield from _drain(pending, keep=1)
        if batch:
            pending.append(_submit(db, conn, schema, batch, references, known, lake))
        yield from _drain(pending, keep=0)


def _submit(
    db: ThreadPoolExecutor,
    conn: psycopg.Connection,
    schema: EntitySchema,
    batch: list[_Pending],
    references: dict[str, set[str]],
    known: dict[str, int],
    lake: Path | None,
) -> Future:
    """Check the batch here, on the reading side, and hand it to the writing thread: the
    checks then overlap the previous batch's COPY instead of following it."""
    return db.submit(_write, conn, schema, _checked(schema, batch, references), known, lake)


def _completed(schema: EntitySchema, path: Path, digest: str, rows: int) -> Future:
    done: Future = Future()
    done.set_result(LoadResult(schema.table, str(path), "skipped", rows, digest[:16]))
    return done


def _drain(pending: deque[Future], keep: int) -> Iterator[LoadResult]:
    """Results of the oldest submitted work, until at most ``keep`` are still pending."""
    while len(pending) > keep:
        done = pending.popleft().result()
        yield from done if isinstance(done, list) else [done]


def _write(
    conn: psycopg.Connection,
    schema: EntitySchema,
    checked: _CheckedBatch,
    known: dict[str, int],
    lake: Path | None,
) -> list[LoadResult]:
    batch = checked.files
    try:
        results = _copy_batch(conn, schema, checked, lake)
    except (psycopg.DataError, psycopg.IntegrityError):
        conn.rollback()  # one file PostgreSQL refuses: load them one by one to find it
        results = [
            load_or_reject(conn, p.path, schema.source, schema.entity, lake=lake) for p in batch
        ]
    for pending, result in zip(batch, results, strict=True):
        if result.status == "loaded":
            known[pending.digest] = result.rows
    return results


def _lineage(batch: list[_Pending]) -> pl.DataFrame:
    """Each file of the batch: its batch id, the short name its rows carry (_source_file) and
    its full path (the load log's and quarantine's source_file)."""
    return pl.DataFrame(
        {
            FILE: [p.index for p in batch],
            "_batch_id": [p.digest[:16] for p in batch],
            "_source_file": [row_source_file(p.path) for p in batch],
            "source_file": [str(p.path) for p in batch],
        },
        schema={
            FILE: pl.Int64,
            "_batch_id": pl.String,
            "_source_file": pl.String,
            "source_file": pl.String,
        },
    )


@dataclass(frozen=True)
class _CheckedBatch:
    """A batch's files after the value checks and row rules: the rows to COPY (declared
    columns, _source_line, _batch_id, _source_file), the quarantine rows, and per file the
    count of each."""

    files: list[_Pending]
    rows: pl.DataFrame
    quarantined: pl.DataFrame
    good_rows: dict[int, int]
    bad_rows: dict[int, int]


def _checked(
    schema: EntitySchema, batch: list[_Pending], references: dict[str, set[str]]
) -> _CheckedBatch:
    files = _lineage(batch)
    # Each file's rows carry its lineage as constants: no join of every row to its file.
    rows = pl.concat(
        [
            p.read.rows.with_columns(
                pl.lit(p.index, dtype=pl.Int64).alias(FILE),
                pl.lit(p.digest[:16]).alias("_batch_id"),
                pl.lit(row_source_file(p.path)).alias("_source_file"),
            )
            for p in batch
        ]
    )
    good, bad = check_rows(rows, schema, references, all(p.read.nul_free for p in batch))
    unsplit = [
        p.read.quarantined.with_columns(pl.lit(p.index, dtype=pl.Int64).alias(FILE)) for p in batch
    ]
    quarantined = (
        pl.concat([bad.drop("_batch_id", "_source_file"), *unsplit])
        .join(files, on=FILE)
        .sort(FILE, "line_number")
    )
    failed = dict(bad.group_by(FILE).len().iter_rows())
    frame = good.select(
        *(c.name for c in schema.columns),
        pl.col(LINE).alias("_source_line"),
        "_batch_id",
        "_source_file",
    )
    return _CheckedBatch(
        batch,
        frame,
        quarantined,
        {p.index: p.read.rows.height - failed.get(p.index, 0) for p in batch},
        dict(quarantined.group_by(FILE).len().iter_rows()),
    )


def _copy_batch(
    conn: psycopg.Connection, schema: EntitySchema, checked: _CheckedBatch, lake: Path | None
) -> list[LoadResult]:
    """One transaction: the load log rows, one COPY of the rows and one of the quarantine.
    ``_loaded_at`` is the column's default, the transaction's ``now()``, which the load log
    records too: the server fills it instead of parsing one timestamp per row."""
    batch, good_rows, bad_rows = checked.files, checked.good_rows, checked.bad_rows
    loaded_at = conn.execute("select now()").fetchone()[0]
    with conn.cursor() as cur:
        cur.executemany(
            "insert into raw._load_log (table_name, content_hash, source_file, batch_id, "
            "row_count, loaded_at, quarantined_rows, encoding, extra_columns) "
            "values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    schema.table,
                    p.digest,
                    str(p.path),
                    p.digest[:16],
                    good_rows.get(p.index, 0),
                    loaded_at,
                    bad_rows.get(p.index, 0),
                    p.read.encoding,
                    ",".join(p.read.extra_columns) or None,
                )
                for p in batch
            ],
        )
        _copy_frame(cur, schema.qualified_table, checked.rows)
        if checked.quarantined.height:
            _copy_frame(
                cur,
                "raw._quarantine",
                checked.quarantined.select(
                    pl.lit(schema.table).alias("table_name"),
                    "source_file",
                    pl.col("_batch_id").alias("batch_id"),
                    "line_number",
                    "reason_code",
                    "reason",
                    "record",
                    "column_name",
                ),
            )
    if lake is not None:
        stamped = checked.rows.with_columns(pl.lit(loaded_at.isoformat()).alias("_loaded_at"))
        write_batches(lake, schema, stamped)
    conn.commit()
    return [
        LoadResult(
            schema.table,
            str(p.path),
            "loaded",
            good_rows.get(p.index, 0),
            p.digest[:16],
            bad_rows.get(p.index, 0),
        )
        for p in batch
    ]


def _copy_frame(cur: psycopg.Cursor, table: str, frame: pl.DataFrame) -> None:
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    with cur.copy(f"copy {table} ({columns}) from stdin with (format csv)") as copy:
        copy.write(buffer.getbuffer())
