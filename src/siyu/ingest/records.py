"""A source file's text as records, each with the file line it starts on.

Nothing is guessed: a CSV record with more or fewer fields than the header, a stray quote,
a JSON Lines line that is not a JSON object, each becomes a rejected record carrying its
original text, so the loader can quarantine it; every other record is kept as text columns.
Line numbers are file lines (the header is line 1), not record counts.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field

import polars as pl

LINE = "__line"


@dataclass
class Rejected:
    line: int
    code: str
    reason: str
    text: str
    column: str | None = None


@dataclass
class Records:
    """Records as text columns (plus ``__line``), the header, and the records rejected;
    ``nul_free`` when the file is known to hold no NUL byte at all."""

    frame: pl.DataFrame
    header: list[str]
    rejected: list[Rejected] = field(default_factory=list)
    nul_free: bool = False


def _frame(header: list[str], rows: list[list[str | None]], lines: list[int]) -> pl.DataFrame:
    columns = {name: [row[i] for row in rows] for i, name in enumerate(header)}
    schema = {name: pl.String for name in header}
    return pl.DataFrame(columns, schema=schema).with_columns(pl.Series(LINE, lines, dtype=pl.Int64))


def _parse_line(text: str) -> list[str] | None:
    """The fields of one record's text, or None when its quoting is malformed."""
    try:
        return next(csv.reader([text], strict=True), [])
    except csv.Error:
        return None


def read_plain_csv(data: bytes) -> Records | None:
    """A plain, complete UTF-8 file (no quote, NUL, carriage return, blank or ragged line)
    straight from its bytes: Polars splits it, so no line becomes a Python string. None for
    any other file, which read_csv_records reads."""
    if (
        not data.endswith(b"\n")
        or data.startswith(b"\n")
        or any(c in data for c in (b"\n\n", b'"', b"\x00", b"\r"))
    ):
        return None
    header = data[: data.index(b"\n")].decode("utf-8").split(",")
    lines = data.count(b"\n")
    # As many commas as every line having the header's fields, and Polars refuses a line with
    # more: so no line has fewer either.
    if data.count(b",") != lines * (len(header) - 1):
        return None
    try:
        frame = pl.read_csv(data, infer_schema=False, has_header=True)
    except pl.exceptions.PolarsError:  # a line with more fields than the header
        return None
    if frame.columns != header or frame.height != lines - 1:
        return None
    rows = frame.with_row_index(LINE, offset=2).cast({LINE: pl.Int64})
    return Records(rows, header, nul_free=True)


def _fast_path(lines: list[str], header: list[str]) -> Records | None:
    """Plain text that was not UTF-8 (GBK from a till): Polars reads it at once."""
    text = "\n".join(lines) + "\n"
    if '"' in text or "\x00" in text:
        return None
    body = pl.Series(lines[1:], dtype=pl.String)
    commas = body.str.count_matches(",", literal=True)
    if body.len() and ((body.str.len_bytes() == 0).any() or (commas != len(header) - 1).any()):
        return None
    frame = pl.read_csv(io.StringIO(text), infer_schema=False, has_header=True)
    if frame.columns != header:
        return None
    return Records(frame.with_row_index(LINE, offset=2).cast({LINE: pl.Int64}), header)


def _quoting(text: str) -> str:
    """How a record's text ends: "closed" (every quoted field closed), "open" (inside a
    quoted field that began a field: the record goes on on the next line) or "malformed" (a
    quote inside an unquoted field, or text after a closing quote)."""
    in_quotes = False
    at_field_start = True
    index = 0
    while index < len(text):
        char = text[index]
        if in_quotes:
            if char == '"':
                if text[index + 1 : index + 2] == '"':
                    index += 1  # an escaped quote
                else:
                    in_quotes = False
                    following = text[index + 1 : index + 2]
                    if following not in ("", ",", "\n"):
                        return "malformed"
        elif char == '"':
            if not at_field_start:
                return "malformed"
            in_quotes = True
        at_field_start = char in (",", "\n") and not in_quotes
        index += 1
    return "open" if in_quotes else "closed"


