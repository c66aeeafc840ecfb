"""Run a suite over a raw table with an ephemeral Great Expectations context."""

from __future__ import annotations

from dataclasses import dataclass

from siyu.core.warehouse import psycopg2_sqlalchemy_url
from siyu.quality.suites import SUITES


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int | None


@dataclass(frozen=True)
class ValidationOutcome:
    table: str
    success: bool
    outcomes: list[ExpectationOutcome]

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


def validate_raw_table(warehouse_url: str, table: str) -> ValidationOutcome:
    """Validate raw.<table> against its suite; never raises on failed expectations."""
    if table not in SUITES:
        raise KeyError(f"no expectation suite for raw.{table}; known: {sorted(SUITES)}")
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_postgres(
        name="warehouse", connection_string=psycopg2_sqlalchemy_url(warehouse_url)
    )
    asset = source.add_table_asset(name=table, table_name=table, schema_name="raw")
    batch = asset.add_batch_definition_whole_table("whole_table")
    suite = context.suites.add(gx.ExpectationSuite(name=f"raw_{table}"))
    for expectation in SUITES[table]():
        suite.add_expectation(expectation)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"raw_{table}_validation", data=batch, suite=suite)
    )
    result = definition.run(result_format="SUMMARY")
    outcomes = [
        ExpectationOutcome(
            expectation=r.expectation_config.type,
            column=r.expectation_config.kwargs.get("column"),
            success=bool(r.success),
            unexpected_count=(r.result or {}).get("unexpected_count"),
        )
        for r in result.results
    ]
    return ValidationOutcome(table=table, success=bool(result.success), outcomes=outcomes)
