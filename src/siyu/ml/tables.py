"""The ``ml`` tables Siyu's Python assets write and dbt reads as the ``ml`` source: their
columns and types, one declaration for PostgreSQL's DDL and Spark's Parquet."""

from __future__ import annotations

import polars as pl

UTC_TIME = pl.Datetime("us", "UTC")

IDENTIFIER_COMPONENTS = "ml.identifier_components"
MEMBER_BTYD_PREDICTIONS = "ml.member_btyd_predictions"
BTYD_MODEL_FITS = "ml.btyd_model_fits"

ML_TABLES: dict[str, dict[str, pl.DataType]] = {
    IDENTIFIER_COMPONENTS: {
        "identifier_key": pl.String(),
        "component_key": pl.String(),
        "resolved_at": UTC_TIME,
    },
    MEMBER_BTYD_PREDICTIONS: {
        "member_key": pl.String(),
        "p_alive": pl.Float64(),
        "expected_purchases": pl.Float64(),
        "horizon_days": pl.Int32(),
        "as_of_date": pl.Date(),
        "fitted_at": UTC_TIME,
    },
    BTYD_MODEL_FITS: {
        "fitted_at": UTC_TIME,
        "as_of_date": pl.Date(),
        "customers": pl.Int32(),
        "repeat_customers": pl.Int32(),
        "r": pl.Float64(),
        "alpha": pl.Float64(),
        "a": pl.Float64(),
        "b": pl.Float64(),
        "status": pl.String(),
    },
}
