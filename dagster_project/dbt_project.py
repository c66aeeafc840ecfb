"""The dbt project and its CLI, apart from the assets so the manifest can be rebuilt first."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from dagster_project.settings import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt"
# The dbt of this environment, whether or not its bin folder is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_cli() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)


def parse_dbt_project() -> None:
    """Build target/manifest.json (what `dagster dev` does through prepare_if_dev)."""
    dbt_cli().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
