"""Offline POS: receipts and receipt lines from the stores' daily drops."""

from dagster_project.sources.raw_assets import raw_assets_for

SOURCE = "pos"

assets = raw_assets_for(SOURCE)
