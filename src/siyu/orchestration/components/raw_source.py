"""The raw-source component: one raw asset per entity of a source, all built by the same rule
and served by the one loader; optionally a sensor over the source's drop folder.

Declared once per source in ``defs/sources/<source>/defs.yaml``::

    type: siyu.orchestration.components.raw_source.RawSourceComponent
    attributes:
      source: pos
      drop_sensor: true
"""

from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
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

from siyu.core.settings import Settings
from siyu.ingest.loader import LoadResult, file_day
from siyu.ingest.raw_tables import ensure_raw_tables
from siyu.ingest.schemas import SCHEMAS, EntitySchema, rules_for
from siyu.orchestration.components.drop_sensor import build_drop_sensor, drop_job
from siyu.orchestration.resources import SourceClients, WarehouseResource


def raw_asset_key(schema: EntitySchema) -> AssetKey:
    return AssetKey(["raw", schema.table])


def _reference_deps(schema: EntitySchema) -> list[AssetKey]:
    """Master tables a row rule looks ids up in: loaded before this one."""
    return [AssetKey(["raw", rule.target[0]]) for rule in rules_for(schema.table) if rule.target]


@dataclass
class _Tally:
    """What one materialisation of a raw asset loaded, skipped, rejected and quarantined."""

    loaded: int = 0
    skipped: int = 0
    rows: int = 0
    quarantined: int = 0
    rejected: list[str] = field(default_factory=list)
    days: set[str] = field(default_factory=set)  # day files (YYYY-MM-DD) loaded this run

    def add(self, result: LoadResult, context: AssetExecutionContext) -> None:
        if result.status == "loaded":
            self.loaded += 1
            self.rows += result.rows
            self.quarantined += result.quarantined
            self.days.add(Path(result.source_file).stem)
            if result.quarantined:
                context.log.warning(
                    f"{result.source_file}: {result.quarantined} rows quarantined (raw._quarantine)"
                )
        elif result.status == "rejected":
            self.rejected.append(result.reason)
            context.log.error(f"rejected: {result.reason}")
        else:
            self.skipped += 1

    def result(self, rows_in_table: int) -> MaterializeResult:
        return MaterializeResult(
            metadata={
                "days_loaded": _days(self.days),
                "files_loaded": self.loaded,
                "files_skipped_already_loaded": self.skipped,
                "files_rejected": len(self.rejected),
                "rows_loaded": self.rows,
                "rows_quarantined": self.quarantined,
                "rows_in_table": rows_in_table,
            },
            check_results=[
                AssetCheckResult(
                    check_name="no_rejected_files",
                    passed=not self.rejected,
                    severity=AssetCheckSeverity.WARN,
                    metadata={
                        "rejected": MetadataValue.md("\n".join(f"- {r}" for r in self.rejected))
                    },
                ),
                AssetCheckResult(
                    check_name="no_quarantined_rows",
                    passed=self.quarantined == 0,
                    severity=AssetCheckSeverity.WARN,
                    metadata={"rows_quarantined": self.quarantined},
                ),
            ],
        )


def _days(stems: set[str]) -> str:
    """The days whose files a run loaded, as a data engineer reads them in the UI."""
    days = sorted(stem for stem in stems if file_day(stem))
    if not days:
        return "none"
    return days[0] if len(days) == 1 else f"{len(days)} days, {days[0]} … {days[-1]}"


def build_raw_asset(schema: EntitySchema) -> AssetsDefinition:
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
    def _raw_asset(
        context: AssetExecutionContext, raw_warehouse: WarehouseResource, sources: SourceClients
    ) -> MaterializeResult:
        with raw_warehouse.connect() as conn:
            ensure_raw_tables(conn, [schema])
            tally = _Tally()
            client = sources.client_for(schema)
            for index, result in enumerate(client.extract(conn, schema, sources.lake), 1):
                tally.add(result, context)
                if index % 100 == 0:
                    context.log.info(f"{schema.table}: {index} files or pages so far")
            total = conn.execute(f"select count(*) from {schema.qualified_table}").fetchone()[0]
        return tally.result(int(total))

    return _raw_asset


def raw_assets_for(source: str) -> list[AssetsDefinition]:
    assets = [build_raw_asset(s) for s in SCHEMAS if s.source == source]
    if not assets:
        known = sorted({s.source for s in SCHEMAS})
        raise ValueError(f"no entity is declared for source {source!r}; known: {known}")
    return assets


@dataclass
class RawSourceComponent(dg.Component, dg.Resolvable):
    """Every declared entity of one source as a raw asset; ``drop_sensor`` adds a job and a
    (stopped) sensor that loads each new drop of the source's files."""

    source: str
    drop_sensor: bool = False

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        assets = raw_assets_for(self.source)
        if not self.drop_sensor:
            return dg.Definitions(assets=assets)
        job = drop_job(self.source, assets)
        landing = Settings.from_env().landing_dir
        return dg.Definitions(
            assets=assets, jobs=[job], sensors=[build_drop_sensor(self.source, landing, job)]
        )
