"""One loader for every source: read a file with Polars, check it, COPY it into ``raw``.

A file is decoded as UTF-8 (with or without a BOM) or, failing that, GBK/GB18030 — what POS
systems write. A file already loaded (same content hash, same table) is skipped, so re-running
a day never loads it twice. A file without a required column is rejected whole, with a message
naming the file and the column (the raw asset records it in ``raw._rejected_files``); columns
nobody declared (schema drift) are set aside and noted in the load log; an empty file is
rejected. A record PostgreSQL would refuse or store other than sent (a NUL byte, a year outside
1-9999, an amount with more than 2 decimals or beyond what sums can hold), one that breaks its
type, a required value or a row rule (schemas.RULES: amounts not negative, quantities
positive, known master ids, values from a fixed list), a record with more or fewer fields than
the header, a quote out of place, a line of JSON Lines that is not an object, and a truncated
last line, goes to ``raw._quarantine`` with its file line, column, reason and original text;
the rest of the file loads in the same transaction. Nothing is dropped, altered or loaded
twice silently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import psycopg

from siyu.ingest.records import (
    LINE,
    Records,
    read_csv_records,
    read_json_records,
    read_plain_csv,
)
from siyu.ingest.schemas import EntitySchema, Rule, rules_for, schema_for

LINEAGE_COLUMNS = ("_batch_id", "_source_file", "_loaded_at", "_source_line")
# Money as a source sends it: digits, at most 2 decimals. More decimals are quarantined, not
# rounded; amounts this large would overflow numeric(18,2) once summed.
DECIMAL_KINDS = ("money", "decimal")  # numeric(18,2): at most 2 decimals, never rounded
MONEY_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
SCALE_PATTERN = r"\.\d{3,}$"
MONEY_LIMIT = 10**12
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
YEAR_1_DAYS = dt.date(1, 1, 1).toordinal() - EPOCH_ORDINAL  # 0001-01-01, days since 1970
YEAR_10000_DAYS = dt.date(9999, 12, 31).toordinal() + 1 - EPOCH_ORDINAL  # 10000-01-01
MICROSECONDS_A_DAY = 86_400_000_000


def row_source_file(path: Path) -> str:
    """A raw row's ``_source_file``: the file under the landing folder, laid out as
    ``<source>/<entity>/<name>`` (entity_files). Every row carries it, so it is kept short:
    the full path is written once per file, in ``raw._load_log.source_file`` (same batch id).
    """
    return "/".join(Path(path).parts[-3:])


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

    rows: pl.DataFrame  # the declared columns as text, and the file line of each row
    quarantined: pl.DataFrame  # line_number, reason_code, reason, record, column_name
    encoding: str
    extra_columns: tuple[str, ...]
    nul_free: bool = False  # the file holds no NUL byte: its values need no NUL check


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def parsed_column(column: pl.Expr, kind: str) -> pl.Expr:
    """The value parsed as its declared kind; null where it does not parse."""
    if kind == "int":
        return column.cast(pl.Int64, strict=False)
    if kind in DECIMAL_KINDS:
        return column.cast(pl.Decimal(18, 2), strict=False)
    if kind == "timestamp":
        return column.str.to_datetime(TIMESTAMP_FORMAT, strict=False)
    if kind == "date":
        return column.str.to_date(DATE_FORMAT, strict=False)
    return column


def decode(path: Path) -> tuple[bytes, str, str]:
    """The file's bytes (without a BOM), its text and how it was encoded: UTF-8 (BOM or
    not), else GBK/GB18030."""
    data = Path(path).read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data, data.decode(encoding), encoding + ("+bom" if bom else "")
        except UnicodeDecodeError:
            continue
    raise SchemaError(f"{path}: cannot be read as UTF-8 or GBK text")


def _records(path: Path, data: bytes, text: str, encoding: str) -> Records:
    if not text.strip():
        raise SchemaError(f"{path}: the file is empty (no header, no rows)")
    if Path(path).suffix == ".jsonl":
        return read_json_records(text)
    plain = read_plain_csv(data) if encoding.startswith("utf-8") else None
    return plain or read_csv_records(text, complete=text.endswith("\n"))


def read_checked(
    path: Path, schema: EntitySchema, references: dict[str, set[str]] | None = None
) -> CheckedFile:
    """Read a file and check it against ``schema`` and its row rules.

    Raises SchemaError for a file that cannot be used at all (unreadable, empty, a required
    column missing); every other problem quarantines the rows it concerns, with the file line
    they start on, the column and the reason.
    """
    read = read_declared(path, schema)
    good, bad = check_rows(read.rows, schema, references or {}, read.nul_free)
    quarantined = pl.concat([bad, read.quarantined]).sort("line_number")
    return CheckedFile(good, quarantined, read.encoding, read.extra_columns)


def read_declared(path: Path, schema: EntitySchema) -> CheckedFile:
    """A file's records as the declared columns (text, blanks as null, plus the file line),
    the records that could not be split into fields (as quarantine rows), the encoding and
    the undeclared columns. Raises SchemaError for a file that cannot be used at all."""
    data, text, encoding = decode(path)
    records = _records(path, data, text, encoding)
    declared = [c.name for c in schema.columns]
    missing = [c for c in declared if c not in records.header]
    if missing and (records.header or not records.rejected):
        raise SchemaError(
            f"{path}: column {missing[0]!r} is missing "
            f"(required by {schema.qualified_table}; missing: {missing})"
        )
    extra = tuple(c for c in records.header if c not in declared)
    frame = records.frame.select(
        *(
            pl.col(c).str.strip_chars().replace("", None).alias(c)
            if c in records.frame.columns
            else pl.lit(None, dtype=pl.String).alias(c)
            for c in declared
        ),
        LINE,
    )
    return CheckedFile(frame, _rejected_frame(records), encoding, extra, records.nul_free)


def check_rows(
    frame: pl.DataFrame,
    schema: EntitySchema,
    references: dict[str, set[str]],
    nul_free: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows that pass every value check and row rule, and the quarantine rows of those
    that do not (line_number, reason_code, reason, record, column_name, and any other column
    of ``frame`` beyond the declared ones, such as the file a row came from)."""
    declared = [c.name for c in schema.columns]
    carried = [c for c in frame.columns if c not in declared]
    checks = _value_checks(schema, references, nul_free)
    # One pass tells which rows fail any check; only those few get a code, column and reason.
    # A mask is null where its value is (a rule on an empty amount): that is not a failure.
    failing = pl.any_horizontal(mask.fill_null(False) for mask, *_ in checks)
    frame = frame.with_columns(failing.alias("__failed"))
    good = frame.filter(~pl.col("__failed")).select(*declared, *carried)
    failed = frame.filter(pl.col("__failed"))
    code: pl.Expr = pl.lit(None, dtype=pl.String)
    column: pl.Expr = pl.lit(None, dtype=pl.String)
    reason: pl.Expr = pl.lit(None, dtype=pl.String)
    for mask, kind, message, name in reversed(checks):  # the first failing check names it
        code = pl.when(mask).then(pl.lit(kind)).otherwise(code)
        column = pl.when(mask).then(pl.lit(name)).otherwise(column)
        reason = pl.when(mask).then(message).otherwise(reason)
    bad = failed.select(
        pl.col(LINE).alias("line_number"),
        code.alias("reason_code"),
        pl.format("line {}: {}", pl.col(LINE), reason).alias("reason"),
        pl.struct(declared).struct.json_encode().alias("record"),
        column.alias("column_name"),
        *[c for c in carried if c != LINE],
    )
    if good.height + bad.height != frame.height:  # never drop a row unseen
        raise AssertionError(
            f"{schema.qualified_table}: {frame.height} rows checked, but {good.height} passed "
            f"and {bad.height} were quarantined"
        )
    return good, bad


