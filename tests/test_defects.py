"""Every defect the generator injects is accounted for after a load: deduplicated, decoded,
quarantined with its reason, or rejected whole — none silently dropped, none loaded twice."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from siyu.demo_world.defects import DefectRates
from siyu.demo_world.generate import generate
from siyu.ingest.loader import entity_files, load_or_reject, row_source_file
from siyu.ingest.raw_tables import ensure_raw_tables
from siyu.ingest.schemas import SCHEMAS
from tests.conftest import query

RATES = DefectRates(
    duplicate_files=0.3,
    malformed_phones=0.02,
    non_positive_amounts=0.02,
    unknown_guide_ids=0.02,
    gbk_files=0.2,
    truncated_files=0.2,
)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory, make_database) -> dict:
    world = tmp_path_factory.mktemp("damaged-world")
    manifest = generate("tiny", 7, world, defects=RATES)
    url = make_database("siyu_defects")
    results = []
    with psycopg.connect(url) as conn:
        ensure_raw_tables(conn)
        for schema in SCHEMAS:  # master data first: ids are checked against it
            for path in entity_files(world, schema.source, schema.entity):
                results.append(load_or_reject(conn, path, schema.source, schema.entity))
    return {
        "world": world,
        "url": url,
        "results": results,
        "injected": manifest["defects"]["injected"],
    }


def _quarantined(url: str, code: str) -> int:
    return query(url, "select count(*) from raw._quarantine where reason_code = %s", (code,))[0][0]


def test_the_manifest_says_what_was_injected(damaged: dict) -> None:
    written = json.loads((damaged["world"] / "manifest.json").read_text())
    assert written["defects"]["injected"] == damaged["injected"]
    assert set(damaged["injected"]) == {
        "duplicate_rows",
        "malformed_phones",
        "zero_amounts",
        "negative_amounts",
        "unknown_guide_ids",
        "gbk_bom_files",
        "extra_column_files",
        "missing_column_files",
        "truncated_lines",
        "unlisted_rule_values",
    }


def test_bad_rows_are_quarantined_with_their_reason(damaged: dict) -> None:
    url, injected = damaged["url"], damaged["injected"]
    assert _quarantined(url, "negative_amount") == injected["negative_amounts"]["count"]
    assert _quarantined(url, "unknown_reference") == injected["unknown_guide_ids"]["count"]
    assert _quarantined(url, "truncated_line") == injected["truncated_lines"]["count"]
    assert _quarantined(url, "unknown_value") == injected["unlisted_rule_values"]["count"] == 1
    # Nothing else was quarantined, and each row says where it came from and why.
    total = query(url, "select count(*) from raw._quarantine")[0][0]
    quarantined_kinds = (
        "negative_amounts",
        "unknown_guide_ids",
        "truncated_lines",
        "unlisted_rule_values",
    )
    assert total == sum(injected[k]["count"] for k in quarantined_kinds)
    # A zero amount (a line paid by a coupon, a gift) is a purchase: loaded at 0.00.
    (zero,) = query(
        url,
        "select (select count(*) from raw.mall__order_lines where paid_amount = 0) "
        "+ (select count(*) from raw.pos__receipt_lines where paid_amount = 0)",
    )[0]
    assert zero == injected["zero_amounts"]["count"] > 0
    reason, source_file, line = query(
        url,
        "select reason, source_file, line_number from raw._quarantine "
        "where reason_code = 'unknown_reference' limit 1",
    )[0]
    assert "guide_id" in reason and "999999" in reason and f"line {line}" in reason
    assert Path(source_file).name.endswith(".jsonl")  # WeCom's JSON Lines export
    # HQ's hand-typed rate-book row names the column, the value and the values allowed.
    ((reason, source_file),) = query(
        url,
        "select reason, source_file from raw._quarantine where reason_code = 'unknown_value'",
    )
    assert "'channel' is 线上" in reason and "online, offline" in reason
    assert "rules/commission_rates/" in source_file
    # A quarantined row is not in raw.
    (unknown,) = query(
        url, "select count(*) from raw.wecom__contact_events where guide_id = 999999"
    )[0]
    assert unknown == 0


def test_a_file_missing_a_required_column_is_rejected_and_recorded(damaged: dict) -> None:
    url, injected = damaged["url"], damaged["injected"]
    rejected = query(url, "select source_file, reason from raw._rejected_files")
    assert [Path(f).relative_to(damaged["world"]).as_posix() for f, _ in rejected] == injected[
        "missing_column_files"
    ]["files"]
    assert "'boost_points' is missing" in rejected[0][1]
    assert [r.status for r in damaged["results"] if r.status == "rejected"] == ["rejected"]


def test_gbk_files_with_a_bom_and_a_drifted_column_load_every_row(damaged: dict) -> None:
    url, injected, world = damaged["url"], damaged["injected"], damaged["world"]
    for relative in injected["gbk_bom_files"]["files"]:
        path = world / relative
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        lines = len(path.read_bytes().splitlines()) - 1
        loaded = query(
            url,
            "select count(*) from raw.pos__receipts where _source_file = %s",
            (row_source_file(path),),
        )[0][0]
        assert loaded == lines
    (drift,) = injected["extra_column_files"]["files"]
    encoding, extra = query(
        url,
        "select encoding, extra_columns from raw._load_log where source_file = %s",
        (str(world / drift),),
    )[0]
    assert (encoding, extra) == ("gb18030+bom", "remark")


def test_re_delivered_rows_are_loaded_as_sent_and_counted(damaged: dict) -> None:
    url, injected = damaged["url"], damaged["injected"]
    duplicates = sum(
        query(url, f"select count(*) - count(distinct {key}) from raw.{table}")[0][0]
        for table, key in (
            ("mall__orders", "order_id"),
            ("wecom__contact_events", "event_id"),
            ("wecom__contact_transfers", "transfer_id"),
        )
    )
    assert duplicates == injected["duplicate_rows"]["count"]


def test_malformed_phones_land_in_raw_as_sent(damaged: dict) -> None:
    url, injected = damaged["url"], damaged["injected"]
    (malformed,) = query(
        url, "select count(*) from raw.mall__members where phone !~ '^1[0-9]{10}$'"
    )[0]
    assert malformed == injected["malformed_phones"]["count"]


def test_loading_the_damaged_world_again_loads_nothing_twice(damaged: dict) -> None:
    url, world = damaged["url"], damaged["world"]
    before = {
        s.table: query(url, f"select count(*) from {s.qualified_table}")[0][0] for s in SCHEMAS
    }
    quarantined = query(url, "select count(*) from raw._quarantine")[0][0]
    with psycopg.connect(url) as conn:
        again = [
            load_or_reject(conn, path, s.source, s.entity)
            for s in SCHEMAS
            for path in entity_files(world, s.source, s.entity)
        ]
    assert {r.status for r in again} == {"skipped", "rejected"}
    after = {
        s.table: query(url, f"select count(*) from {s.qualified_table}")[0][0] for s in SCHEMAS
    }
    assert after == before
    assert query(url, "select count(*) from raw._quarantine")[0][0] == quarantined


def test_files_in_batches_load_exactly_what_files_one_by_one_load(
    damaged: dict, make_database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The landing-folder loader takes many files of a table through one COPY; on the damaged
    world (renamed copies, GBK files, truncated lines, bad values, unknown ids) it must keep
    the same rows, quarantine the same lines and skip the same copies as load_or_reject."""
    from siyu.ingest import batch_loader

    monkeypatch.setattr(batch_loader, "BATCH_ROWS", 300)  # several batches per table
    url = make_database("siyu_defects_batched")
    with psycopg.connect(url) as conn:
        ensure_raw_tables(conn)
        conn.commit()
        results = [
            result
            for schema in SCHEMAS
            for result in batch_loader.load_files(
                conn, entity_files(damaged["world"], schema.source, schema.entity), schema
            )
        ]

    def outcome(r) -> tuple:
        return (r.table, Path(r.source_file).name, r.status, r.rows, r.quarantined)

    assert sorted(map(outcome, results)) == sorted(map(outcome, damaged["results"]))
    for schema in SCHEMAS:
        columns = ", ".join([*(f'"{c.name}"' for c in schema.columns), "_source_line", "_batch_id"])
        sql = f"select {columns} from {schema.qualified_table} order by {columns}"
        assert query(url, sql) == query(damaged["url"], sql), schema.table
    quarantine = (
        "select table_name, batch_id, line_number, reason_code, reason, record, column_name "
        "from raw._quarantine order by 1, 2, 3, 4"
    )
    assert query(url, quarantine) == query(damaged["url"], quarantine)
    log = (
        "select table_name, content_hash, row_count, quarantined_rows, encoding, extra_columns "
        "from raw._load_log order by 1, 2"
    )
    assert query(url, log) == query(damaged["url"], log)
