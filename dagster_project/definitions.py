"""The one Definitions of Siyu: raw loaders per source, dbt models, checks, job, schedule."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, ScheduleDefinition, define_asset_job

from dagster_project.checks import expectation_checks
from dagster_project.dbt_assets import siyu_dbt_assets
from dagster_project.dbt_project import dbt_cli
from dagster_project.environment import export_dbt_environment
from dagster_project.resources import LandingFolderClient, WarehouseResource
from dagster_project.settings import Settings
from dagster_project.sources import ads, live, mall, master, pos, targets, wecom
from dagster_project.sources.raw_assets import source_resource_key

SOURCE_MODULES = (master, mall, pos, ads, live, wecom, targets)

daily_job = define_asset_job(
    "daily_job",
    selection=AssetSelection.all(),
    description="Extract every source into raw, then dbt build staging → marts with tests.",
)

daily_schedule = ScheduleDefinition(
    job=daily_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Shanghai",
    description="Every morning at 06:00 Beijing time, after the sources' nightly drops.",
)


def build_definitions(settings: Settings) -> Definitions:
    export_dbt_environment(settings)
    landing = str(settings.landing_dir)
    return Definitions(
        assets=[a for module in SOURCE_MODULES for a in module.assets] + [siyu_dbt_assets],
        asset_checks=expectation_checks,
        jobs=[daily_job],
        schedules=[daily_schedule],
        resources={
            "warehouse": WarehouseResource(url=settings.warehouse_url),
            "dbt": dbt_cli(),
            **{
                source_resource_key(module.SOURCE): LandingFolderClient(root=landing)
                for module in SOURCE_MODULES
            },
        },
    )


defs = build_definitions(Settings.from_env())