def _rejected_frame(records: Records) -> pl.DataFrame:
    """Records that could not be split into the header's fields, with their original text."""
    return pl.DataFrame(
        {
            "line_number": [r.line for r in records.rejected],
            "reason_code": [r.code for r in records.rejected],
            "reason": [f"line {r.line}: {r.reason}" for r in records.rejected],
            "record": [r.text for r in records.rejected],
            "column_name": [r.column for r in records.rejected],
        },
        schema={
            "line_number": pl.Int64,
            "reason_code": pl.String,
            "reason": pl.String,
            "record": pl.String,
            "column_name": pl.String,
        },
    )


Check = tuple[pl.Expr, str, pl.Expr, str | None]


def _kind_checks(name: str, kind: str, nul_free: bool = False) -> list[Check]:
    """A value PostgreSQL would refuse, or store other than it was sent, for its kind."""
    value = pl.col(name)
    parsed = parsed_column(value, kind)
    checks: list[Check] = []
    if not nul_free:
        checks.append(
            (
                value.is_not_null() & value.str.contains("\x00", literal=True),
                "nul_byte",
                pl.lit(f"column '{name}' holds a NUL byte, which PostgreSQL text cannot store"),
                name,
            )
        )
    if kind == "text":
        return checks
    invalid = pl.format(f"column '{name}' has '{{}}', which is not a valid {kind}", value)
    if kind in DECIMAL_KINDS:
        checks += [
            (
                value.is_not_null() & ~value.str.contains(MONEY_PATTERN),
                "bad_value",
                invalid,
                name,
            ),
            (
                value.is_not_null() & value.str.contains(SCALE_PATTERN),
                "too_many_decimals",
                pl.format(f"column '{name}' has '{{}}': more than 2 decimals (not rounded)", value),
                name,
            ),
            (
                parsed.is_not_null() & (parsed.abs() >= MONEY_LIMIT),
                "out_of_range",
                pl.format(
                    f"column '{name}' is {{}}, beyond ±{MONEY_LIMIT:,} (sums of such amounts "
                    "overflow numeric(18,2))",
                    value,
                ),
                name,
            ),
        ]
        return checks
    checks.append((value.is_not_null() & parsed.is_null(), "bad_value", invalid, name))
    if kind in ("date", "timestamp"):
        # Years 1-9999 as a range of days or microseconds since 1970: the same test as the
        # year's value, without working out a calendar year for every row.
        low, high = YEAR_1_DAYS, YEAR_10000_DAYS
        ticks = parsed.cast(pl.Int32) if kind == "date" else parsed.dt.epoch("us")
        if kind == "timestamp":
            low, high = low * MICROSECONDS_A_DAY, high * MICROSECONDS_A_DAY
        checks.append(
            (
                parsed.is_not_null() & ((ticks < low) | (ticks >= high)),
                "out_of_range",
                pl.format(f"column '{name}' is {{}}: years run from 1 to 9999", value),
                name,
            )
        )
    return checks


