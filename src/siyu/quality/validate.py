"""Run the raw tables' suites with one ephemeral Great Expectations context.

A run validates each table's new rows: the batches (files) loaded since a blocking suite last
passed over them, as marked in ``raw._load_log.validated_at``. So the cost follows the day's
size, not the history's. A batch whose rows fail stays unmarked, and every later run
validates it again until it is fixed. The whole table is still counted on every run against
the rows the load log says were loaded, so a row that goes missing or is added outside the
loader fails the check whenever it happens."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg import sql

from siyu.core.warehouse import psycopg2_sqlalchemy_url
from siyu.ingest.schemas import BY_TABLE
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
    batches: int = 0  # new batches (files) whose rows were validated
    rows: int = 0  # their rows

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


@dataclass(frozen=True)
class Pending:
    """A table's batches that no blocking suite has passed yet."""

    batch_ids: list[str]
    rows: int
    since: datetime | None  # the oldest one's load time

    def query(self, conn: psycopg.Connection, table: str) -> str:
        """Its rows. The load time bounds the scan (raw tables have a BRIN index on it)."""
        return (
            sql.SQL("select * from {} where _loaded_at >= {} and _batch_id in ({})")
            .format(
                sql.Identifier("raw", table),
                sql.Literal(self.since),
                sql.SQL(", ").join(sql.Literal(b) for b in self.batch_ids),
            )
            .as_string(conn)
        )


def pending_batches(conn: psycopg.Connection, table: str) -> Pending:
    rows = conn.execute(
        "select batch_id, row_count, loaded_at from raw._load_log "
        "where table_name = %s and validated_at is null order by batch_id",
        (table,),
    ).fetchall()
    return Pending(
        batch_ids=[b for b, _, _ in rows],
        rows=sum(int(n) for _, n, _ in rows),
        since=min((at for _, _, at in rows), default=None),
    )


def rows_logged(conn: psycopg.Connection, table: str) -> int:
    """Rows the loader logged for the table, over every batch."""
    (rows,) = conn.execute(
        "select coalesce(sum(row_count), 0) from raw._load_log where table_name = %s",
        (table,),
    ).fetchone()
    return int(rows)


def mark_validated(conn: psycopg.Connection, table: str, batch_ids: list[str]) -> None:
    conn.execute(
        "update raw._load_log set validated_at = now() "
        "where table_name = %s and batch_id = any(%s) and validated_at is null",
        (table, batch_ids),
    )


def validate_raw_tables(
    warehouse_url: str, tables: Iterable[str], data_docs_dir: Path | None = None
) -> dict[str, tuple[ValidationOutcome, ValidationOutcome]]:
    """Each table's (blocking, warnings) outcomes over its new batches, with the whole table's
    row count in the blocking one; never raises on failed expectations. New batches whose
    blocking outcome passed are marked validated. With ``data_docs_dir``, the run's suites
    and results are also rendered there as a Great Expectations Data Docs site
    (``index.html``)."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_postgres(
        name="warehouse", connection_string=psycopg2_sqlalchemy_url(warehouse_url)
    )
    tables = list(tables)
    unknown = [t for t in tables if t not in BY_TABLE]
    if unknown:
        raise KeyError(f"no declared schema for raw.{unknown[0]}")
    definitions = {}
    with psycopg.connect(warehouse_url) as conn:
        pending = {table: pending_batches(conn, table) for table in tables}
        for table in tables:
            whole = source.add_table_asset(name=table, table_name=table, schema_name="raw")
            definitions[(table, "table")] = _definition(
                context,
                whole.add_batch_definition_whole_table("whole_table"),
                f"raw_{table}_table",
                [gx.expectations.ExpectTableRowCountToEqual(value=rows_logged(conn, table))],
            )
            if not pending[table].batch_ids:
                continue
            new_rows = source.add_query_asset(
                name=f"{table}__new_batches", query=pending[table].query(conn, table)
            )
            batch = new_rows.add_batch_definition_whole_table("new_batches")
            suites = suites_for(table, Facts(pending[table].rows))
            kinds = (("blocking", suites.blocking), ("warnings", suites.warnings))
            for kind, expectations in kinds:
                if expectations:
                    definitions[(table, kind)] = _definition(
                        context, batch, f"raw_{table}_{kind}", expectations
                    )
    outcomes = _run_checkpoint(context, definitions, data_docs_dir)
    results = {table: _outcomes(table, outcomes, pending[table]) for table in tables}
    with psycopg.connect(warehouse_url) as conn:
        for table, (blocking, _) in results.items():
            if blocking.success and pending[table].batch_ids:
                mark_validated(conn, table, pending[table].batch_ids)
    return results


def _outcomes(
    table: str, outcomes: dict[tuple[str, str], ValidationOutcome], pending: Pending
) -> tuple[ValidationOutcome, ValidationOutcome]:
    """The table's blocking outcome (its row count, and its new rows' blocking suite) and its
    warnings outcome."""
    parts = [outcomes[key] for key in ((table, "table"), (table, "blocking")) if key in outcomes]
    size = {"batches": len(pending.batch_ids), "rows": pending.rows}
    blocking = ValidationOutcome(
        table,
        all(p.success for p in parts),
        [o for p in parts for o in p.outcomes],
        **size,
    )
    warnings = outcomes.get((table, "warnings"), ValidationOutcome(table, True, []))
    return blocking, ValidationOutcome(table, warnings.success, warnings.outcomes, **size)


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
                    column=r.expectation_config.kwargs.get("column")
                    or (r.expectation_config.meta or {}).get("column"),
                    success=bool(r.success),
                    unexpected_count=_unexpected(r),
                )
                for r in result.results
            ],
        )
    return results


def _unexpected(result) -> int | None:
    """Rows that broke the expectation: its unexpected count, or for a SQL expectation the
    rows its query found."""
    found = result.result or {}
    if "unexpected_count" in found:
        return found["unexpected_count"]
    if result.expectation_config.type == "unexpected_rows_expectation":
        return found.get("observed_value")
    return None


def validate_raw_table(warehouse_url: str, table: str) -> ValidationOutcome:
    """The blocking outcome of one table."""
    return validate_raw_tables(warehouse_url, [table])[table][0]
