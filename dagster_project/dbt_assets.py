"""Every dbt model as a Dagster asset; keys and groups follow the dbt folders."""

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

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


if not dbt_project.manifest_path.exists():
    # Outside `dagster dev` (tests, `siyu run`) the manifest is built here, once.
    parse_dbt_project()

class SiyuDbtTranslator(DagsterDbtTranslator):
    """Rules, not special cases.

    - a dbt source is the raw table it reads: key ``[schema, identifier]`` (``raw/mall__orders``),
      the same key the raw loader asset materialises, so lineage runs from extract to marts;
    - a model's key is ``[layer, name]`` where layer is its first folder under ``models/``;
    - a model's group is its second folder (the source for staging, the domain after that).
    """

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["identifier"]])
        fqn = dbt_resource_props["fqn"]
        layer = fqn[1] if len(fqn) > 2 else "models"
        return AssetKey([layer, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props["fqn"]
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["source_name"]
        return fqn[2] if len(fqn) > 3 else fqn[1]

@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=SiyuDbtTranslator(),
)
def siyu_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    """dbt build: models, then their tests, reported as asset checks."""
    yield from dbt.cli(["build"], context=context).stream()
