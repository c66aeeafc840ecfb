"""One loader for every source: read a file with Polars, check it, COPY it into ``raw``.

A file is decoded as UTF-8 (with or without a BOM) or, failing that, GBK/GB18030 — what POS
systems write. A file already loaded (same content hash, same table) is skipped, so re-running
a day never loads it twice. A file without a required column is rejected whole, with a message
naming the file and the column (the raw asset records it in ``raw._rejected_files``); columns
nobody declared (schema drift) are set aside and noted in the load log. Rows that break their
type, a required value or a row rule (schemas.RULES: positive amounts, known master ids), and a
truncated last line, go to ``raw._quarantine`` with the line number and the reason; the rest of
the file loads in the same transaction. Nothing is dropped silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import psycopg

from siyu.ingest.schemas import EntitySchema, Rule, rules_for, schema_for

LINEAGE_COLUMNS = ("_batch_id", "_source_file", "_loaded_at")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"


class SchemaError(ValueError):
    """A file does not match the schema declared for its source entity."""


@dataclass(frozen=True)
class LoadResult:
    table: str
    source_file: str
    status: str  # "loaded", "skipped" or "rejected"
    rows: int
    batch_id: str
    quarantined: int = 0
    reason: str = ""


@dataclass(frozen=True)
class CheckedFile:
    """A file read and checked: the rows to load, the rows to quarantine, what was noticed."""

    rows: pl.DataFrame
    quarantined: pl.DataFrame  # line_number, reason_code, reason, record
    encoding: str
    extra_columns: tuple[str, ...]


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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


def decode(path: Path) -> tuple[str, str]:
    """The file's text and how it was encoded: UTF-8 (BOM or not), else GBK/GB18030."""
    data = Path(path).read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding + ("+bom" if bom else "")
        except UnicodeDecodeError:
            continue
    raise SchemaError(f"{path}: cannot be read as UTF-8 or GBK text")


def _read_json_lines(text: str) -> tuple[pl.DataFrame, list[int]]:
    """A JSON Lines export as text columns, and the line numbers that are not JSON objects."""
    records: list[dict[str, str | None]] = []
    bad: list[int] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            value = json.loads(line)
            if not isinstance(value, dict):
                raise ValueError("not an object")
            records.append({k: None if v is None else str(v) for k, v in value.items()})
        except ValueError:
            records.append({})
            bad.append(len(records))
    columns = list(dict.fromkeys(k for record in records for k in record))
    frame = pl.DataFrame(
        {c: [r.get(c) for r in records] for c in columns}, schema={c: pl.String for c in columns}
    )
    return frame, bad


def _truncated_last_line(text: str, header_fields: int) -> bool:
    """True when the last line holds fewer fields than the header (a cut-off write)."""
    body = text[:-1] if text.endswith("\n") else text
    lines = body.split("\n")
    if len(lines) < 2:
        return False
    fields = next(csv.reader([lines[-1].rstrip("\r")]), [])
    return len(fields) < header_fields


