"""The daily job over every asset, and its morning schedule."""

from dagster import AssetSelection, ScheduleDefinition, define_asset_job

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
