"""One raw asset per source entity, all built by the same rule and served by one loader."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from dagster_project.resources import SourceClient, WarehouseResource
from extract.loader import ensure_raw_tables
from extract.schemas import SCHEMAS, EntitySchema, rules_for


def source_resource_key(source: str) -> str:
    return f"{source}_source"


def raw_asset_key(schema: EntitySchema) -> AssetKey:
    return AssetKey(["raw", schema.table])


def _reference_deps(schema: EntitySchema) -> list[AssetKey]:
    """Master tables a row rule looks ids up in: loaded before this one."""
    return [
        AssetKey(["raw", rule.reference.split(".")[0]])
        for rule in rules_for(schema.table)
        if rule.kind == "reference" and rule.reference
    ]


def build_raw_asset(schema: EntitySchema) -> AssetsDefinition:
    client_key = source_resource_key(schema.source)
    key = raw_asset_key(schema)

    @asset(
        key=key,
        deps=sorted(set(_reference_deps(schema)), key=lambda k: k.to_user_string()),
        check_specs=[
            AssetCheckSpec(
                "no_rejected_files",
                asset=key,
                description="Every file of the run was usable (none rejected whole).",
            ),
            AssetCheckSpec(
                "no_quarantined_rows",
                asset=key,
                description="No row of the run went to raw._quarantine.",
            ),
        ],
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
        loaded = skipped = rows = quarantined = 0
        rejected: list[str] = []
        with warehouse.connect() as conn:
            ensure_raw_tables(conn, [schema])
            for index, result in enumerate(client.extract(conn, schema), start=1):
                path = result.source_file
                if result.status == "loaded":
                    loaded += 1
                    rows += result.rows
                    quarantined += result.quarantined
                    if result.quarantined:
                        context.log.warning(
                            f"{path}: {result.quarantined} rows quarantined (raw._quarantine)"
                        )
                elif result.status == "rejected":
                    rejected.append(result.reason)
                    context.log.error(f"rejected: {result.reason}")
                else:
                    skipped += 1
                if index % 100 == 0:
                    context.log.info(f"{schema.table}: {index} files or pages so far")
            total = conn.execute(f"select count(*) from {schema.qualified_table}").fetchone()[0]
        return MaterializeResult(
            metadata={
                "files_loaded": loaded,
                "files_skipped_already_loaded": skipped,
                "files_rejected": len(rejected),
                "rows_loaded": rows,
                "rows_quarantined": quarantined,
                "rows_in_table": int(total),
            },
            check_results=[
                AssetCheckResult(
                    check_name="no_rejected_files",
                    passed=not rejected,
                    severity=AssetCheckSeverity.WARN,
                    metadata={"rejected": MetadataValue.md("\n".join(f"- {r}" for r in rejected))},
                ),
                AssetCheckResult(
                    check_name="no_quarantined_rows",
                    passed=quarantined == 0,
                    severity=AssetCheckSeverity.WARN,
                    metadata={"rows_quarantined": quarantined},
                ),
            ],
        )

    return _raw_asset


def raw_assets_for(source: str) -> list[AssetsDefinition]:
    return [build_raw_asset(s) for s in SCHEMAS if s.source == source]
