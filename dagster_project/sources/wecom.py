"""WeCom: guides' contact added / deleted events."""

from dagster_project.sources.raw_assets import raw_assets_for

SOURCE = "wecom"

assets = raw_assets_for(SOURCE)
