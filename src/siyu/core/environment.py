"""The process environment dbt and Dagster run in, derived from the settings.

Called by ``siyu`` commands (and the tests) before they run anything, never at import.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from siyu.core.secrets import read_or_create_secret
from siyu.core.settings import Settings
from siyu.core.warehouse import dbt_env, store_pii_key
from siyu.core.warehouse_roles import WarehouseRoles


class MissingSecretError(RuntimeError):
    """A secret the run needs was never made (run a `siyu` command first)."""


def dbt_environment(settings: Settings) -> dict[str, str]:
    """The variables dbt's profile and the PII macros read."""
    key = settings.pii_key
    if not key:
        raise MissingSecretError(
            f"no phone hash key: set SIYU_PII_KEY or run a `siyu` command, which keeps one in "
            f"{settings.pii_key_file}"
        )
    return {
        **dbt_env(settings.role_url("transformer")),
        "SIYU_PII_KEY": key,
        # dbt's profile picks its target by engine; Spark keeps its catalog and tables here
        "SIYU_ENGINE": settings.engine,
        "SIYU_SPARK_DIR": str(settings.spark_dir),
    }


def prepare(settings: Settings) -> Settings:
    """Make the secrets the settings point to (once), keep the phone hash key inside the
    warehouse (dbt's SQL reads it from there, so compiled SQL never holds it), make the loader
    and transformer roles and export what dbt (as the transformer) and Dagster read."""
    if not settings.pii_key_override:
        read_or_create_secret(settings.pii_key_file)
    store_pii_key(settings.warehouse_url, settings.pii_key or "")
    if settings.warehouse_roles:
        WarehouseRoles.for_warehouse(settings.warehouse_url, settings.secrets_dir).ensure(
            settings.warehouse_url
        )
    os.environ.setdefault("DAGSTER_HOME", str(settings.dagster_home))
    write_dagster_config(Path(os.environ["DAGSTER_HOME"]))
    os.environ.update(dbt_environment(settings))
    return settings


# Dagster's default instance, with the event log that keeps its SQLite connections open
# (siyu.orchestration.event_log_storage): the same files, which the webserver reads.
DAGSTER_CONFIG = """\
# Written by Siyu into a Dagster home that had none. Edit or replace it freely (for example
# with PostgreSQL storage): Siyu never writes over it.
event_log_storage:
  module: siyu.orchestration.event_log_storage
  class: KeptConnectionSqliteEventLogStorage
  config:
    base_dir: {base_dir}
"""


def write_dagster_config(home: Path) -> None:
    """Write Siyu's ``dagster.yaml`` into a Dagster home that has none."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_CONFIG.format(base_dir=(home / "history" / "runs").resolve()))


@contextmanager
def dbt_process_environment(settings: Settings) -> Iterator[None]:
    """os.environ with dbt's variables for the duration of one dbt invocation."""
    saved = dict(os.environ)
    os.environ.update(dbt_environment(settings))
    # When Dagster runs part of the project (one dbt step of the job), a test runs with the
    # part that can build all it reads.
    os.environ.setdefault("DBT_INDIRECT_SELECTION", "buildable")
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
