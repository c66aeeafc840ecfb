"""Run the raw tables' suites with one ephemeral Great Expectations context."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from siyu.core.warehouse import psycopg2_sqlalchemy_url
from siyu.ingest.schemas import BY_TABLE, rules_for
from siyu.quality.suites import Facts, suites_for

DATA_DOCS_SITE = "siyu_raw"


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
    warehouse_url: str, tables: Iterable[str], data_docs_dir: Path | None = None
) -> dict[str, tuple[ValidationOutcome, ValidationOutcome]]:
    """Each table's (blocking, warnings) outcomes; never raises on failed expectations. With
    ``data_docs_dir``, the run's suites and results are also rendered there as a Great
    Expectations Data Docs site (``index.html``)."""
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
    definitions = {}
    for table in tables:
        asset = source.add_table_asset(name=table, table_name=table, schema_name="raw")
        batch = asset.add_batch_definition_whole_table("whole_table")
        suites = suites_for(table, facts[table])
        for kind, expectations in (("blocking", suites.blocking), ("warnings", suites.warnings)):
            if expectations:
                definitions[(table, kind)] = _definition(
                    context, batch, f"raw_{table}_{kind}", expectations
                )
    outcomes = _run_checkpoint(context, definitions, data_docs_dir)
    empty = {kind: ValidationOutcome(table, True, []) for kind in ("blocking", "warnings")}
    return {
        table: tuple(outcomes.get((table, kind), empty[kind]) for kind in ("blocking", "warnings"))
        for table in tables
    }


def _definition(context, batch, name: str, expectations: list):
    import great_expectations as gx

    suite = context.suites.add(gx.ExpectationSuite(name=name))
    for expectation in expectations:
        suite.add_expectation(expectation)
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{name}_validation", data=batch, suite=suite)
    )


def _run_checkpoint(
    context, definitions: dict, data_docs_dir: Path | None
) -> dict[tuple[str, str], ValidationOutcome]:
    """Run every validation in one checkpoint (updating the Data Docs site, if any)."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    if not definitions:
        return {}
    actions = []
    if data_docs_dir is not None:
        context.add_data_docs_site(
            site_name=DATA_DOCS_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs_dir),
                },
            },
        )
        actions.append(UpdateDataDocsAction(name="update_data_docs", site_names=[DATA_DOCS_SITE]))
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name="raw_tables",
            validation_definitions=list(definitions.values()),
            actions=actions,
            result_format="SUMMARY",
        )
    )
    by_suite = {d.suite.name: key for key, d in definitions.items()}
    results = {}
    for result in checkpoint.run().run_results.values():
        table, _ = key = by_suite[result.suite_name]
        results[key] = ValidationOutcome(
            table=table,
            success=bool(result.success),
            outcomes=[
                ExpectationOutcome(
                    expectation=r.expectation_config.type,
                    column=r.expectation_config.kwargs.get("column"),
                    success=bool(r.success),
                    unexpected_count=(r.result or {}).get("unexpected_count"),
                )
                for r in result.results
            ],
        )
    return results


def validate_raw_table(warehouse_url: str, table: str) -> ValidationOutcome:
    """The blocking outcome of one table."""
    return validate_raw_tables(warehouse_url, [table])[table][0]
