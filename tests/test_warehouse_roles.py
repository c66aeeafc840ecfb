"""Who may do what in the warehouse: the loader writes raw, the transformer builds everything
else and alone reads the phone hash key, every role gives a password (the owner too), and the
embedded server runs in its own group without opening any folder to other users."""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest

from siyu.core.settings import Settings
from siyu.core.warehouse import SYSTEM_USER, _let_traverse
from siyu.core.warehouse_roles import KEY_SCHEMA, KEY_TABLE, role_name
from tests.conftest import query

pytestmark = pytest.mark.fullstack

EMBEDDED = "SIYU_TEST_WAREHOUSE_URL" not in os.environ


def _roles_that_can(url: str, privilege_sql: str) -> set[str]:
    """Every role of the cluster but superusers for which ``privilege_sql`` (over `r`) holds."""
    return {
        name
        for (name,) in query(
            url,
            f"select r.rolname from pg_roles as r where not r.rolsuper "
            f"and r.rolname not like 'pg\\_%' and ({privilege_sql})",
        )
    }


def test_raw_and_the_key_are_readable_by_the_loader_and_the_transformer_only(
    materialised, pipeline_env: dict
) -> None:
    url = pipeline_env["WAREHOUSE_URL"]
    loader, transformer = role_name(url, "loader"), role_name(url, "transformer")
    raw_tables = [
        t for (t,) in query(url, "select tablename from pg_tables where schemaname = 'raw'")
    ]
    assert len(raw_tables) > 10
    read_raw = _roles_that_can(
        url,
        "has_schema_privilege(r.oid, 'raw', 'usage') and ("
        + " or ".join(f"has_table_privilege(r.oid, 'raw.{t}', 'select')" for t in raw_tables)
        + ")",
    )
    assert read_raw == {loader, transformer}
    read_key = _roles_that_can(
        url,
        f"has_schema_privilege(r.oid, '{KEY_SCHEMA}', 'usage') "
        f"and has_table_privilege(r.oid, '{KEY_SCHEMA}.{KEY_TABLE}', 'select')",
    )
    assert read_key == {transformer}


def test_the_loader_owns_raw_and_the_transformer_everything_dbt_built(
    materialised, pipeline_env: dict
) -> None:
    url = pipeline_env["WAREHOUSE_URL"]
    owners = dict(
        query(
            url,
            "select schemaname, string_agg(distinct tableowner, ',') from pg_tables "
            "where schemaname in ('raw', 'staging', 'intermediate', 'marts', 'ml') "
            "group by schemaname",
        )
    )
    transformer = role_name(url, "transformer")
    assert owners == {
        "raw": role_name(url, "loader"),
        **{s: transformer for s in ("intermediate", "marts", "ml")},
    }
    views = query(url, "select distinct viewowner from pg_views where schemaname = 'staging'")
    assert views == [(transformer,)]


def test_the_loader_can_neither_read_the_marts_nor_write_outside_raw(
    materialised, pipeline_env: dict
) -> None:
    settings = Settings.from_env()
    with psycopg.connect(settings.role_url("loader")) as conn:
        assert conn.info.user == role_name(pipeline_env["WAREHOUSE_URL"], "loader")
        for statement in (
            "select 1 from marts.fct_private_domain_daily limit 1",
            f"select 1 from {KEY_SCHEMA}.{KEY_TABLE}",
            "create table marts.scratch (x int)",
            "create schema scratch",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            conn.rollback()


@pytest.mark.skipif(not EMBEDDED, reason="the embedded server's own authentication")
def test_every_role_the_owner_too_must_give_its_password(pipeline_env: dict) -> None:
    parsed = urlparse(pipeline_env["WAREHOUSE_URL"])
    no_password = parsed._replace(netloc=f"postgres@{parsed.hostname}:{parsed.port}").geturl()
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(no_password).close()
    loader = Settings.from_env().role_url("loader")
    wrong = urlparse(loader)._replace(
        netloc=f"{role_name(pipeline_env['WAREHOUSE_URL'], 'loader')}:not-it"
        f"@{parsed.hostname}:{parsed.port}"
    )
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong.geturl()).close()


@pytest.mark.skipif(not EMBEDDED or os.geteuid() != 0, reason="root runs the server as a user")
def test_the_embedded_server_runs_in_its_own_group(data_dir: Path, pipeline_env: dict) -> None:
    pid = (data_dir / "pg" / "postmaster.pid").read_text().split()[0]
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    entry = pwd.getpwnam(SYSTEM_USER)
    assert status["Uid"].split()[0] == str(entry.pw_uid)
    assert status["Gid"].split()[0] == str(entry.pw_gid) != "0"
    assert status["Groups"].split() in ([], [str(entry.pw_gid)])
    for secret in (data_dir / "secrets").iterdir():
        assert secret.stat().st_mode & 0o077 == 0, secret


@pytest.mark.skipif(os.geteuid() != 0, reason="root runs the server as a user")
def test_a_closed_folder_above_the_data_is_opened_to_the_server_user_only(tmp_path: Path) -> None:
    closed = tmp_path / "home"
    pgdata = closed / "siyu" / "pg"
    pgdata.mkdir(parents=True)
    closed.chmod(0o700)
    _let_traverse(pgdata, SYSTEM_USER)
    assert closed.stat().st_mode & 0o007 == 0  # nothing for others
    acl = subprocess.run(["getfacl", "-p", str(closed)], capture_output=True, text=True).stdout
    # The group bits of the mode now show the ACL mask; the owning group still has nothing.
    assert f"user:{SYSTEM_USER}:--x" in acl and "group::---" in acl and "other::---" in acl

    def lists(user: str) -> int:
        return subprocess.run(["ls", str(pgdata)], user=user, capture_output=True).returncode

    assert lists(SYSTEM_USER) == 0
    assert lists("nobody") != 0
