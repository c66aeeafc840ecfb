"""Identity resolution's graph step, between the dbt models that collect the links and the
ones that name members: reads ``int_identity_links`` (without the overshared values of
``int_identifiers_overshared``), finds the connected components with SciPy and writes
``ml.identifier_components``; ``int_member_identities`` names each component's member.
"""

import datetime as dt
import io
import time

import polars as pl
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from siyu.orchestration.resources import WarehouseResource

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

LINKS_QUERY = """
copy (
    select links.record_key, links.identifier_key
    from intermediate.int_identity_links as links
    left join intermediate.int_identifiers_overshared as overshared
        on links.identifier_key = overshared.identifier_key
    where overshared.identifier_key is null
) to stdout with (format csv, header true)
"""


@asset(
    key=COMPONENTS,
    deps=[LINKS, OVERSHARED],
    group_name="members",
    kinds={"scipy", "postgres"},
    description=(
        "Connected components of the record–identifier graph (SciPy csgraph, linear time, no "
        "cap on rounds): each identifier → its component, named after the component's "
        "smallest identifier key. int_member_identities names the member."
    ),
)
def identifier_components(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    from siyu.ml.identity_graph import identifier_components as components_of

    started = time.perf_counter()
    with warehouse.connect() as conn:
        conn.execute(DDL)
        buffer = io.BytesIO()
        with conn.cursor() as cur, cur.copy(LINKS_QUERY) as copy:
            for chunk in copy:
                buffer.write(chunk)
        buffer.seek(0)
        links = pl.read_csv(buffer, schema={"record_key": pl.String, "identifier_key": pl.String})
        read_seconds = time.perf_counter() - started
        resolved = components_of(links)
        sizes = resolved.group_by("component_key").len()
        context.log.info(
            f"{links.height:,} links → {resolved.height:,} identifiers in "
            f"{sizes.height:,} components ({time.perf_counter() - started:.1f}s)"
        )
        resolved_at = dt.datetime.now(dt.UTC).isoformat()
        out = io.BytesIO()
        resolved.with_columns(pl.lit(resolved_at).alias("resolved_at")).write_csv(
            out, include_header=False
        )
        with conn.cursor() as cur:
            cur.execute("truncate ml.identifier_components")
            with cur.copy(
                "copy ml.identifier_components (identifier_key, component_key, resolved_at) "
                "from stdin with (format csv)"
            ) as copy:
                copy.write(out.getvalue())
        conn.commit()
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
