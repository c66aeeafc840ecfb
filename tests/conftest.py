"""Shared fixtures: a real PostgreSQL (the embedded one, or SIYU_TEST_WAREHOUSE_URL), a tiny
generated world, and the whole Dagster job materialised once over it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import polars as pl
import psycopg
import pytest

from siyu.core.warehouse import EmbeddedPostgres, ensure_database, free_port

pytest_plugins = ["tests.fault_table"]

TINY_SEED = 7
REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO_ROOT / "test-artifacts"


@pytest.fixture(scope="session", autouse=True)
def no_column_lineage() -> Iterator[None]:
    """The suite runs the job about 18 times; column lineage cost a tiny-world run 33 s
    (234 s against 201 s), so runs skip it (SIYU_COLUMN_LINEAGE=false) except
    ``materialised``, which keeps the default, and test_pipeline checks it there."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIYU_COLUMN_LINEAGE", "false")
        yield


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("siyu-data")


@pytest.fixture(scope="session")
def postgres_server_url(data_dir: Path) -> Iterator[str]:
    """Base URL of a real PostgreSQL server (no database in the path)."""
    external = os.environ.get("SIYU_TEST_WAREHOUSE_URL")
    if external:
        yield external.rsplit("/", 1)[0]
        return
    port = free_port()
    server = EmbeddedPostgres(data_dir / "pg", port)
    server.start()
    try:
        yield server.url().rsplit("/", 1)[0]
    finally:
        server.stop()


@pytest.fixture(scope="session")
def make_database(postgres_server_url: str):
    """A fresh, empty database on the test server, by name."""

    def _make(name: str) -> str:
        admin = f"{postgres_server_url}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
        url = f"{postgres_server_url}/{name}"
        ensure_database(url)
        return url

    return _make


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from siyu.demo_world.generate import generate

    out = tmp_path_factory.mktemp("tiny-world")
    generate("tiny", TINY_SEED, out)
    return out


@pytest.fixture(scope="session")
def pipeline_env(data_dir: Path, tiny_world: Path, make_database) -> Iterator[dict[str, str]]:
    """The environment `siyu` would run with, pointed at a fresh test database."""
    env = {
        "WAREHOUSE_URL": make_database("siyu_pipeline"),
        "SIYU_DATA_DIR": str(data_dir),
        "SIYU_LANDING_DIR": str(tiny_world),
        "SIYU_PII_KEY": "test-pii-key",
        "DAGSTER_HOME": str(data_dir / "dagster"),
        # Member models as of the tiny world's last day (2025-10-01 + 60 days - 1).
        "SIYU_AS_OF_DATE": "2025-11-29",
    }
    (data_dir / "dagster").mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        yield env


@pytest.fixture(scope="session")
def definitions(pipeline_env: dict[str, str]):
    from siyu.core import environment
    from siyu.core.settings import Settings
    from siyu.orchestration.components.dbt_project import parse_dbt_project
    from siyu.orchestration.definitions import load_definitions

    environment.prepare(Settings.from_env())
    parse_dbt_project()
    return load_definitions()


@pytest.fixture(scope="session")
def materialised(definitions, pipeline_env: dict[str, str]):
    """The daily job run once, for real, over the tiny world, with column lineage (the
    default) on."""
    from dagster import DagsterInstance

    with DagsterInstance.ephemeral() as instance, pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIYU_COLUMN_LINEAGE", "true")
        result = definitions.resolve_job_def("daily_job").execute_in_process(
            instance=instance, raise_on_error=False
        )
    return result


def read_entity(world: Path, source: str, entity: str) -> pl.DataFrame:
    """Every file of one generated entity (CSV, or the JSON Lines of WeCom), as text columns."""
    folder = world / source / entity
    if any(folder.glob("*.jsonl")):
        frames = [pl.read_ndjson(p) for p in sorted(folder.glob("*.jsonl"))]
        return pl.concat(frames, how="diagonal_relaxed").select(pl.all().cast(pl.String))
    return pl.read_csv(folder / "*.csv", infer_schema=False)


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params or None).fetchall()


def siyu_run(env: dict[str, str], *args: str) -> str:
    """`siyu run --as-of <SIYU_AS_OF_DATE> [args]` in a fresh process; its output."""
    import subprocess
    import sys

    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "siyu"),
            "run",
            "--as-of",
            env["SIYU_AS_OF_DATE"],
            *args,
        ],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="session")
def superset(materialised, pipeline_env: dict, data_dir: Path) -> Iterator:
    assert materialised.success
    from siyu.dashboards.superset import SupersetService

    service = SupersetService(
        venv=Path(os.environ.get("SIYU_SUPERSET_VENV", REPO_ROOT / ".venv-superset")),
        home=data_dir / "superset",
        port=free_port(),
        warehouse_url=pipeline_env["WAREHOUSE_URL"],
    )
    service.bootstrap()
    service.deploy()
    process = service.serve()
    try:
        service.wait_until_up()
        yield service
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def api(superset) -> Iterator[httpx.Client]:
    with superset_client(superset, "admin", superset.admin_password()) as client:
        yield client


@contextmanager
def superset_client(superset, username: str, password: str) -> Iterator[httpx.Client]:
    """An API client logged in (JWT) as ``username``, with a CSRF token for writes (so a
    refused write is the permission check's, not the form's)."""
    client = httpx.Client(base_url=superset.base_url, timeout=120)
    login = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db"},
    )
    assert login.status_code == 200, login.text[:300]
    client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    csrf = client.get("/api/v1/security/csrf_token/")
    assert csrf.status_code == 200, csrf.text[:300]
    client.headers["X-CSRFToken"] = csrf.json()["result"]
    client.headers["Referer"] = superset.base_url
    try:
        yield client
    finally:
        client.close()