def _value_checks(
    schema: EntitySchema, references: dict[str, set[str]], nul_free: bool = False
) -> list[Check]:
    """Per row: each value storable as its kind, each required value there, each rule held."""
    checks: list[Check] = []
    for c in schema.columns:
        checks += _kind_checks(c.name, c.kind, nul_free)
        if not c.nullable:
            checks.append(
                (
                    pl.col(c.name).is_null(),
                    "missing_value",
                    pl.lit(f"column '{c.name}' is empty but is required"),
                    c.name,
                )
            )
    for rule in rules_for(schema.table):
        checks.append(_rule_check(rule, schema, references))
    return checks


def _rule_check(rule: Rule, schema: EntitySchema, references: dict[str, set[str]]) -> Check:
    value = pl.col(rule.column)
    if rule.kind in ("positive", "non_negative"):
        kind = next(c.kind for c in schema.columns if c.name == rule.column)
        positive = rule.kind == "positive"
        noun = "amount" if kind == "money" else rule.column
        return (
            (parsed_column(value, kind) <= 0) if positive else (parsed_column(value, kind) < 0),
            f"non_positive_{noun}" if positive else f"negative_{noun}",
            pl.format(
                f"column '{rule.column}' is {{}}, it must be "
                f"{'greater than 0' if positive else 'at least 0'}",
                value,
            ),
            rule.column,
        )
    if rule.kind == "one_of":
        return (
            value.is_not_null() & ~value.is_in(list(rule.values)),
            "unknown_value",
            pl.format(
                f"column '{rule.column}' is {{}}, it must be one of {', '.join(rule.values)}",
                value,
            ),
            rule.column,
        )
    if rule.kind == "reference":
        known = sorted(references.get(rule.reference, set()))
        return (
            value.is_not_null() & ~value.is_in(known),
            "unknown_reference",
            pl.format(f"column '{rule.column}' is {{}}, unknown in raw.{rule.reference}", value),
            rule.column,
        )
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def reference_values(conn: psycopg.Connection, schema: EntitySchema) -> dict[str, set[str]]:
    """The values each reference rule of ``schema`` accepts, from raw master tables."""
    values: dict[str, set[str]] = {}
    for rule in rules_for(schema.table):
        if rule.target:
            table, column = rule.target
            rows = conn.execute(f'select distinct "{column}"::text from raw.{table}').fetchall()
            values[rule.reference] = {r[0] for r in rows if r[0] is not None}
    return values


