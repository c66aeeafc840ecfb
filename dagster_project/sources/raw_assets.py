"""One raw asset per source entity, all built by the same rule and served by one loader."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from dagster_project.resources import SourceClient, WarehouseResource
from extract.loader import ensure_raw_tables, load_file
from extract.schemas import SCHEMAS, EntitySchema


def source_resource_key(source: str) -> str:
    return f"{source}_source"


def raw_asset_key(schema: EntitySchema) -> AssetKey:
    return AssetKey(["raw", schema.table])


def build_raw_asset(schema: EntitySchema) -> AssetsDefinition:
    client_key = source_resource_key(schema.source)

    @asset(
        key=raw_asset_key(schema),
        group_name=schema.source,
        description=f"{schema.description} Loaded into {schema.qualified_table}.",
        kinds={"polars", "postgres"},
        required_resource_keys={client_key, "warehouse"},
        metadata={
            "table": schema.qualified_table,
            "columns": MetadataValue.md(
                "\n".join(
                    f"- `{c.name}` {c.kind}{'' if c.nullable else ' (required)'}"
                    for c in schema.columns
                )
            ),
        },
    )
    def _raw_asset(context: AssetExecutionContext) -> MaterializeResult:
        client: SourceClient = getattr(context.resources, client_key)
        warehouse: WarehouseResource = context.resources.warehouse
        files = client.entity_files(schema.source, schema.entity)
        loaded = skipped = rows = 0
        with warehouse.connect() as conn:
            ensure_raw_tables(conn, [schema])
            for index, path in enumerate(files, start=1):
                result = load_file(conn, path, schema.source, schema.entity)
                if result.status == "loaded":
                    loaded += 1
                    rows += result.rows
                else:
                    skipped += 1
                if index % 100 == 0 or index == len(files):
                    context.log.info(f"{schema.table}: {index}/{len(files)} files")
            total = conn.execute(f"select count(*) from {schema.qualified_table}").fetchone()[0]
        return MaterializeResult(
            metadata={
                "files_loaded": loaded,
                "files_skipped_already_loaded": skipped,
                "rows_loaded": rows,
                "rows_in_table": int(total),
            }
        )

    return _raw_asset


def raw_assets_for(source: str) -> list[AssetsDefinition]:
    return [build_raw_asset(s) for s in SCHEMAS if s.source == source]
