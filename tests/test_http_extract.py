"""Extracts over the sources' HTTP APIs: pages, retries, committed cursors, crash and resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from siyu.demo_world.simulator import Faults, SourceSimulator, World
from siyu.ingest.http_client import ApiExtractor
from siyu.ingest.raw_tables import ensure_raw_tables
from siyu.ingest.schemas import schema_for
from tests.conftest import REPO_ROOT, query

FOLLOWS = schema_for("ads", "follow_events")
COLUMNS = ", ".join(f'"{c.name}"' for c in FOLLOWS.columns)


@pytest.fixture(scope="module")
def api(tiny_world: Path):
    # Misbehaving on purpose: 429s, 500s, slow pages, a page repeating the last record.
    faults = Faults(rate_limit_every=5, error_every=7, slow_every=2, slow_seconds=0.03)
    with SourceSimulator(tiny_world, faults, page_size=20) as url:
        yield url


def _rows(url: str) -> list[tuple]:
    return sorted(query(url, f"select {COLUMNS} from {FOLLOWS.qualified_table}"))


def _extract(url: str, api: str, spool: Path) -> list:
    with psycopg.connect(url) as conn:
        ensure_raw_tables(conn)
        return list(ApiExtractor(api, spool, page_size=20).extract(conn, FOLLOWS))


@pytest.fixture(scope="module")
def clean(make_database, api: str, tmp_path_factory) -> str:
    url = make_database("siyu_http_clean")
    _extract(url, api, tmp_path_factory.mktemp("spool-clean"))
    return url


def test_a_clean_extract_gets_every_record_through_faults(clean: str, tiny_world: Path) -> None:
    in_files = sum(
        len(p.read_text().splitlines()) - 1
        for p in (tiny_world / "ads" / "follow_events").glob("*.csv")
    )
    distinct = query(clean, f"select count(distinct event_id) from {FOLLOWS.qualified_table}")
    assert distinct[0][0] == in_files
    # Pages that repeated the previous page's last record do not load it twice.
    total = query(clean, f"select count(*) from {FOLLOWS.qualified_table}")[0][0]
    assert total == in_files
    (pages,) = query(
        clean, "select pages from raw._cursors where table_name = %s", (FOLLOWS.table,)
    )[0]
    assert pages >= in_files // 20


def test_running_again_fetches_nothing_new(clean: str, api: str, tmp_path: Path) -> None:
    before = _rows(clean)
    again = _extract(clean, api, tmp_path)
    assert sum(r.rows for r in again if r.status == "loaded") == 0
    assert _rows(clean) == before
    # Committed pages leave no spool file behind (they hold personal data in clear).
    assert not [p for p in tmp_path.rglob("*.csv")]


@pytest.mark.faults
def test_a_finished_extract_run_again_over_every_entity_loads_nothing_twice(
    make_database, tiny_world: Path, tmp_path: Path, fault_table
) -> None:
    """Every HTTP entity, extracted to the end through an API that repeats the previous
    page's last record, then extracted again: raw holds each record once."""
    from siyu.ingest.loader import entity_files, load_or_reject
    from siyu.ingest.schemas import SCHEMAS

    url = make_database("siyu_http_rerun")
    faults = Faults(rate_limit_every=0, error_every=0, slow_every=0, repeat_record_every_page=2)
    entities = [s for s in SCHEMAS if s.delivered_over_http]
    with SourceSimulator(tiny_world, faults, page_size=50) as api, psycopg.connect(url) as conn:
        ensure_raw_tables(conn)
        for schema in SCHEMAS:  # master data the rows' ids are checked against
            if schema.source == "master":
                for path in entity_files(tiny_world, schema.source, schema.entity):
                    load_or_reject(conn, path, schema.source, schema.entity)
        extractor = ApiExtractor(api, tmp_path, page_size=50)
        for _ in range(2):
            for schema in entities:
                list(extractor.extract(conn, schema))
    counts = {}
    for schema in entities:
        in_files = sum(
            len(p.read_text(encoding="utf-8").splitlines()) - 1
            for p in (tiny_world / schema.source / schema.entity).glob("*.csv")
        )
        counts[schema.table] = (
            in_files,
            query(url, f"select count(*) from {schema.qualified_table}")[0][0],
        )
    fault_table(
        f"an HTTP extract of {len(entities)} entities run again after it finished",
        expected=sum(sent for sent, _ in counts.values()),
        found=sum(loaded for _, loaded in counts.values()),
        doubled=sum(max(0, loaded - sent) for sent, loaded in counts.values()),
        told="second pass: every cursor at its end, pages repeating a record loaded once",
    )
    for table, (in_files, loaded) in counts.items():
        assert loaded == in_files, table


