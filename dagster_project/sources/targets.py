"""Targets: monthly targets per guide (new friends, GMV), dropped as a CSV per month."""

from dagster_project.sources.raw_assets import raw_assets_for

SOURCE = "targets"

assets = raw_assets_for(SOURCE)
