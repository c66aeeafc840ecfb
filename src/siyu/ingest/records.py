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
    """Records as text columns (plus ``__line``), the header, and the records rejected."""

    frame: pl.DataFrame
    header: list[str]
    rejected: list[Rejected] = field(default_factory=list)


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


def _fast_path(lines: list[str], header: list[str]) -> Records | None:
    """Plain files (no quotes, no blank or ragged line, no NUL): Polars reads them at once."""
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
    (numbers, booleans, nested objects and arrays) as JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def read_json_records(text: str) -> Records:
    """JSON Lines as records: one per file line (split on line breaks only, so a U+2028
    inside a string stays in its record); a line that is not a JSON object is rejected with
    its original text."""
    records: list[dict[str, str | None]] = []
    numbers: list[int] = []
    rejected: list[Rejected] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            rejected.append(
                Rejected(
                    number,
                    "bad_json",
                    "the line is not a JSON object (cut off or malformed)",
                    line.rstrip("\r"),
                )
            )
            continue
        records.append({k: _json_value(v) for k, v in value.items()})
        numbers.append(number)
    header = list(dict.fromkeys(k for record in records for k in record))
    rows = [[record.get(c) for c in header] for record in records]
    return Records(_frame(header, rows, numbers), header, rejected)
