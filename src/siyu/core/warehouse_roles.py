"""The warehouse's login roles: who may write, transform and read what.

- ``<database>_loader`` owns the ``raw`` schema: the one loader writes there and nowhere else.
- ``<database>_transformer`` owns what dbt and the model assets build (staging, intermediate,
  marts, ml, test audit), reads ``raw``, and is the only role besides the owner that
  may read the phone hash key (``siyu_secrets.pii_key``).
- ``<database>_bi_reader`` (Superset) may select the ``marts`` schema and nothing else.

Each has a SCRAM password generated once and kept (0600) under the secrets folder. Every
``siyu`` command makes or updates them through the warehouse owner's connection before it runs
anything (idempotent), and hands existing objects of those schemas to their owner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

import psycopg
from psycopg import sql

from siyu.core.secrets import read_or_create_secret, read_secret

RAW_SCHEMA = "raw"
MARTS_SCHEMA = "marts"
# dbt's schemas (macros/generate_schema_name.sql) and the model assets' own.
TRANSFORMER_SCHEMAS = ("staging", "intermediate", "marts", "ml", "dbt_test__audit")
KEY_SCHEMA, KEY_TABLE = "siyu_secrets", "pii_key"
# pg_class kinds and the ALTER statement that hands each to another owner.
_ALTER_BY_KIND = {
    "r": "table",
    "p": "table",
    "f": "foreign table",
    "v": "view",
    "m": "materialized view",
    "S": "sequence",
}


def database_of(warehouse_url: str) -> str:
    return urlparse(warehouse_url).path.lstrip("/") or "postgres"


def role_name(warehouse_url: str, purpose: str) -> str:
    """``<database>_<purpose>``, as a safe PostgreSQL identifier."""
    return re.sub(r"[^a-z0-9_]", "_", f"{database_of(warehouse_url).lower()}_{purpose}")[:63]


@dataclass(frozen=True)
class LoginRole:
    """A login role of one warehouse database with its password."""

    name: str
    password: str

    @classmethod
    def for_warehouse(
        cls, warehouse_url: str, purpose: str, secrets_dir: Path, create: bool = True
    ) -> LoginRole:
        """The role for ``purpose``; its password is generated the first time (``create``),
        kept in ``secrets_dir``."""
        name = role_name(warehouse_url, purpose)
        path = secrets_dir / f"{name}_password"
        return cls(name, read_or_create_secret(path, 18) if create else read_secret(path) or "")

    def url(self, warehouse_url: str) -> str:
        """``warehouse_url`` with this role's credentials in place of the owner's."""
        parsed = urlparse(warehouse_url)
        host = parsed.hostname or "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        port = f":{parsed.port}" if parsed.port else ""
        netloc = f"{quote(self.name, safe='')}:{quote(self.password, safe='')}@{host}{port}"
        return parsed._replace(netloc=netloc).geturl()

    def ensure_login(self, conn: psycopg.Connection, database: str) -> None:
        """Create or update the role (no superuser, no role or database creation)."""
        role = sql.Identifier(self.name)
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (self.name,))
        verb = sql.SQL("alter") if exists.fetchone() else sql.SQL("create")
        # No bind parameters in utility statements: the password goes in as a literal.
        conn.execute(
            sql.SQL(
                "{} role {} login nosuperuser nocreatedb nocreaterole noinherit password {}"
            ).format(verb, role, sql.Literal(self.password))
        )
        conn.execute(
            sql.SQL("grant connect on database {} to {}").format(sql.Identifier(database), role)
        )


def _own_schema(conn: psycopg.Connection, schema: str, owner: str) -> None:
    """Create ``schema`` for ``owner`` or hand it, and everything in it, to ``owner``."""
    conn.execute(
        sql.SQL("create schema if not exists {} authorization {}").format(
            sql.Identifier(schema), sql.Identifier(owner)
        )
    )
    conn.execute(
        sql.SQL("alter schema {} owner to {}").format(sql.Identifier(schema), sql.Identifier(owner))
    )
    rows = conn.execute(
        "select c.relname, c.relkind from pg_class as c "
        "join pg_namespace as n on n.oid = c.relnamespace "
        "where n.nspname = %s and c.relkind = any(%s) "
        "and pg_get_userbyid(c.relowner) <> %s "
        "and not exists (select 1 from pg_depend as d where d.objid = c.oid "
        "and d.deptype in ('a', 'i'))",  # owned sequences and the like follow their table
        (schema, list(_ALTER_BY_KIND), owner),
    ).fetchall()
    for name, kind in rows:
        conn.execute(
            sql.SQL("alter {} {}.{} owner to {}").format(
                sql.SQL(_ALTER_BY_KIND[kind]),
                sql.Identifier(schema),
                sql.Identifier(name),
                sql.Identifier(owner),
            )
        )


def _role_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("select 1 from pg_roles where rolname = %s", (name,)).fetchone() is not None


def _grant_future_selects(conn: psycopg.Connection, creator: str, schema: str, to: str) -> None:
    """``to`` may select every table ``creator`` makes in ``schema`` from now on (dbt
    recreates its tables on every build)."""
    conn.execute(
        sql.SQL(
            "alter default privileges for role {} in schema {} grant select on tables to {}"
        ).format(sql.Identifier(creator), sql.Identifier(schema), sql.Identifier(to))
    )


@dataclass(frozen=True)
class WarehouseRoles:
    """The loader and the transformer of one warehouse database."""

    loader: LoginRole
    transformer: LoginRole

    @classmethod
    def for_warehouse(cls, warehouse_url: str, secrets_dir: Path) -> WarehouseRoles:
        return cls(
            loader=LoginRole.for_warehouse(warehouse_url, "loader", secrets_dir),
            transformer=LoginRole.for_warehouse(warehouse_url, "transformer", secrets_dir),
        )

    def ensure(self, owner_url: str) -> None:
        """Make the roles and their grants, connected as the warehouse owner; idempotent."""
        database = database_of(owner_url)
        loader, transformer = (sql.Identifier(r.name) for r in (self.loader, self.transformer))
        raw = sql.Identifier(RAW_SCHEMA)
        with psycopg.connect(owner_url, autocommit=True) as conn:
            may = conn.execute(
                "select rolsuper or rolcreaterole from pg_roles where rolname = current_user"
            ).fetchone()
            if not (may and may[0]):
                raise PermissionError(
                    f"{conn.info.user} may not create roles, so Siyu cannot make its loader "
                    f"and transformer roles: grant it CREATEROLE, or set "
                    f"SIYU_WAREHOUSE_ROLES=false to load and transform as {conn.info.user}"
                )
            # Two `siyu` commands starting at once would race to create the same roles.
            conn.execute("select pg_advisory_lock(hashtext('siyu.warehouse_roles'))")
            self.loader.ensure_login(conn, database)
            self.transformer.ensure_login(conn, database)
            # dbt creates the schemas it is configured for, and temporary tables.
            conn.execute(
                sql.SQL("grant create, temporary on database {} to {}").format(
                    sql.Identifier(database), transformer
                )
            )
            _own_schema(conn, RAW_SCHEMA, self.loader.name)
            for schema in TRANSFORMER_SCHEMAS:
                _own_schema(conn, schema, self.transformer.name)
            conn.execute(sql.SQL("grant usage on schema {} to {}").format(raw, transformer))
            conn.execute(
                sql.SQL("grant select on all tables in schema {} to {}").format(raw, transformer)
            )
            conn.execute(
                sql.SQL(
                    "alter default privileges for role {} in schema {} grant select on tables to {}"
                ).format(loader, raw, transformer)
            )
            reader = role_name(owner_url, "bi_reader")
            if _role_exists(conn, reader):
                _grant_future_selects(conn, self.transformer.name, MARTS_SCHEMA, reader)
            key_schema, key_table = sql.Identifier(KEY_SCHEMA), sql.Identifier(KEY_TABLE)
            conn.execute(sql.SQL("grant usage on schema {} to {}").format(key_schema, transformer))
            conn.execute(
                sql.SQL("grant select on {}.{} to {}").format(key_schema, key_table, transformer)
            )


@dataclass(frozen=True)
class ReaderRole(LoginRole):
    """A login role that may select one schema (``marts``) of one warehouse database."""

    schema: str = MARTS_SCHEMA

    @classmethod
    def for_warehouse(  # type: ignore[override]
        cls, warehouse_url: str, secrets_dir: Path, purpose: str = "bi_reader"
    ) -> ReaderRole:
        login = LoginRole.for_warehouse(warehouse_url, purpose, secrets_dir)
        return cls(login.name, login.password)

    def ensure(self, owner_url: str) -> None:
        """Create or update the role and its grants, connected as the warehouse owner: usage
        on the schema, select on what is there, and on what the owner or the transformer
        creates there later (dbt recreates tables on every build)."""
        role, schema = sql.Identifier(self.name), sql.Identifier(self.schema)
        with psycopg.connect(owner_url, autocommit=True) as conn:
            self.ensure_login(conn, database_of(owner_url))
            conn.execute(sql.SQL("create schema if not exists {}").format(schema))
            conn.execute(sql.SQL("grant usage on schema {} to {}").format(schema, role))
            conn.execute(
                sql.SQL("grant select on all tables in schema {} to {}").format(schema, role)
            )
            for creator in (conn.info.user, role_name(owner_url, "transformer")):
                if _role_exists(conn, creator):
                    _grant_future_selects(conn, creator, self.schema, self.name)
