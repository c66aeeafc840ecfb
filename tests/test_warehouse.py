"""The warehouse as a user meets it: one run at a time, a database made once however many
callers race, a plain message when the server does not answer or goes down mid-run, and a
re-run after that ends equal to a clean run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from siyu.core.warehouse import (
    EmbeddedPostgres,
    RunInProgress,
    WarehouseUnreachable,
    ensure_database,
    free_port,
    run_lock,
)
from siyu.ingest.schemas import SCHEMAS
from tests.conftest import REPO_ROOT, query, siyu_run


@pytest.mark.faults
def test_a_second_siyu_run_refuses_with_a_clear_message(
    make_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, fault_table
) -> None:
    from siyu.cli import main

    url = make_database("siyu_run_lock")
    landing = tmp_path / "landing" / "pos" / "receipts"
    landing.mkdir(parents=True)
    (landing / "2025-10-01.csv").write_text("receipt_id\n")
    for key, value in {
        "WAREHOUSE_URL": url,
        "SIYU_LANDING_DIR": str(tmp_path / "landing"),
        "SIYU_DATA_DIR": str(tmp_path / "data"),
        "SIYU_PII_KEY": "test",
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }.items():
        monkeypatch.setenv(key, value)
    with run_lock(url):  # a run in progress
        code = main(["run"])
    out = capsys.readouterr().out
    tables = query(url, "select count(*) from pg_tables where schemaname = 'raw'")[0][0]
    fault_table(
        "two `siyu run` at once",
        expected=None,
        found=None,
        altered=tables,  # the refused run touched nothing: not even a raw table
        told=next((line for line in out.splitlines() if "in progress" in line), out[-200:]),
    )
    assert code == 3
    assert "another `siyu run` is in progress on the warehouse at" in out
    assert "--wait" in out


def test_a_run_waits_for_the_one_in_progress_when_asked(make_database) -> None:
    url = make_database("siyu_run_wait")
    released = threading.Event()

    def first_run() -> None:
        with run_lock(url):
            time.sleep(1.5)
        released.set()

    worker = threading.Thread(target=first_run)
    worker.start()
    time.sleep(0.3)
    with pytest.raises(RunInProgress):
        with run_lock(url, wait_seconds=0):
            pass
    started = time.monotonic()
    with run_lock(url, wait_seconds=30):
        assert released.is_set() or time.monotonic() - started >= 1.0
    worker.join()


def test_two_callers_creating_the_database_at_once_both_succeed(postgres_server_url) -> None:
    url = f"{postgres_server_url}/siyu_race"
    admin = f"{postgres_server_url}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('drop database if exists "siyu_race" with (force)')
    errors: list[BaseException] = []

    def create() -> None:
        try:
            ensure_database(url)
        except BaseException as err:  # noqa: BLE001 - collected for the assertion
            errors.append(err)

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with psycopg.connect(url) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


@pytest.mark.faults
def test_a_server_that_does_not_answer_is_named_and_its_password_hidden(fault_table) -> None:
    url = f"postgresql://siyu:s3cret@127.0.0.1:{free_port()}/siyu"
    with pytest.raises(WarehouseUnreachable) as raised:
        ensure_database(url, attempts=2)
    message = str(raised.value)
    fault_table("the warehouse is down", expected=None, found=None, told=message)
    assert message.startswith("the warehouse at postgresql://siyu:***@127.0.0.1:")
    assert "is not reachable" in message and "s3cret" not in message


@pytest.mark.fullstack
@pytest.mark.faults
@pytest.mark.skipif("SIYU_TEST_WAREHOUSE_URL" in os.environ, reason="kills its own server")
def test_postgresql_killed_mid_run_is_named_and_a_rerun_equals_a_clean_run(
    materialised, pipeline_env: dict, tiny_world: Path, tmp_path: Path, fault_table
) -> None:
    from tests.test_pipeline import mart_checksums

    server = EmbeddedPostgres(tmp_path / "pg", free_port())
    server.start()
    url = server.url("siyu_killed")
    env = {
        **os.environ,
        "WAREHOUSE_URL": url,
        "SIYU_DATA_DIR": str(tmp_path / "data"),
        "SIYU_LANDING_DIR": str(tiny_world),
        "SIYU_PII_KEY": pipeline_env["SIYU_PII_KEY"],
        "SIYU_AS_OF_DATE": pipeline_env["SIYU_AS_OF_DATE"],
    }
    run = subprocess.Popen(
        [str(Path(sys.executable).parent / "siyu"), "run"],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        loaded, deadline = 0, time.monotonic() + 300
        while loaded < 20 and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.2)
            try:
                loaded = query(url, "select count(*) from raw._load_log")[0][0]
            except psycopg.Error:
                loaded = 0  # the database or the load log is not there yet
        assert run.poll() is None, "the run ended before the server could be killed"
        postmaster = int((tmp_path / "pg" / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGKILL)  # mid-load
        output = run.communicate(timeout=900)[0]
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode != 0
    told = next((line for line in output.splitlines() if "went down" in line), "")
    time.sleep(5)  # the killed server's backends notice and exit
    server.start()
    try:
        siyu_run(env)
        clean = pipeline_env["WAREHOUSE_URL"]
        raw_rows = " + ".join(f"(select count(*) from {t.qualified_table})" for t in SCHEMAS)
        expected = query(clean, f"select {raw_rows}")[0][0]
        found = query(url, f"select {raw_rows}")[0][0]
        after, before = mart_checksums(url), mart_checksums(clean)
        fault_table(
            f"PostgreSQL killed mid-load ({loaded} files in), restarted, run again",
            expected=expected,
            found=found,
            doubled=max(0, found - expected),
            altered=sum(1 for name, digest in after.items() if before.get(name) != digest),
            told=told,
        )
        assert after == before
    finally:
        server.stop()
