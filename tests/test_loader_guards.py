"""Hostile input to the one loader: every bad value ends quarantined (file, line, column,
reason, original text) or its file rejected with a message naming it; nothing crashes the
load, nothing is altered on the way, and the other rows and files still land."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from siyu.ingest.loader import load_or_reject
from siyu.ingest.raw_tables import ensure_raw_tables
from siyu.ingest.schemas import schema_for
from siyu.orchestration.resources import LandingFolderClient
from tests.conftest import query

LINES_HEADER = "order_line_id,order_id,sku_id,quantity,unit_price,paid_amount,created_at"
STORES_HEADER = "store_id,brand_id,store_name,city,region"
GROUP_EVENT = {
    "event_id": "GE1",
    "group_id": "GR1",
    "external_user_id": "wm_1",
    "union_id": None,
    "event_type": "join",
    "occurred_at": "2025-10-01 10:00:00",
}


@pytest.fixture()
def db(make_database) -> str:
    url = make_database("siyu_guards")
    with psycopg.connect(url) as conn:
        ensure_raw_tables(conn)
    return url


def _load(db: str, path: Path, source: str, entity: str):
    with psycopg.connect(db) as conn:
        return load_or_reject(conn, path, source, entity)


def _quarantine(db: str) -> list[tuple]:
    return query(
        db,
        "select line_number, reason_code, column_name, reason, record, source_file "
        "from raw._quarantine order by line_number",
    )


def _told(quarantined: list[tuple]) -> str:
    """What the quarantine says of the first bad row: file, line, column and reason."""
    if not quarantined:
        return ""
    return f"{Path(quarantined[0][5]).name}, {quarantined[0][3]}"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _line(n: int, quantity="1", unit_price="100.00", paid="90.00", at="2025-10-01 10:00:00"):
    return f"L{n},O{n},SKU1,{quantity},{unit_price},{paid},{at}"


@pytest.mark.faults
@pytest.mark.parametrize(
    ("scenario", "bad_line", "code", "column"),
    [
        ("a date 0000-01-01", _line(2, at="0000-01-01 00:00:00"), "out_of_range", "created_at"),
        (
            "an amount of 9999999999999999.99",
            _line(2, paid="9999999999999999.99"),
            "out_of_range",
            "paid_amount",
        ),
        ("an amount of 12.345", _line(2, paid="12.345"), "too_many_decimals", "paid_amount"),
        ("quantity −5", _line(2, quantity="-5"), "non_positive_quantity", "quantity"),
        ("quantity 0", _line(2, quantity="0"), "non_positive_quantity", "quantity"),
        ("unit price −1.00", _line(2, unit_price="-1.00"), "negative_amount", "unit_price"),
        ("paid amount −3.00", _line(2, paid="-3.00"), "negative_amount", "paid_amount"),
        (
            "a NUL byte in a text field",
            "L2,O2,SKU\x001,1,100.00,90.00,2025-10-01 10:00:00",
            "nul_byte",
            "sku_id",
        ),
        (
            'one stray " in a row',
            'L2,O2,SKU"1,1,100.00,90.00,2025-10-01 10:00:00',
            "malformed_quote",
            None,
        ),
        (
            "a row with a field missing",
            "L2,O2,SKU1,1,100.00,90.00",
            "wrong_field_count",
            "created_at",
        ),
    ],
)
def test_a_bad_value_costs_its_row_only_and_says_where(
    db: str,
    tmp_path: Path,
    fault_table,
    scenario: str,
    bad_line: str,
    code: str,
    column: str | None,
) -> None:
    sent = [_line(1), bad_line, _line(3)]
    text = "\n".join([LINES_HEADER, *sent]) + "\n"
    path = _write(tmp_path, "2025-10-01.csv", text)
    result = _load(db, path, "mall", "order_lines")
    loaded = query(db, "select order_line_id, paid_amount from raw.mall__order_lines order by 1")
    quarantined = _quarantine(db)
    fault_table(
        f"loader: {scenario}",
        expected=len(sent),
        found=len(loaded) + len(quarantined),
        doubled=len(loaded) - len({key for key, _ in loaded}),
        altered=len(set(loaded) ^ {("L1", Decimal("90.00")), ("L3", Decimal("90.00"))}),
        told=_told(quarantined),
    )
    assert (result.status, result.rows, result.quarantined) == ("loaded", 2, 1)
    ((line, got_code, got_column, reason, record, source),) = quarantined
    assert (line, got_code, got_column) == (3, code, column)  # file line 3: the header is 1
    assert reason.startswith("line 3: ") and source == str(path)
    if column:
        assert f"'{column}'" in reason
    assert loaded == [("L1", Decimal("90.00")), ("L3", Decimal("90.00"))]
    if code in ("malformed_quote", "wrong_field_count"):
        assert record == bad_line  # the original text, as it was sent


@pytest.mark.faults
def test_a_zero_amount_is_a_purchase_and_loads(db: str, tmp_path: Path, fault_table) -> None:
    text = "\n".join([LINES_HEADER, _line(1, paid="0.00"), _line(2, paid="0")]) + "\n"
    result = _load(db, _write(tmp_path, "d.csv", text), "mall", "order_lines")
    fault_table(
        "loader: a zero amount (a gift, a line paid by coupon)",
        expected=2,
        found=result.rows + result.quarantined,
        told=f"{result.status}: {result.rows} rows, {result.quarantined} quarantined",
    )
    assert (result.rows, result.quarantined) == (2, 0)
    assert query(db, "select sum(paid_amount) from raw.mall__order_lines")[0][0] == 0


@pytest.mark.faults
def test_an_unquoted_comma_never_shifts_fields(db: str, tmp_path: Path, fault_table) -> None:
    text = (
        f"{STORES_HEADER}\n"
        "1,2,XJ Shanghai, Pudong #2,Shanghai,East\n"
        '2,2,"XJ Hangzhou, West Lake",Hangzhou,East\n'
        "3,1,BSD Beijing #3,Beijing,North\n"
    )
    result = _load(db, _write(tmp_path, "stores.csv", text), "master", "stores")
    stores = query(db, "select store_id, store_name, city, region from raw.master__stores")
    sent_whole = [
        (2, "XJ Hangzhou, West Lake", "Hangzhou", "East"),
        (3, "BSD Beijing #3", "Beijing", "North"),
    ]
    quarantined = _quarantine(db)
    fault_table(
        "loader: one unquoted comma, not on the last line",
        expected=3,
        found=len(stores) + len(quarantined),
        altered=len(set(stores) - set(sent_whole)),
        told=_told(quarantined),
    )
    assert (result.rows, result.quarantined) == (2, 1)
    assert stores == sent_whole
    ((line, code, _, reason, record, _),) = quarantined
    assert (line, code, record) == (
        2,
        "wrong_field_count",
        "1,2,XJ Shanghai, Pudong #2,Shanghai,East",
    )
    assert "6 fields where the header has 5" in reason


@pytest.mark.faults
def test_a_quoted_line_break_in_the_last_row_is_a_value(
    db: str, tmp_path: Path, fault_table
) -> None:
    text = f'{STORES_HEADER}\n1,2,plain,Shanghai,East\n2,2,"two\nlines",Hangzhou,East\n'
    result = _load(db, _write(tmp_path, "stores.csv", text), "master", "stores")
    names = query(db, "select store_name from raw.master__stores order by store_id")
    fault_table(
        "loader: a valid last row with a quoted line break",
        expected=2,
        found=len(names) + len(_quarantine(db)),
        altered=len(set(names) ^ {("plain",), ("two\nlines",)}),
        told=f"{result.status}: {result.rows} rows, {result.quarantined} quarantined",
    )
    assert (result.rows, result.quarantined) == (2, 0)
    assert names[1] == ("two\nlines",)


@pytest.mark.faults
def test_a_cut_off_last_line_is_quarantined_as_truncated(
    db: str, tmp_path: Path, fault_table
) -> None:
    text = "\n".join([LINES_HEADER, _line(1), _line(2)[:20]])  # no final line break
    result = _load(db, _write(tmp_path, "d.csv", text), "mall", "order_lines")
    quarantined = _quarantine(db)
    fault_table(
        "loader: a cut-off last line",
        expected=2,
        found=result.rows + len(quarantined),
        told=_told(quarantined),
    )
    assert (result.rows, result.quarantined) == (1, 1)
    assert [(r[0], r[1]) for r in quarantined] == [(3, "truncated_line")]
    assert quarantined[0][4] == _line(2)[:20]  # the original text


def _jsonl(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "2025-10-01.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.faults
def test_json_lines_keep_nested_json_original_text_and_file_lines(
    db: str, tmp_path: Path, fault_table
) -> None:
    nested = GROUP_EVENT | {"event_id": "GE2", "group_id": {"nested": 1}}
    separator = GROUP_EVENT | {"event_id": "GE3", "external_user_id": "wm\u2028 3"}
    lines = [
        json.dumps(GROUP_EVENT),
        "",  # a blank line still counts as a file line
        json.dumps(nested),
        '{"event_id": "GE4", "group_id": "GR1", "external_user_',  # cut off
        json.dumps(separator, ensure_ascii=False),
    ]
    result = _load(db, _jsonl(tmp_path, lines), "wecom", "community_member_events")
    rows = dict(query(db, "select event_id, group_id from raw.wecom__community_member_events"))
    quarantined = _quarantine(db)
    fault_table(
        "loader: JSON Lines with nested JSON, a bad line, U+2028 and a blank line",
        expected=4,  # four records; the blank line is none
        found=len(rows) + len(quarantined),
        altered=int(rows.get("GE2") != '{"nested":1}')
        + sum(1 for q in quarantined if q[4] not in lines),
        told=_told(quarantined),
    )
    assert (result.rows, result.quarantined) == (3, 1)
    assert rows["GE2"] == '{"nested":1}'  # JSON, not Python's {'nested': 1}
    users = dict(
        query(db, "select event_id, external_user_id from raw.wecom__community_member_events")
    )
    assert users["GE3"] == "wm\u2028 3"  # one record: U+2028 is not a line break
    ((line, code, _, _, record, _),) = quarantined
    assert (line, code, record) == (4, "bad_json", lines[3])  # a file line, the original text


@pytest.mark.faults
def test_an_empty_file_is_rejected_by_name_and_the_next_file_still_loads(
    db: str, tmp_path: Path, fault_table
) -> None:
    folder = tmp_path / "landing" / "mall" / "order_lines"
    folder.mkdir(parents=True)
    (folder / "2025-10-01.csv").write_bytes(b"")
    (folder / "2025-10-02.csv").write_text(LINES_HEADER + "\n" + _line(1) + "\n")
    client = LandingFolderClient(root=str(tmp_path / "landing"))
    with psycopg.connect(db) as conn:
        results = list(client.extract(conn, schema_for("mall", "order_lines")))
    loaded = query(db, "select count(*) from raw.mall__order_lines")[0][0]
    fault_table(
        "loader: an empty (0-byte) file, then a good one",
        expected=1,
        found=loaded,
        told=results[0].reason or "",
    )
    assert [r.status for r in results] == ["rejected", "loaded"]
    assert "2025-10-01.csv" in results[0].reason and "empty" in results[0].reason
    assert loaded == 1
    assert query(db, "select source_file from raw._rejected_files") == [
        (str(folder / "2025-10-01.csv"),)
    ]
