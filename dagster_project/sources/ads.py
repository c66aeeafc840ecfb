"""Ad platforms: daily campaign reports and follow events."""

from dagster_project.sources.raw_assets import raw_assets_for

SOURCE = "ads"

assets = raw_assets_for(SOURCE)
