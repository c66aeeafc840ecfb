"""The resources every asset shares, configured from the environment (Siyu's settings)."""

import dagster as dg

from siyu.core.settings import Settings
from siyu.orchestration.resources import SourceClients, WarehouseResource


@dg.definitions
def resources() -> dg.Definitions:
    settings = Settings.from_env()
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(url=settings.warehouse_url),
            "sources": SourceClients.from_settings(settings),
        }
    )
