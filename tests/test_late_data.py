"""Late data waits, it does not block: a day's files held back while the later days land,
then delivered, end in exactly the marts of a clean run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import query, siyu_run
from tests.test_pipeline import mart_checksums

pytestmark = pytest.mark.fullstack

LATE_DAY = "2025-11-20"  # after October closed: a late day of an open month


@pytest.mark.faults
def test_a_late_day_waits_then_lands_equal_to_a_clean_run(
    materialised,
    pipeline_env: dict,
    tiny_world: Path,
    make_database,
    data_dir: Path,
    tmp_path,
    fault_table,
) -> None:
    landing = tmp_path / "landing"
    late = [p for p in tiny_world.rglob("*") if p.is_file() and p.stem == LATE_DAY]
    assert len(late) > 10  # the day's files of every source
    shutil.copytree(
        tiny_world, landing, ignore=lambda _, names: [n for n in names if LATE_DAY in n]
    )
    url = make_database("siyu_late_day")
    env = {
        **os.environ,
        "WAREHOUSE_URL": url,
        "SIYU_DATA_DIR": str(data_dir / "late"),
        "SIYU_LANDING_DIR": str(landing),
        "SIYU_PII_KEY": pipeline_env["SIYU_PII_KEY"],
        "SIYU_AS_OF_DATE": pipeline_env["SIYU_AS_OF_DATE"],
    }
    # Every later day lands without the held-back one: the run succeeds, and what waits for
    # its parent is a warning that names the files it came in.
    first = siyu_run(env)
    assert "daily_job succeeded" in first and "parent_arrived" in first
    waiting = query(
        url,
        "select string_agg(waiting_in_file, ' ') from ("
        + " union all ".join(
            f"select waiting_in_file from dbt_test__audit.{table}"
            for (table,) in query(
                url,
                "select table_name from information_schema.tables "
                "where table_schema = 'dbt_test__audit' and table_name like 'parent_arrived%'",
            )
        )
        + ") as waits",
    )[0][0]
    assert waiting  # the files whose rows wait, by name
    # The late day arrives: every mart equals a clean run's.
    for path in late:
        target = landing / path.relative_to(tiny_world)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    siyu_run(env)
    clean_url = pipeline_env["WAREHOUSE_URL"]
    late_marts, clean_marts = mart_checksums(url), mart_checksums(clean_url)
    raw_rows = "select coalesce(sum(row_count), 0)::int from raw._load_log"  # rows each file loaded
    fault_table(
        f"one day's {len(late)} files arriving late, after later days",
        expected=query(clean_url, raw_rows)[0][0],
        found=query(url, raw_rows)[0][0],
        altered=sum(1 for name, digest in late_marts.items() if clean_marts.get(name) != digest),
        told="warning parent_arrived, rows waiting in: "
        + " ".join(sorted({Path(f).name for f in waiting.split()}))[:200],
    )
    assert late_marts == clean_marts
