"""Run the raw tables' suites with one ephemeral Great Expectations context."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import psycopg

from siyu.core.warehouse import psycopg2_sqlalchemy_url
from siyu.ingest.schemas import BY_TABLE, rules_for
from siyu.quality.suites import Facts, suites_for


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


def facts_for(conn: psycopg.Connection, table: str) -> Facts:
    """Rows the loader logged for the table, and the master ids its rules look up."""
    (rows,) = conn.execute(
        "select coalesce(sum(row_count), 0) from raw._load_log where table_name = %s",
        (table,),
    ).fetchone()
    references = {}
    for rule in rules_for(table):
        if rule.target:
            master, column = rule.target
            values = conn.execute(
                f'select distinct "{column}" from raw.{master} where "{column}" is not null'
            ).fetchall()
            references[rule.reference] = sorted(v for (v,) in values)
    return Facts(int(rows), references)


def validate_raw_tables(
    warehouse_url: str, tables: Iterable[str]
) -> dict[str, tuple[ValidationOutcome, ValidationOutcome]]:
    """Each table's (blocking, warnings) outcomes; never raises on failed expectations."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_postgres(
        name="warehouse", connection_string=psycopg2_sqlalchemy_url(warehouse_url)
    )
    tables = list(tables)
    unknown = [t for t in tables if t not in BY_TABLE]
    if unknown:
        raise KeyError(f"no declared schema for raw.{unknown[0]}")
    with psycopg.connect(warehouse_url) as conn:
        facts = {table: facts_for(conn, table) for table in tables}
    results = {}
    for table in tables:
        asset = source.add_table_asset(name=table, table_name=table, schema_name="raw")
        batch = asset.add_batch_definition_whole_table("whole_table")
        suites = suites_for(table, facts[table])
        results[table] = tuple(
            _run(context, batch, f"raw_{table}_{kind}", table, expectations)
            for kind, expectations in (("blocking", suites.blocking), ("warnings", suites.warnings))
        )
    return results


def _run(context, batch, name: str, table: str, expectations: list) -> ValidationOutcome:
    import great_expectations as gx

    if not expectations:
        return ValidationOutcome(table, True, [])
    suite = context.suites.add(gx.ExpectationSuite(name=name))
    for expectation in expectations:
        suite.add_expectation(expectation)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{name}_validation", data=batch, suite=suite)
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


def validate_raw_table(warehouse_url: str, table: str) -> ValidationOutcome:
    """The blocking outcome of one table."""
    return validate_raw_tables(warehouse_url, [table])[table][0]
