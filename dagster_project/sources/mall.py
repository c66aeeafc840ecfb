"""The WeChat mini-program mall: members, orders, order lines and refunds."""

from dagster_project.sources.raw_assets import raw_assets_for

SOURCE = "mall"

assets = raw_assets_for(SOURCE)
