"""Every dbt model as a Dagster asset; keys and groups follow the dbt folders."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from dagster_project.dbt_project import dbt_project, parse_dbt_project

dbt_project.prepare_if_dev()
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


# Models reading what Siyu's own Python assets write (source `ml`) run after those assets;
# every other model runs before them. Two dbt ops, one dbt project, the same rules.
AFTER_PYTHON_ASSETS = "source:ml+"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=SiyuDbtTranslator(),
    exclude=AFTER_PYTHON_ASSETS,
)
def siyu_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    """dbt build: models, then their tests, reported as asset checks."""
    yield from dbt.cli(["build"], context=context).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=SiyuDbtTranslator(),
    select=AFTER_PYTHON_ASSETS,
    name="siyu_dbt_assets_after_python",
)
def siyu_dbt_assets_after_python(context: AssetExecutionContext, dbt: DbtCliResource):
    """dbt build of the models that join what the Python assets wrote (dim_members, ...)."""
    yield from dbt.cli(["build"], context=context).stream()