def read_checked(
    path: Path, schema: EntitySchema, references: dict[str, set[str]] | None = None
) -> CheckedFile:
    """Read a file and check it against ``schema`` and its row rules.

    Raises SchemaError for a file that cannot be used at all (unreadable, a required column
    missing); every other problem quarantines the rows it concerns.
    """
    text, encoding = decode(path)
    bad_lines: list[int] = []
    if Path(path).suffix == ".jsonl":
        frame, bad_lines = _read_json_lines(text)
        header_fields = 0
    else:
        try:
            frame = pl.read_csv(
                io.BytesIO(text.encode("utf-8")), infer_schema=False, truncate_ragged_lines=True
            )
        except pl.exceptions.ComputeError as err:
            raise SchemaError(f"{path}: cannot be read as CSV: {err}") from err
        header_fields = len(frame.columns)
    declared = [c.name for c in schema.columns]
    missing = [c for c in declared if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{path}: column {missing[0]!r} is missing "
            f"(required by {schema.qualified_table}; missing: {missing})"
        )
    extra = tuple(c for c in frame.columns if c not in declared)
    frame = frame.select(
        pl.col(c).str.strip_chars().replace("", None).alias(c) for c in declared
    ).with_row_index("__line", offset=1)
    checks: list[tuple[pl.Expr, str, pl.Expr]] = []
    if bad_lines:
        checks.append(
            (
                pl.col("__line").is_in(bad_lines),
                "bad_json",
                pl.lit("the line is not a JSON object (cut off or malformed)"),
            )
        )
    if header_fields and _truncated_last_line(text, header_fields):
        checks.append(
            (
                pl.col("__line") == frame.height,
                "truncated_line",
                pl.lit("the last line is cut off (fewer fields than the header)"),
            )
        )
    checks += _value_checks(schema, references or {})
    code: pl.Expr = pl.lit(None, dtype=pl.String)
    reason: pl.Expr = pl.lit(None, dtype=pl.String)
    for mask, kind, message in reversed(checks):
        code = pl.when(mask).then(pl.lit(kind)).otherwise(code)
        reason = pl.when(mask).then(message).otherwise(reason)
    frame = frame.with_columns(code.alias("__code"), reason.alias("__reason"))
    bad = frame.filter(pl.col("__code").is_not_null())
    quarantined = bad.select(
        pl.col("__line").cast(pl.Int64).alias("line_number"),
        pl.col("__code").alias("reason_code"),
        pl.format("line {}: {}", pl.col("__line"), pl.col("__reason")).alias("reason"),
        pl.struct(declared).struct.json_encode().alias("record"),
    )
    good = frame.filter(pl.col("__code").is_null()).select(declared)
    return CheckedFile(good, quarantined, encoding, extra)


def _value_checks(
    schema: EntitySchema, references: dict[str, set[str]]
) -> list[tuple[pl.Expr, str, pl.Expr]]:
    """Per row: each typed value parses, each required value is there, each row rule holds."""
    checks: list[tuple[pl.Expr, str, pl.Expr]] = []
    for c in schema.columns:
        if c.kind != "text":
            checks.append(
                (
                    pl.col(c.name).is_not_null() & _parsed(pl.col(c.name), c.kind).is_null(),
                    "bad_value",
                    pl.format(
                        f"column '{c.name}' has '{{}}', which is not a valid {c.kind}",
                        pl.col(c.name),
                    ),
                )
            )
        if not c.nullable:
            checks.append(
                (
                    pl.col(c.name).is_null(),
                    "missing_value",
                    pl.lit(f"column '{c.name}' is empty but is required"),
                )
            )
    for rule in rules_for(schema.table):
        checks.append(_rule_check(rule, schema, references))
    return checks


def _rule_check(
    rule: Rule, schema: EntitySchema, references: dict[str, set[str]]
) -> tuple[pl.Expr, str, pl.Expr]:
    value = pl.col(rule.column)
    if rule.kind == "positive":
        kind = next(c.kind for c in schema.columns if c.name == rule.column)
        return (
            _parsed(value, kind) <= 0,
            "non_positive_amount",
            pl.format(f"column '{rule.column}' is {{}}, it must be greater than 0", value),
        )
    if rule.kind == "reference":
        known = sorted(references.get(rule.reference, set()))
        return (
            value.is_not_null() & ~value.is_in(known),
            "unknown_reference",
            pl.format(f"column '{rule.column}' is {{}}, unknown in raw.{rule.reference}", value),
        )
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def reference_values(conn: psycopg.Connection, schema: EntitySchema) -> dict[str, set[str]]:
    """The values each reference rule of ``schema`` accepts, from raw master tables."""
    values: dict[str, set[str]] = {}
    for rule in rules_for(schema.table):
        if rule.kind == "reference" and rule.reference:
            table, column = rule.reference.split(".")
            rows = conn.execute(f'select distinct "{column}"::text from raw.{table}').fetchall()
            values[rule.reference] = {r[0] for r in rows if r[0] is not None}
    return values


