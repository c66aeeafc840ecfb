"""The resources every asset shares, configured from the environment (Siyu's settings)."""

import dagster as dg

from siyu.core.settings import Settings
from siyu.orchestration.model_tables import ModelTables
from siyu.orchestration.resources import SourceClients, WarehouseResource


@dg.definitions
def resources() -> dg.Definitions:
    settings = Settings.from_env()
    return dg.Definitions(
        resources={
            # The loader writes raw (and Great Expectations reads it); the model assets
            # write ml and read what dbt built, as the transformer dbt runs as (on Spark: Parquet).
            "raw_warehouse": WarehouseResource(url=settings.role_url("loader")),
            "model_tables": ModelTables.from_settings(settings, settings.role_url("transformer")),
            "sources": SourceClients.from_settings(settings),
        }
    )
