"""The warehouse role dashboards read through: it may select the `marts` schema and nothing else.

Superset never connects as the owner of the warehouse. `siyu dashboards deploy` (and `make
demo`) makes one login role per warehouse database, `<database>_bi_reader`, with a password
generated once and kept (0600) beside the other secrets, grants it `usage` on `marts` and
`select` on what is there, and makes every table or view the owner creates there later
readable by it too (default privileges: dbt recreates tables on every build).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

import psycopg
from psycopg import sql

from siyu.core.secrets import read_or_create_secret

MARTS_SCHEMA = "marts"


@dataclass(frozen=True)
class ReaderRole:
    """A login role that reads one schema of one warehouse database."""

    name: str
    password: str
    schema: str = MARTS_SCHEMA

    @classmethod
    def for_warehouse(cls, warehouse_url: str, secrets_dir: Path) -> ReaderRole:
        """The reader of the database in ``warehouse_url``; its password is generated the
        first time and kept in ``secrets_dir``."""
        database = urlparse(warehouse_url).path.lstrip("/") or "postgres"
        name = re.sub(r"[^a-z0-9_]", "_", f"{database.lower()}_bi_reader")[:63]
        password = read_or_create_secret(secrets_dir / f"{name}_password", 18)
        return cls(name=name, password=password)

    def url(self, warehouse_url: str) -> str:
        """``warehouse_url`` with this role's credentials in place of the owner's."""
        parsed = urlparse(warehouse_url)
        host = parsed.hostname or "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        port = f":{parsed.port}" if parsed.port else ""
        netloc = f"{quote(self.name, safe='')}:{quote(self.password, safe='')}@{host}{port}"
        return parsed._replace(netloc=netloc).geturl()

    def ensure(self, warehouse_url: str) -> None:
        """Create or update the role and its grants, connected as the warehouse owner."""
        role = sql.Identifier(self.name)
        schema = sql.Identifier(self.schema)
        database = sql.Identifier(urlparse(warehouse_url).path.lstrip("/") or "postgres")
        with psycopg.connect(warehouse_url, autocommit=True) as conn:
            owner = sql.Identifier(conn.info.user)
            exists = conn.execute("select 1 from pg_roles where rolname = %s", (self.name,))
            verb = sql.SQL("alter") if exists.fetchone() else sql.SQL("create")
            # No bind parameters in utility statements: the password goes in as a literal.
            conn.execute(
                sql.SQL(
                    "{} role {} login nosuperuser nocreatedb nocreaterole noinherit password {}"
                ).format(verb, role, sql.Literal(self.password))
            )
            conn.execute(sql.SQL("grant connect on database {} to {}").format(database, role))
            conn.execute(sql.SQL("create schema if not exists {}").format(schema))
            conn.execute(sql.SQL("grant usage on schema {} to {}").format(schema, role))
            conn.execute(
                sql.SQL("grant select on all tables in schema {} to {}").format(schema, role)
            )
            conn.execute(
                sql.SQL(
                    "alter default privileges for role {} in schema {} grant select on tables to {}"
                ).format(owner, schema, role)
            )
