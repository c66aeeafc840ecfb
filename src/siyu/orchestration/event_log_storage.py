"""Dagster's SQLite event log, with its database connections kept open.

Dagster's :class:`SqliteEventLogStorage` makes a SQLAlchemy engine, opens a connection and
closes it again for every write; each commit waits for the disk, and closing the last
connection to a WAL database checkpoints it. A daily run writes about 4,000 events (a planned
and an evaluated event for each of ~1,200 dbt tests, and their step outputs), each into the
run's database and most also into the index database, so that cycle was the largest single
cost of a small run.

This storage keeps Dagster's files, tables and behaviour, so the webserver and the
``dagster`` CLI read the same Dagster home. It changes only the connections:

- one engine per database file, kept for the life of the storage (past
  :data:`OPEN_DATABASES` the least recently used closes), so a write reuses an open
  connection;
- ``synchronous=NORMAL``, SQLite's setting for WAL databases: a commit reaches the WAL
  without waiting for the disk. A crash of the process loses nothing; a power cut can lose
  the last commits, never corrupt a file.

Siyu names it in the ``dagster.yaml`` it writes into a Dagster home that has none
(:func:`siyu.core.environment.write_dagster_config`).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import dagster._check as check
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

# Databases a long-lived process (the webserver) keeps open at once: the index database and
# the latest runs stay open, an older run's reopens when it is read.
OPEN_DATABASES = 16


def _normal_sync(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class KeptConnectionSqliteEventLogStorage(SqliteEventLogStorage):
    """:class:`SqliteEventLogStorage` with one open connection per database file."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = os.getpid()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData | None, config_value
    ) -> KeptConnectionSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The open engine of one database file (made, and the file set up, on first use)."""
        if self._engines_pid != os.getpid():  # a forked process never shares a connection
            self._engines = OrderedDict()
            self._engines_pid = os.getpid()
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        conn_string = self.conn_string_for_shard(shard)
        if shard not in self._initialized_dbs:
            setup = create_engine(
                conn_string,
                poolclass=NullPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            self._initdb(setup)
            setup.dispose()
            self._initialized_dbs.add(shard)
        # SQLAlchemy's pool keeps a SQLite file's connection open; `_db_lock` lets one thread
        # use it at a time, so it may move between threads
        engine = create_engine(
            conn_string,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            pool_size=1,
            max_overflow=4,
        )
        event.listen(engine, "connect", _normal_sync)
        self._engines[shard] = engine
        while len(self._engines) > OPEN_DATABASES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            check.str_param(shard, "shard")
            with self._engine(shard).connect() as conn, conn.begin():
                yield conn

    def _close_all(self) -> None:
        """Close every open database (the last close checkpoints its WAL into the file)."""
        with self._db_lock:
            while self._engines:
                _, engine = self._engines.popitem()
                engine.dispose()

    def wipe(self) -> None:
        self._close_all()  # before the files are deleted
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._close_all()
