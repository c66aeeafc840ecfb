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


def _load_tiny_world(make_database, tiny_world: Path, name: str) -> str:
    """A fresh database with every raw table of the tiny world loaded."""
    url = make_database(name)
    with psycopg.connect(url) as conn:
        ensure_raw_tables(conn)
        for schema in SCHEMAS:  # master data first: ids are checked against it
            load_entity(conn, tiny_world, schema.source, schema.entity)
    return url


@pytest.fixture(scope="module")
def loaded(make_database, tiny_world: Path) -> str:
    return _load_tiny_world(make_database, tiny_world, "siyu_expectations")


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
    url = _load_tiny_world(make_database, tiny_world, "siyu_expectations_bad")
    with psycopg.connect(url) as conn:
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


def test_a_run_validates_the_new_batches_and_counts_the_whole_table(
    make_database, tiny_world: Path
) -> None:
    url = _load_tiny_world(make_database, tiny_world, "siyu_expectations_batches")
    tables = ["mall__order_lines", "mall__orders", "pos__receipts"]
    first = validate_raw_tables(url, tables)
    files = query(url, "select count(*) from raw._load_log where table_name = 'mall__order_lines'")
    assert first["mall__order_lines"][0].success
    assert first["mall__order_lines"][0].batches == files[0][0] > 1
    unvalidated = (
        "select count(*) from raw._load_log where validated_at is null "
        "and table_name in ('mall__order_lines', 'mall__orders', 'pos__receipts')"
    )
    assert query(url, unvalidated) == [(0,)]
    # Nothing new: no rows to validate, but the table is still counted against the load log.
    again = validate_raw_tables(url, tables)
    lines, _ = again["mall__order_lines"]
    assert lines.success and lines.batches == 0 and lines.rows == 0
    assert [o.expectation for o in lines.outcomes] == ["expect_table_row_count_to_equal"]
    # A row gone from an old batch fails the count.
    with psycopg.connect(url) as conn:
        conn.execute(
            "delete from raw.pos__receipts where ctid = "
            "(select ctid from raw.pos__receipts limit 1)"
        )
    receipts, _ = validate_raw_tables(url, ["pos__receipts"])["pos__receipts"]
    assert _failed(receipts) == {("expect_table_row_count_to_equal", None)}
    # New batches with bad values: validated alone, they fail, and stay to be validated
    # again (an unknown guide is found in SQL against the guide master).
    new = {"mall__order_lines": "paid_amount = -1", "mall__orders": "share_guide_id = -5"}
    batches = {}
    with psycopg.connect(url) as conn:
        for table, change in new.items():
            (batches[table],) = conn.execute(
                "select batch_id from raw._load_log where table_name = %s "
                "order by loaded_at desc, batch_id limit 1",
                (table,),
            ).fetchone()
            conn.execute(
                "update raw._load_log set validated_at = null where batch_id = %s",
                (batches[table],),
            )
            conn.execute(
                f"update raw.{table} set {change} where ctid = "
                f"(select ctid from raw.{table} where _batch_id = %s limit 1)",
                (batches[table],),
            )
    for _ in range(2):
        results = validate_raw_tables(url, list(new))
        lines, orders = results["mall__order_lines"][0], results["mall__orders"][0]
        assert lines.batches == orders.batches == 1
        assert _failed(lines) == {("expect_column_values_to_be_between", "paid_amount")}
        assert _failed(orders) == {("unexpected_rows_expectation", "share_guide_id")}
        assert [o.unexpected_count for o in orders.failed] == [1]
    assert query(
        url,
        "select count(*) from raw._load_log where validated_at is null and batch_id in "
        f"('{batches['mall__order_lines']}', '{batches['mall__orders']}')",
    ) == [(2,)]
