"""The one loader: idempotent by content hash, bad rows quarantined, clear rejections."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from siyu.ingest.loader import SchemaError, entity_files, load_entity, load_file
from siyu.ingest.raw_tables import ensure_raw_tables
from siyu.ingest.schemas import SCHEMAS
from tests.conftest import query


@pytest.fixture()
def loader_db(make_database) -> str:
    url = make_database("siyu_loader")
    with psycopg.connect(url) as conn:
        ensure_raw_tables(conn)
    return url


def _counts(url: str) -> dict[str, int]:
    return {s.table: query(url, f"select count(*) from {s.qualified_table}")[0][0] for s in SCHEMAS}


def test_loading_the_same_files_twice_gives_the_same_row_counts(
    loader_db: str, tiny_world: Path
) -> None:
    with psycopg.connect(loader_db) as conn:
        first = [r for s in SCHEMAS for r in load_entity(conn, tiny_world, s.source, s.entity)]
        counts = _counts(loader_db)
        second = [r for s in SCHEMAS for r in load_entity(conn, tiny_world, s.source, s.entity)]
    assert {r.status for r in first} == {"loaded"}
    assert {r.status for r in second} == {"skipped"}
    assert _counts(loader_db) == counts
    # Every row of every file landed: raw counts equal the generated rows.
    generated = {
        s.table: sum(
            sum(1 for _ in p.open(encoding="utf-8")) - (p.suffix == ".csv")  # CSV header
            for p in entity_files(tiny_world, s.source, s.entity)
        )
        for s in SCHEMAS
    }
    assert counts == generated


def test_rows_carry_their_lineage(loader_db: str, tiny_world: Path) -> None:
    with psycopg.connect(loader_db) as conn:
        load_entity(conn, tiny_world, "master", "brands")  # orders' brand ids are checked
        load_entity(conn, tiny_world, "master", "guides")
        load_entity(conn, tiny_world, "mall", "orders")
    rows = query(
        loader_db,
        "select _batch_id, _source_file, _loaded_at from raw.mall__orders "
        "where _batch_id is null or _source_file is null or _loaded_at is null",
    )
    assert rows == []
    files = query(loader_db, "select count(distinct _source_file) from raw.mall__orders")[0][0]
    assert files == len(list((tiny_world / "mall/orders").glob("*.csv")))
    # A row names its file under the landing folder; its batch gives the full path once.
    named = query(
        loader_db,
        "select distinct r._source_file, l.source_file from raw.mall__orders as r "
        "left join raw._load_log as l "
        "on l.table_name = 'mall__orders' and l.batch_id = r._batch_id",
    )
    assert len(named) == files
    for row_file, full_path in named:
        assert row_file.startswith("mall/orders/") and full_path == str(tiny_world / row_file)


def _copy_first(tiny_world: Path, tmp_path: Path, entity: str) -> Path:
    source = sorted((tiny_world / "mall" / entity).glob("*.csv"))[0]
    target = tmp_path / source.name
    shutil.copy(source, target)
    return target


def test_a_file_missing_a_required_column_is_rejected_whole(
    loader_db: str, tiny_world: Path, tmp_path: Path
) -> None:
    path = _copy_first(tiny_world, tmp_path, "orders")
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    drop = header.index("status")
    path.write_text(
        "\n".join(",".join(v for i, v in enumerate(line.split(",")) if i != drop) for line in lines)
        + "\n"
    )
    with psycopg.connect(loader_db) as conn:
        with pytest.raises(SchemaError) as err:
            load_file(conn, path, "mall", "orders")
    assert str(path) in str(err.value) and "'status' is missing" in str(err.value)
    assert query(loader_db, "select count(*) from raw.mall__orders")[0][0] == 0
    assert query(loader_db, "select count(*) from raw._load_log")[0][0] == 0


def test_a_bad_value_is_quarantined_naming_column_and_line(
    loader_db: str, tiny_world: Path, tmp_path: Path
) -> None:
    path = _copy_first(tiny_world, tmp_path, "order_lines")
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("paid_amount")] = "12.5O"
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with psycopg.connect(loader_db) as conn:
        result = load_file(conn, path, "mall", "order_lines")
    assert (result.status, result.rows, result.quarantined) == ("loaded", len(lines) - 2, 1)
    ((code, reason, line, record),) = query(
        loader_db, "select reason_code, reason, line_number, record from raw._quarantine"
    )
    # The line is the file's (the header is line 1), not the record's index.
    assert code == "bad_value" and line == 2
    assert "'paid_amount'" in reason and "'12.5O'" in reason and "line 2" in reason
    assert '"12.5O"' in record
    assert query(loader_db, "select count(*) from raw.mall__order_lines")[0][0] == len(lines) - 2


def test_an_undeclared_column_is_set_aside_and_noted(
    loader_db: str, tiny_world: Path, tmp_path: Path
) -> None:
    path = _copy_first(tiny_world, tmp_path, "refunds")
    lines = path.read_text().splitlines()
    path.write_text(
        "\n".join([lines[0] + ",channel"] + [line + ",app" for line in lines[1:]]) + "\n"
    )
    with psycopg.connect(loader_db) as conn:
        result = load_file(conn, path, "mall", "refunds")
    assert result.rows == len(lines) - 1
    assert query(loader_db, "select extra_columns from raw._load_log")[0][0] == "channel"


def test_a_renamed_copy_in_the_same_batch_is_skipped_not_loaded_twice(
    loader_db: str, tiny_world: Path, tmp_path: Path
) -> None:
    """Many files of a table go through one COPY; a renamed copy of a file of the same batch
    (not yet committed when the copy is read) is still skipped, with the first's row count."""
    from siyu.ingest.batch_loader import load_files
    from siyu.ingest.schemas import schema_for

    schema = schema_for("master", "stores")
    with psycopg.connect(loader_db) as conn:
        load_file(conn, entity_files(tiny_world, "master", "brands")[0], "master", "brands")
    original = entity_files(tiny_world, "master", "stores")[0]
    copy = tmp_path / "stores-again.csv"
    shutil.copy(original, copy)
    broken = tmp_path / "stores-empty.csv"
    broken.write_text("")
    with psycopg.connect(loader_db) as conn:
        results = list(load_files(conn, [original, broken, copy], schema))
    assert [r.status for r in results] == ["loaded", "rejected", "skipped"]
    assert results[2].rows == results[0].rows > 0
    stored = query(loader_db, "select count(*), count(distinct store_id) from raw.master__stores")
    assert stored[0] == (results[0].rows, results[0].rows)
    assert query(
        loader_db, "select count(*) from raw._load_log where table_name = 'master__stores'"
    ) == [(1,)]
