"""The one Definitions of Siyu: raw loaders per source, dbt models, checks, job, schedule."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, ScheduleDefinition, define_asset_job

from dagster_project.checks import expectation_checks
from dagster_project.dbt_assets import siyu_dbt_assets, siyu_dbt_assets_after_python
from dagster_project.dbt_project import dbt_cli
from dagster_project.environment import export_dbt_environment
from dagster_project.member_predictions import member_btyd_predictions
from dagster_project.resources import (
    HttpApiClient,
    LandingFolderClient,
    SourceClient,
    WarehouseResource,
)
from dagster_project.settings import Settings
from dagster_project.sources import ads, live, mall, master, pos, targets, wecom
from dagster_project.sources.raw_assets import source_resource_key
from extract.simulator import HTTP_SOURCES

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


def source_client(source: str, settings: Settings) -> SourceClient:
    """The source's HTTP API when SIYU_SOURCE_API_URL is set (mall, ads, live), else files."""
    if settings.source_api_url and source in HTTP_SOURCES:
        return HttpApiClient(base_url=settings.source_api_url, spool_dir=str(settings.spool_dir))
    return LandingFolderClient(root=str(settings.landing_dir))


def build_definitions(settings: Settings) -> Definitions:
    export_dbt_environment(settings)
    return Definitions(
        assets=[a for module in SOURCE_MODULES for a in module.assets]
        + [siyu_dbt_assets, member_btyd_predictions, siyu_dbt_assets_after_python],
        asset_checks=expectation_checks,
        jobs=[daily_job, pos.pos_drop_job],
        schedules=[daily_schedule],
        sensors=[pos.build_pos_drop_sensor(settings.landing_dir)],
        resources={
            "warehouse": WarehouseResource(url=settings.warehouse_url),
            "dbt": dbt_cli(),
            **{
                source_resource_key(module.SOURCE): source_client(module.SOURCE, settings)
                for module in SOURCE_MODULES
            },
        },
    )


defs = build_definitions(Settings.from_env())
