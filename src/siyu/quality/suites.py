"""Great Expectations suites guarding the raw boundary, one per raw table they cover.

Great Expectations is imported inside the builders: it is slow to import and only needed
when a suite runs.
"""

from __future__ import annotations

from collections.abc import Callable

SuiteBuilder = Callable[[], list]


def raw_mall__orders() -> list:
    """Mall order headers as they land: keys present, statuses known, paid orders dated."""
    import great_expectations as gx

    return [
        gx.expectations.ExpectTableColumnsToMatchSet(
            column_set=[
                "order_id",
                "member_id",
                "brand_id",
                "share_guide_id",
                "community_group_id",
                "status",
                "created_at",
                "paid_at",
                "updated_at",
                "_batch_id",
                "_source_file",
                "_loaded_at",
                "_source_line",
            ],
            exact_match=True,
        ),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="order_id"),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="member_id"),
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


# raw table -> suite
SUITES: dict[str, SuiteBuilder] = {
    "mall__orders": raw_mall__orders,
}
