"""Live streams: sessions and live-room orders."""

from dagster_project.sources.raw_assets import raw_assets_for

SOURCE = "live"

assets = raw_assets_for(SOURCE)
