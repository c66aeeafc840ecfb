"""Great Expectations suites over every raw table, generated from the declarations in
``siyu.ingest.schemas`` (never typed a second time).

Each table gets two suites:

- **blocking** (a failure stops what is built downstream): the declared columns and lineage
  columns exactly, required values present, amounts and quantities in their declared range,
  ids known to master data, and as many rows as the load log says were loaded;
- **warnings** (reported, never blocking): formats a source is known to break now and then
  (phones typed at the till or in the mall).

Great Expectations is imported inside the builders: it is slow to import and only needed
when a suite runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from siyu.ingest.loader import LINEAGE_COLUMNS
from siyu.ingest.schemas import BY_TABLE, SCHEMAS, EntitySchema, rules_for

PHONE_PATTERN = r"^(\+?86)?1[3-9][0-9]{9}$"


@dataclass(frozen=True)
class Facts:
    """What a suite compares the table with: the rows the loader logged."""

    rows_loaded: int


@dataclass(frozen=True)
class Suites:
    blocking: list
    warnings: list


def _declared(schema: EntitySchema, facts: Facts) -> list:
    import great_expectations as gx

    expectations: list = [
        gx.expectations.ExpectTableColumnsToMatchSet(
            column_set=[c.name for c in schema.columns] + list(LINEAGE_COLUMNS), exact_match=True
        ),
        gx.expectations.ExpectTableRowCountToEqual(value=facts.rows_loaded),
    ]
    expectations += [
        gx.expectations.ExpectColumnValuesToNotBeNull(column=c.name)
        for c in schema.columns
        if not c.nullable
    ]
    for rule in rules_for(schema.table):
        if rule.kind in ("positive", "non_negative"):
            expectations.append(
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column=rule.column, min_value=0, strict_min=rule.kind == "positive"
                )
            )
        elif rule.kind == "reference" and rule.target:
            expectations.append(_known_to_master(rule.column, *rule.target))
    return expectations


def _known_to_master(column: str, master: str, master_column: str):
    """Every id is in the master table: a query in the warehouse, so its cost does not grow
    with the master's size in Python (a value set of 12,000 guide ids was copied on every
    step of a validation)."""
    import great_expectations as gx

    return gx.expectations.UnexpectedRowsExpectation(
        unexpected_rows_query=(
            f'select * from {{batch}} where "{column}" not in '
            f'(select "{master_column}" from raw.{master} where "{master_column}" is not null)'
        ),
        description=f"{column} is known to raw.{master}",
        meta={"column": column},
    )


def _specific(schema: EntitySchema) -> list:
    """What the declarations cannot say: statuses, and time running forwards."""
    import great_expectations as gx

    if schema.table != "mall__orders":
        return []
    return [
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="status", value_set=["paid", "cancelled"]
        ),
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="paid_at",
            column_B="created_at",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    ]


def _warnings(schema: EntitySchema) -> list:
    import great_expectations as gx

    return [
        gx.expectations.ExpectColumnValuesToMatchRegex(column=c.name, regex=PHONE_PATTERN)
        for c in schema.columns
        if c.name == "phone"
    ]


def suites_for(table: str, facts: Facts) -> Suites:
    schema = BY_TABLE[table]
    return Suites(_declared(schema, facts) + _specific(schema), _warnings(schema))


# Every raw table has its suites.
RAW_TABLES: tuple[str, ...] = tuple(s.table for s in SCHEMAS)
