"""Identity resolution's graph step, between the dbt models that collect the links and the
ones that name members: reads ``int_identity_links`` (without the overshared values of
``int_identifiers_overshared``), finds the connected components with SciPy and writes
``ml.identifier_components``; ``int_member_identities`` names each component's member.
"""

import datetime as dt
import time

import polars as pl
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from siyu.ml.tables import IDENTIFIER_COMPONENTS, ML_TABLES
from siyu.orchestration.model_tables import ModelTables

LINKS = AssetKey(["intermediate", "int_identity_links"])
OVERSHARED = AssetKey(["intermediate", "int_identifiers_overshared"])
COMPONENTS = AssetKey(["ml", "identifier_components"])

DDL = """
create schema if not exists ml;
create table if not exists ml.identifier_components (
    identifier_key text primary key,
    component_key text not null,
    resolved_at timestamptz not null
);
"""


@asset(
    key=COMPONENTS,
    deps=[LINKS, OVERSHARED],
    group_name="members",
    kinds={"scipy", "polars"},
    description=(
        "Connected components of the record–identifier graph (SciPy csgraph, linear time, no "
        "cap on rounds): each identifier → its component, named after the component's "
        "smallest identifier key. int_member_identities names the member."
    ),
)
def identifier_components(
    context: AssetExecutionContext, model_tables: ModelTables
) -> MaterializeResult:
    from siyu.ml.identity_graph import identifier_components as components_of

    started = time.perf_counter()
    text = pl.String()
    links = model_tables.read(
        ".".join(LINKS.path), {"record_key": text, "identifier_key": text}
    ).join(
        model_tables.read(".".join(OVERSHARED.path), {"identifier_key": text}),
        on="identifier_key",
        how="anti",
    )
    read_seconds = time.perf_counter() - started
    resolved = components_of(links)
    sizes = resolved.group_by("component_key").len()
    context.log.info(
        f"{links.height:,} links → {resolved.height:,} identifiers in "
        f"{sizes.height:,} components ({time.perf_counter() - started:.1f}s, "
        f"{model_tables.engine})"
    )
    resolved_at = dt.datetime.now(dt.UTC)
    model_tables.replace(
        IDENTIFIER_COMPONENTS,
        resolved.with_columns(pl.lit(resolved_at).alias("resolved_at")).cast(
            ML_TABLES[IDENTIFIER_COMPONENTS]
        ),
        DDL,
    )
    return MaterializeResult(
        metadata={
            "links": links.height,
            "identifiers": resolved.height,
            "components": sizes.height,
            "largest_component": int(sizes.get_column("len").max() or 0),
            "read_seconds": MetadataValue.float(round(read_seconds, 2)),
            "seconds": MetadataValue.float(round(time.perf_counter() - started, 2)),
        }
    )
