"""Great Expectations suites as Dagster asset checks on the raw tables they guard."""

import dagster as dg
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from siyu.orchestration.resources import WarehouseResource
from siyu.quality.suites import SUITES
from siyu.quality.validate import validate_raw_table


def build_expectation_check(table: str) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(["raw", table]),
        name=f"great_expectations_raw_{table}",
        description=f"Great Expectations suite raw_{table} over raw.{table}.",
        blocking=False,
    )
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        outcome = validate_raw_table(warehouse.url, table)
        lines = [
            f"| {o.expectation} | {o.column or ''} | {'pass' if o.success else 'FAIL'} | "
            f"{'' if o.unexpected_count is None else o.unexpected_count} |"
            for o in outcome.outcomes
        ]
        return AssetCheckResult(
            passed=outcome.success,
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "expectations": len(outcome.outcomes),
                "failed": len(outcome.failed),
                "results": MetadataValue.md(
                    "| expectation | column | result | unexpected |\n|---|---|---|---|\n"
                    + "\n".join(lines)
                ),
            },
        )

    return _check


@dg.definitions
def expectation_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[build_expectation_check(table) for table in SUITES])