def save_cursor(
    cur: psycopg.Cursor, table: str, cursor: str, last_record: str | None = None
) -> None:
    """Remember how far an API extract got, and the last record it committed; call inside the
    transaction that loaded the page."""
    cur.execute(
        "insert into raw._cursors (table_name, cursor, pages, last_record) "
        "values (%s, %s, 1, %s) "
        "on conflict (table_name) do update set cursor = excluded.cursor, "
        "pages = raw._cursors.pages + 1, updated_at = now(), "
        "last_record = coalesce(excluded.last_record, raw._cursors.last_record)",
        (table, cursor, last_record),
    )


def load_file(
    conn: psycopg.Connection,
    path: Path,
    source: str,
    entity: str,
    in_transaction: Callable[[psycopg.Cursor], None] | None = None,
    lake: Path | None = None,
) -> LoadResult:
    """Load one file into raw.<source>__<entity> in a single transaction.

    ``in_transaction`` runs in that same transaction (an API extract advances its cursor
    there, so the cursor never gets ahead of what is committed). With ``lake``, the rows are
    also written as Parquet for Spark before the commit (:mod:`siyu.ingest.lake`).
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
    frame = checked.rows.rename({LINE: "_source_line"}).with_columns(
        pl.lit(batch_id).alias("_batch_id"),
        pl.lit(row_source_file(path)).alias("_source_file"),
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
                "reason_code, reason, record, column_name) from stdin"
            ) as copy:
                for line, code, reason, record, column in checked.quarantined.iter_rows():
                    copy.write_row(
                        (schema.table, str(path), batch_id, line, code, reason, record, column)
                    )
        if in_transaction:
            in_transaction(cur)
        if lake is not None:
            from siyu.ingest.lake import write_batches

            write_batches(lake, schema, frame)
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
    lake: Path | None = None,
) -> LoadResult:
    """load_file, with an unusable file recorded in raw._rejected_files instead of raised."""
    try:
        return load_file(conn, path, source, entity, in_transaction, lake)
    except SchemaError as err:
        return record_rejection(conn, schema_for(source, entity), Path(path), str(err))
    except (psycopg.DataError, psycopg.IntegrityError) as err:
        # What the checks did not foresee, PostgreSQL refused: the file is set aside whole.
        reason = f"{path}: PostgreSQL refused the file: {str(err).strip()}"
        return record_rejection(conn, schema_for(source, entity), Path(path), reason)


def entity_files(landing: Path, source: str, entity: str) -> list[Path]:
    """Files of one source entity in the landing folder, oldest day first."""
    folder = Path(landing) / source / entity
    return sorted([*folder.glob("*.csv"), *folder.glob("*.jsonl")])


def file_day(name: str) -> str | None:
    """The day a day file is named after (``2025-11-27.csv`` → ``2025-11-27``), else None."""
    stem = Path(name).name.split(".")[0]
    try:
        dt.date.fromisoformat(stem)
    except ValueError:
        return None
    return stem


def load_entity(
    conn: psycopg.Connection, landing: Path, source: str, entity: str
) -> list[LoadResult]:
    return [load_file(conn, path, source, entity) for path in entity_files(landing, source, entity)]
