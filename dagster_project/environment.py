"""The environment dbt runs in, derived from Siyu's settings."""

from __future__ import annotations

import os

from dagster_project.settings import Settings
from dagster_project.warehouse import dbt_env


def dbt_environment(settings: Settings) -> dict[str, str]:
    return {**dbt_env(settings.warehouse_url), "SIYU_PII_KEY": settings.pii_key}


def export_dbt_environment(settings: Settings) -> None:
    """dbt (run by dagster-dbt as a subprocess) reads its profile from these variables."""
    os.environ.update(dbt_environment(settings))