def save_cursor(cur: psycopg.Cursor, table: str, cursor: str) -> None:
    """Remember how far an API extract got; call inside the transaction that loaded the page."""
    cur.execute(
        "insert into raw._cursors (table_name, cursor, pages) values (%s, %s, 1) "
        "on conflict (table_name) do update set cursor = excluded.cursor, "
        "pages = raw._cursors.pages + 1, updated_at = now()",
        (table, cursor),
    )


def load_file(
    conn: psycopg.Connection,
    path: Path,
    source: str,
    entity: str,
    in_transaction: Callable[[psycopg.Cursor], None] | None = None,
) -> LoadResult:
    """Load one file into raw.<source>__<entity> in a single transaction.

    ``in_transaction`` runs in that same transaction (an API extract advances its cursor
    there, so the cursor never gets ahead of what is committed).
    """
    schema = schema_for(source, entity)
    path = Path(path)
    digest = file_hash(path)
    batch_id = digest[:16]
    already = conn.execute(
        "select row_count from raw._load_log where table_name = %s and content_hash = %s",
        (schema.table, digest),
    ).fetchone()
    if already:
        if in_transaction:
            with conn.cursor() as cur:
                in_transaction(cur)
            conn.commit()
        else:
            conn.rollback()
        return LoadResult(schema.table, str(path), "skipped", int(already[0]), batch_id)
    checked = read_checked(path, schema, reference_values(conn, schema))
    loaded_at = dt.datetime.now(dt.UTC)
    frame = checked.rows.with_columns(
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
            "row_count, loaded_at, quarantined_rows, encoding, extra_columns) "
            "values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                schema.table,
                digest,
                str(path),
                batch_id,
                frame.height,
                loaded_at,
                checked.quarantined.height,
                checked.encoding,
                ",".join(checked.extra_columns) or None,
            ),
        )
        with cur.copy(
            f"copy {schema.qualified_table} ({columns}) from stdin with (format csv)"
        ) as copy:
            copy.write(buffer.getvalue())
        if checked.quarantined.height:
            with cur.copy(
                "copy raw._quarantine (table_name, source_file, batch_id, line_number, "
                "reason_code, reason, record) from stdin"
            ) as copy:
                for line, code, reason, record in checked.quarantined.iter_rows():
                    copy.write_row((schema.table, str(path), batch_id, line, code, reason, record))
        if in_transaction:
            in_transaction(cur)
    conn.commit()
    return LoadResult(
        schema.table, str(path), "loaded", frame.height, batch_id, checked.quarantined.height
    )


def record_rejection(
    conn: psycopg.Connection, schema: EntitySchema, path: Path, reason: str
) -> LoadResult:
    """Note a file that could not be used at all; it is retried (and may load) next run."""
    conn.rollback()
    digest = file_hash(path)
    conn.execute(
        "insert into raw._rejected_files (table_name, content_hash, source_file, reason) "
        "values (%s, %s, %s, %s) on conflict (table_name, content_hash) do nothing",
        (schema.table, digest, str(path), reason),
    )
    conn.commit()
    return LoadResult(schema.table, str(path), "rejected", 0, digest[:16], reason=reason)


def load_or_reject(
    conn: psycopg.Connection,
    path: Path,
    source: str,
    entity: str,
    in_transaction: Callable[[psycopg.Cursor], None] | None = None,
) -> LoadResult:
    """load_file, with an unusable file recorded in raw._rejected_files instead of raised."""
    try:
        return load_file(conn, path, source, entity, in_transaction)
    except SchemaError as err:
        return record_rejection(conn, schema_for(source, entity), Path(path), str(err))


def entity_files(landing: Path, source: str, entity: str) -> list[Path]:
    """Files of one source entity in the landing folder, oldest day first."""
    folder = Path(landing) / source / entity
    return sorted([*folder.glob("*.csv"), *folder.glob("*.jsonl")])


def load_entity(
    conn: psycopg.Connection, landing: Path, source: str, entity: str
) -> list[LoadResult]:
    return [load_file(conn, path, source, entity) for path in entity_files(landing, source, entity)]
