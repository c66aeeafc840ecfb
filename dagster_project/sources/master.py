"""Master data: brands, stores, guides and products."""

from dagster_project.sources.raw_assets import raw_assets_for

SOURCE = "master"

assets = raw_assets_for(SOURCE)