@pytest.mark.faults
def test_killed_mid_extract_then_resumed_loads_exactly_a_clean_runs_rows(
    clean: str, api: str, make_database, tmp_path: Path, fault_table
) -> None:
    url = make_database("siyu_http_crash")
    with psycopg.connect(url) as conn:
        ensure_raw_tables(conn)
    script = (
        "import sys; from pathlib import Path; import psycopg;"
        "from siyu.ingest.http_client import ApiExtractor;"
        "from siyu.ingest.schemas import schema_for;"
        "conn = psycopg.connect(sys.argv[1]);"
        "[None for _ in ApiExtractor(sys.argv[2], Path(sys.argv[3]), page_size=20)"
        ".extract(conn, schema_for('ads', 'follow_events'))]"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", script, url, api, str(tmp_path / "spool")],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    committed = 0
    deadline = time.monotonic() + 60
    while committed < 5 and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.02)
        rows = query(url, "select pages from raw._cursors")
        committed = rows[0][0] if rows else 0
    assert worker.poll() is None, "the extract finished before it could be killed"
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    partial = query(url, f"select count(*) from {FOLLOWS.qualified_table}")[0][0]
    assert 0 < partial < len(_rows(clean))
    _extract(url, api, tmp_path / "spool")  # resume from the committed cursor
    resumed, expected = _rows(url), _rows(clean)
    fault_table(
        "an HTTP extract killed (kill -9) mid-run, then resumed",
        expected=len(expected),
        found=len(set(resumed)),
        doubled=len(resumed) - len(set(resumed)),
        altered=len(set(resumed) - set(expected)),
        told=f"killed after {committed} committed pages; resumed from the committed cursor",
    )
    assert resumed == expected


def test_the_raw_asset_extracts_over_http(api: str, make_database, tmp_path: Path) -> None:
    from dagster import materialize

    from siyu.orchestration.components.raw_source import build_raw_asset
    from siyu.orchestration.resources import (
        HttpApiClient,
        LandingFolderClient,
        SourceClients,
        WarehouseResource,
    )

    url = make_database("siyu_http_asset")
    result = materialize(
        [build_raw_asset(FOLLOWS)],
        resources={
            "sources": SourceClients(
                landing=LandingFolderClient(root=str(tmp_path / "no-files")),
                api=HttpApiClient(base_url=api, spool_dir=str(tmp_path), page_size=200),
            ),
            "raw_warehouse": WarehouseResource(url=url),
        },
    )
    assert result.success
    (metadata,) = [
        e.event_specific_data.materialization.metadata
        for e in result.get_asset_materialization_events()
    ]
    assert (
        metadata["rows_in_table"].value
        == query(url, f"select count(*) from {FOLLOWS.qualified_table}")[0][0]
        > 0
    )


def test_updated_since_answers_only_records_from_that_day_on(tiny_world: Path) -> None:
    world = World(tiny_world)
    days = world.days("ads", "follow_events")
    since = days[len(days) // 2]
    newer = sum(len(world.records("ads", "follow_events", d)) for d in days if d >= since)
    rows, _, has_more = world.page("ads", "follow_events", None, since, limit=100_000)
    assert len(rows) == newer and not has_more
    assert min(row["occurred_at"][:10] for row in rows) == since
