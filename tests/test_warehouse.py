"""The warehouse as a user meets it: one run at a time, a database made once however many
callers race, and a plain message when the server does not answer."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg
import pytest

from siyu.core.warehouse import (
    RunInProgress,
    WarehouseUnreachable,
    ensure_database,
    free_port,
    run_lock,
)


def test_a_second_siyu_run_refuses_with_a_clear_message(
    make_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
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
        assert main(["run"]) == 3
    out = capsys.readouterr().out
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


def test_a_server_that_does_not_answer_is_named_and_its_password_hidden() -> None:
    url = f"postgresql://siyu:s3cret@127.0.0.1:{free_port()}/siyu"
    with pytest.raises(WarehouseUnreachable) as raised:
        ensure_database(url, attempts=2)
    message = str(raised.value)
    assert message.startswith("the warehouse at postgresql://siyu:***@127.0.0.1:")
    assert "is not reachable" in message and "s3cret" not in message
