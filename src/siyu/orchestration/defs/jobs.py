"""The daily job over every asset, its morning schedule, and the explicit full rebuild."""

from dagster import AssetSelection, ScheduleDefinition, define_asset_job

from siyu.orchestration.components.dbt_project import FULL_REFRESH_TAG

daily_job = define_asset_job(
    "daily_job",
    selection=AssetSelection.all(),
    description=(
        "Extract every source into raw, then dbt build staging → marts with tests; the "
        "incremental models rebuild only their look-back window (var incremental_lookback_days)."
    ),
)

full_rebuild_job = define_asset_job(
    "full_rebuild_job",
    selection=AssetSelection.all(),
    tags={FULL_REFRESH_TAG: "true"},
    description=(
        "The daily job with dbt --full-refresh: every incremental model rebuilt from all "
        "history. Launch it by hand after a rule change; never scheduled."
    ),
)

daily_schedule = ScheduleDefinition(
    job=daily_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Shanghai",
    description="Every morning at 06:00 Beijing time, after the sources' nightly drops.",
)