def _record_text(lines: list[str], start: int) -> tuple[str, int, bool]:
    """The text of the record starting at ``lines[start]``, the index after it, and whether
    its quoting is sound. A record spans lines only while a quoted field is open."""
    text, end = lines[start], start + 1
    state = _quoting(text)
    while state == "open" and end < len(lines):
        text, end = text + "\n" + lines[end], end + 1
        state = _quoting(text)
    if state != "closed":
        return lines[start], start + 1, False  # the line alone is quarantined
    return text, end, True


def read_csv_records(text: str, complete: bool) -> Records:
    """CSV text as records; ``complete``: the text ended with a line break (a file cut off
    mid-write does not, and its last record is then reported as truncated)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    header = _parse_line(lines[0]) or []
    fast = _fast_path(lines, header)
    if fast is not None and complete:
        return fast
    rows: list[list[str | None]] = []
    numbers: list[int] = []
    rejected: list[Rejected] = []
    index = 1
    while index < len(lines):
        if lines[index] == "":
            index += 1
            continue
        record, after, sound = _record_text(lines, index)
        line_number = index + 1
        fields = _parse_line(record) if sound else None
        last = after >= len(lines)
        if fields is None:
            rejected.append(
                Rejected(
                    line_number,
                    "malformed_quote",
                    "a quote out of place (inside an unquoted field, or never closed)",
                    record,
                )
            )
        elif len(fields) != len(header):
            rejected.append(
                _field_count(line_number, record, fields, header, last and not complete)
            )
        else:
            rows.append(list(fields))
            numbers.append(line_number)
        index = after
    return Records(_frame(header, rows, numbers), header, rejected)


def _field_count(
    line: int, record: str, fields: list[str], header: list[str], cut_off: bool
) -> Rejected:
    if cut_off and len(fields) < len(header):
        return Rejected(
            line,
            "truncated_line",
            "the last line is cut off (fewer fields than the header)",
            record,
            header[len(fields) - 1] if fields else None,
        )
    column = header[len(fields)] if len(fields) < len(header) else header[-1]
    where = f"missing from '{column}' on" if len(fields) < len(header) else f"beyond '{column}'"
    return Rejected(
        line,
        "wrong_field_count",
        f"{len(fields)} fields where the header has {len(header)} (fields {where}): an "
        "unquoted comma or a lost field would shift the values into the wrong columns",
        record,
        column,
    )


def _json_value(value: object) -> str | None:
    """A JSON value as the text the raw column keeps: strings as they are, anything else
    (numbers, booleans, nested objects and arrays) as JSON. The scalars are spelled here as
    ``json.dumps`` spells them, without building an encoder for each value."""
    if value is None:
        return None
    kind = value.__class__
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)  # type: ignore[arg-type]
    if kind is float and math.isfinite(value):  # type: ignore[arg-type]
        return float.__repr__(value)  # type: ignore[arg-type]
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def read_json_records(text: str) -> Records:
    """JSON Lines as records: one per file line (split on line breaks only, so a U+2028
    inside a string stays in its record); a line that is not a JSON object is rejected with
    its original text."""
    records: list[dict[str, object]] = []
    numbers: list[int] = []
    rejected: list[Rejected] = []
    decoder = json.JSONDecoder()
    for number, line in enumerate(text.split("\n"), start=1):
        if not line or line.isspace():
            continue
        try:
            value = decoder.decode(line)
        except ValueError:
            value = None
        if value.__class__ is not dict:
            rejected.append(
                Rejected(
                    number,
                    "bad_json",
                    "the line is not a JSON object (cut off or malformed)",
                    line.rstrip("\r"),
                )
            )
            continue
        records.append(value)
        numbers.append(number)
    header = _json_header(records)
    columns = {name: _json_column([r.get(name) for r in records]) for name in header}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(header, pl.String))
    return Records(frame.with_columns(pl.Series(LINE, numbers, dtype=pl.Int64)), header, rejected)


def _json_header(records: list[dict[str, object]]) -> list[str]:
    """Every key of the records, in the order first seen."""
    first = records[0].keys() if records else {}.keys()
    if all(record.keys() == first for record in records):
        return list(first)
    return list(dict.fromkeys(k for record in records for k in record))


def _json_column(values: list[object]) -> list[str | None]:
    """One key's values as text (_json_value); a column of strings and nulls is kept as is."""
    if set(map(type, values)) <= {str, type(None)}:
        return values  # type: ignore[return-value]
    return [_json_value(v) for v in values]
