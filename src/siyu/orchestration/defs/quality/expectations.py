"""Great Expectations on every raw table, as Dagster asset checks: per table a blocking
check (a failure stops what is built downstream in the run) and a warning check, over the
batches loaded since the last check passed, plus the whole table's row count. One op
validates its tables with one Great Expectations checkpoint, which also renders the suites
and results as a Data Docs site under <data dir>/great_expectations/data_docs/, linked from
every check result."""

import hashlib
from pathlib import Path

import dagster as dg

from siyu.core.settings import Settings
from siyu.orchestration.resources import WarehouseResource
from siyu.quality.suites import RAW_TABLES
from siyu.quality.validate import ValidationOutcome, validate_raw_tables


def _key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


SPECS = [
    spec
    for table in RAW_TABLES
    for spec in (
        dg.AssetCheckSpec(
            f"great_expectations_raw_{table}",
            asset=_key(table),
            blocking=True,
            description=(
                f"Great Expectations over raw.{table}'s newly loaded batches, from its "
                "declared schema: columns, required values, ranges, master ids, rows as logged "
                "by the loader; and the whole table's rows against the load log. A failure "
                "stops the models built on it."
            ),
        ),
        dg.AssetCheckSpec(
            f"great_expectations_raw_{table}_warnings",
            asset=_key(table),
            description=f"Formats sources break now and then (phones) in raw.{table}.",
        ),
    )
]


def data_docs_dir(settings: Settings, tables: list[str]) -> Path:
    """Where the Data Docs site of one check step's validations is written. Dagster may run
    the checks in several steps, and a Great Expectations site only keeps the results of the
    context that built it last, so each set of tables gets its own site."""
    digest = hashlib.sha1(",".join(sorted(tables)).encode()).hexdigest()[:10]
    return (
        settings.data_dir.resolve() / "great_expectations" / "data_docs" / f"{digest}-{len(tables)}"
    )


def _result(
    table: str,
    name: str,
    outcome: ValidationOutcome,
    severity: dg.AssetCheckSeverity,
    docs: Path,
) -> dg.AssetCheckResult:
    lines = [
        f"| {o.expectation} | {o.column or ''} | {'pass' if o.success else 'FAIL'} | "
        f"{'' if o.unexpected_count is None else o.unexpected_count} |"
        for o in outcome.outcomes
    ]
    return dg.AssetCheckResult(
        asset_key=_key(table),
        check_name=name,
        passed=outcome.success,
        severity=severity,
        metadata={
            "data_docs": dg.MetadataValue.url((docs / "index.html").as_uri()),
            "expectations": len(outcome.outcomes),
            "failed": len(outcome.failed),
            "new_batches": outcome.batches,
            "new_rows": outcome.rows,
            "results": dg.MetadataValue.md(
                "| expectation | column | result | unexpected |\n|---|---|---|---|\n"
                + "\n".join(lines)
            ),
        },
    )


@dg.multi_asset_check(specs=SPECS, can_subset=True, name="great_expectations_raw")
def great_expectations_raw(
    context: dg.AssetCheckExecutionContext, raw_warehouse: WarehouseResource
):
    selected = {key.asset_key.path[-1] for key in context.selected_asset_check_keys}
    tables = [t for t in RAW_TABLES if t in selected]
    docs = data_docs_dir(Settings.from_env(), tables)
    outcomes = validate_raw_tables(raw_warehouse.url, tables, data_docs_dir=docs)
    context.log.info(f"Great Expectations Data Docs: {docs / 'index.html'}")
    for table, (blocking, warnings) in outcomes.items():
        chosen = {k.name for k in context.selected_asset_check_keys if k.asset_key == _key(table)}
        name = f"great_expectations_raw_{table}"
        if name in chosen:
            yield _result(table, name, blocking, dg.AssetCheckSeverity.ERROR, docs)
        if f"{name}_warnings" in chosen:
            yield _result(table, f"{name}_warnings", warnings, dg.AssetCheckSeverity.WARN, docs)
