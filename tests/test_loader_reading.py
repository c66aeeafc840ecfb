"""The loader's reading and checking on their own (no warehouse): the fast paths give exactly
what the record-by-record reader gives, and every row read either passes or is quarantined."""

from __future__ import annotations

import json

import polars as pl
import pytest

from siyu.ingest.loader import check_rows
from siyu.ingest.records import LINE, read_csv_records, read_json_records, read_plain_csv
from siyu.ingest.schemas import schema_for

PLAIN = [
    "a,b\n1,2\n3,4\n",
    "a,b,c\n1,,\n,,\n",  # empty fields are nulls
    "a,b\n ,x \n",  # spaces are kept here (the loader strips them later)
    "a\n1\n2\n",
    "a,b\n",  # a header and no rows
    "客户,金额\n张三,12.50\n",
]
NOT_PLAIN = {
    "a,b\n1,2\n\n3,4\n": "a blank line",
    "a,b\n1,2,3\n4\n": "ragged lines that balance each other's commas",
    "a,b\n1\n": "a field missing",
    "a,b\r\n1,2\r\n": "CRLF line ends",
    'a,b\n"x,y",2\n': "quoted fields",
    "a,a\n1,2\n": "a repeated header",
    "a,b\n1,2": "no line break at the end (cut off)",
}


@pytest.mark.parametrize("text", PLAIN)
def test_plain_files_read_from_bytes_equal_the_record_reader(text: str) -> None:
    fast = read_plain_csv(text.encode())
    slow = read_csv_records(text, complete=True)
    assert fast is not None
    assert fast.header == slow.header
    assert (
        fast.frame.select(*fast.header, LINE).rows() == slow.frame.select(*slow.header, LINE).rows()
    )
    assert fast.nul_free and not fast.rejected


@pytest.mark.parametrize(("text", "why"), NOT_PLAIN.items())
def test_files_that_are_not_plain_go_to_the_record_reader(text: str, why: str) -> None:
    assert read_plain_csv(text.encode()) is None, why


def test_ragged_lines_are_still_reported_line_by_line() -> None:
    records = read_csv_records("a,b\n1,2,3\n4\n", complete=True)
    assert [(r.line, r.code) for r in records.rejected] == [
        (2, "wrong_field_count"),
        (3, "wrong_field_count"),
    ]


def test_json_scalars_are_spelled_as_json_dumps_spells_them() -> None:
    values = [5, -0.0, 1.5, 1e-7, 1e16, 100.0, True, False, float("nan"), 10**30, {"z": [1]}]
    lines = "".join(json.dumps({"v": v}) + "\n" for v in values)
    records = read_json_records(lines)
    expected = [json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in values]
    assert records.frame["v"].to_list() == expected


def test_json_keys_missing_from_some_lines_are_nulls_in_first_seen_order() -> None:
    records = read_json_records('{"b":"x"}\n{"a":1,"b":"y"}\nnot json\n')
    assert records.header == ["b", "a"]
    assert records.frame.rows() == [("x", None, 1), ("y", "1", 2)]
    assert [(r.line, r.code) for r in records.rejected] == [(3, "bad_json")]


def test_an_empty_optional_value_under_a_rule_passes_and_no_row_is_lost() -> None:
    """reply_percentage is optional and must not be negative: an empty one is not a failure
    (its rule is null there), and a negative one is quarantined, never dropped."""
    schema = schema_for("wecom", "guide_service_daily")
    row = {c.name: "1" for c in schema.columns} | {"stat_date": "2025-10-01"}
    frame = pl.DataFrame(
        [
            row | {"reply_percentage": None, "avg_reply_time": None},
            row | {"reply_percentage": "-1.00"},
            row,
        ],
        schema=dict.fromkeys(row, pl.String),
    ).with_columns(pl.Series(LINE, [2, 3, 4], dtype=pl.Int64))
    good, bad = check_rows(frame, schema, {"master__guides.guide_id": {"1"}})
    assert good[LINE].to_list() == [2, 4]
    assert bad.select("line_number", "reason_code", "column_name").rows() == [
        (3, "negative_reply_percentage", "reply_percentage")
    ]
