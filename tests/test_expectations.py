"""Great Expectations on every raw table, generated from the declared schemas: what passes on
a clean load, what a bad row makes fail, and which failures only warn."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from siyu.ingest.loader import load_entity
from siyu.ingest.raw_tables import ensure_raw_tables
from siyu.ingest.schemas import SCHEMAS
from siyu.quality.validate import validate_raw_tables
from tests.conftest import query


@pytest.fixture(scope="module")
def loaded(make_database, tiny_world: Path) -> str:
    url = make_database("siyu_expectations")
    with psycopg.connect(url) as conn:
        ensure_raw_tables(conn)
        for schema in SCHEMAS:  # master data first: ids are checked against it
            load_entity(conn, tiny_world, schema.source, schema.entity)
    return url


def _failed(outcome) -> set[tuple[str, str | None]]:
    return {(o.expectation, o.column) for o in outcome.failed}


def test_every_raw_table_passes_its_suites_after_a_clean_load(loaded: str) -> None:
    results = validate_raw_tables(loaded, [s.table for s in SCHEMAS])
    assert set(results) == {s.table for s in SCHEMAS}
    assert {
        t: _failed(b) | _failed(w) for t, (b, w) in results.items() if not (b.success and w.success)
    } == {}
    # The suites are real: columns, row counts, required values on every table.
    blocking, _ = results["mall__order_lines"]
    kinds = {o.expectation for o in blocking.outcomes}
    assert {
        "expect_table_columns_to_match_set",
        "expect_table_row_count_to_equal",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_between",
    } <= kinds


def test_a_bad_row_fails_the_blocking_suite_a_bad_phone_only_warns(
    make_database, tiny_world: Path, tmp_path: Path
) -> None:
    url = make_database("siyu_expectations_bad")
    with psycopg.connect(url) as conn:
        ensure_raw_tables(conn)
        for schema in SCHEMAS:
            load_entity(conn, tiny_world, schema.source, schema.entity)
        conn.execute(
            "update raw.mall__order_lines set paid_amount = -1 where ctid = "
            "(select ctid from raw.mall__order_lines limit 1)"
        )
        conn.execute(
            "update raw.mall__members set phone = '13800' where member_id = "
            "(select min(member_id) from raw.mall__members)"
        )
        conn.execute(
            "delete from raw.pos__receipts where ctid = "
            "(select ctid from raw.pos__receipts limit 1)"
        )
        conn.commit()
    docs = tmp_path / "data_docs"
    results = validate_raw_tables(
        url, ["mall__order_lines", "mall__members", "pos__receipts"], data_docs_dir=docs
    )
    lines, _ = results["mall__order_lines"]
    assert _failed(lines) == {("expect_column_values_to_be_between", "paid_amount")}
    members_blocking, members_warnings = results["mall__members"]
    assert members_blocking.success
    assert _failed(members_warnings) == {("expect_column_values_to_match_regex", "phone")}
    receipts, _ = results["pos__receipts"]
    assert _failed(receipts) == {("expect_table_row_count_to_equal", None)}  # a row went missing
    assert query(url, "select count(*) from raw.pos__receipts")[0][0] > 0
    # The Data Docs site shows the failed results: the page of the order lines' blocking
    # suite names the failed expectation.
    assert (docs / "index.html").is_file()
    (page,) = [
        p
        for p in docs.rglob("*.html")
        if "raw_mall__order_lines_blocking" in str(p) and "validations" in p.parts
    ]
    assert "paid_amount" in page.read_text() and "Failed" in page.read_text()


def test_every_raw_table_has_a_blocking_and_a_warning_check(definitions) -> None:
    checks = {
        (key.asset_key.to_user_string(), key.name)
        for key in definitions.resolve_asset_graph().asset_check_keys
    }
    for schema in SCHEMAS:
        name = f"great_expectations_raw_{schema.table}"
        assert (f"raw/{schema.table}", name) in checks
        assert (f"raw/{schema.table}", f"{name}_warnings") in checks
