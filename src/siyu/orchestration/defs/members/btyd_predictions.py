"""Churn risk and repurchase: the BG/NBD fit over the BTYD inputs dbt builds, written back.

dbt builds ``intermediate.int_member_btyd_inputs``; this asset fits the model and writes
``ml.member_btyd_predictions`` (P(alive), expected purchases over the horizon) and appends the
fitted parameters to ``ml.btyd_model_fits``; ``dim_members`` joins the predictions back.
"""

import datetime as dt
from pathlib import Path

import pandas as pd
import polars as pl
import yaml
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from siyu.core.paths import DBT_PROJECT_DIR
from siyu.ml.tables import BTYD_MODEL_FITS, MEMBER_BTYD_PREDICTIONS, ML_TABLES
from siyu.orchestration.model_tables import ModelTables

BTYD_INPUTS = AssetKey(["intermediate", "int_member_btyd_inputs"])
PREDICTIONS = AssetKey(["ml", "member_btyd_predictions"])
MIN_REPEAT_BUYERS = 20

DDL = """
create schema if not exists ml;
create table if not exists ml.member_btyd_predictions (
    member_key text primary key,
    p_alive double precision not null,
    expected_purchases double precision not null,
    horizon_days integer not null,
    as_of_date date not null,
    fitted_at timestamptz not null
);
create table if not exists ml.btyd_model_fits (
    fitted_at timestamptz not null,
    as_of_date date,
    customers integer not null,
    repeat_customers integer not null,
    r double precision,
    alpha double precision,
    a double precision,
    b double precision,
    status text not null
);
"""


def horizon_days(project_dir: Path = DBT_PROJECT_DIR) -> int:
    """The dbt var btyd_horizon_days: one setting for the SQL and the model."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    return int(project["vars"]["btyd_horizon_days"])


INPUT_COLUMNS = {
    "member_key": pl.String(),
    "frequency": pl.Int64(),
    "recency": pl.Int64(),
    "t": pl.Int64(),
    "as_of_date": pl.Date(),
}


def _fit_row(fitted_at: dt.datetime, as_of, customers: int, repeat: int, fit=None) -> pl.DataFrame:
    """One row of ml.btyd_model_fits: the fitted parameters, or a skipped fit's counts."""
    parameters = fit.parameters() if fit is not None else {}
    return pl.DataFrame(
        [
            {
                "fitted_at": fitted_at,
                "as_of_date": as_of,
                "customers": customers,
                "repeat_customers": repeat,
                **{name: parameters.get(name) for name in ("r", "alpha", "a", "b")},
                "status": "fitted" if fit is not None else "skipped",
            }
        ],
        schema=ML_TABLES[BTYD_MODEL_FITS],
    )


@asset(
    key=PREDICTIONS,
    deps=[BTYD_INPUTS],
    group_name="members",
    kinds={"pymc", "polars"},
    description=(
        "BG/NBD model (PyMC-Marketing BetaGeoModel, MAP fit) over the members' BTYD inputs: "
        "probability alive and expected purchases over var btyd_horizon_days, per member."
    ),
)
def member_btyd_predictions(
    context: AssetExecutionContext, model_tables: ModelTables
) -> MaterializeResult:
    from siyu.ml.btyd import fit_bg_nbd, predict

    horizon = horizon_days()
    fitted_at = dt.datetime.now(dt.UTC)
    read = model_tables.read(".".join(BTYD_INPUTS.path), INPUT_COLUMNS).sort("member_key")
    inputs = pd.DataFrame(
        read.rename({"member_key": "customer_id", "t": "T"}).to_dict(as_series=False)
    )
    repeat = int((inputs["frequency"] > 0).sum()) if len(inputs) else 0
    as_of = read.get_column("as_of_date").first()
    if repeat < MIN_REPEAT_BUYERS:
        context.log.warning(
            f"only {repeat} repeat buyers (< {MIN_REPEAT_BUYERS}): BG/NBD not fitted, "
            "no predictions written"
        )
        empty = pl.DataFrame(schema=ML_TABLES[MEMBER_BTYD_PREDICTIONS])
        model_tables.replace(MEMBER_BTYD_PREDICTIONS, empty, DDL)
        model_tables.append(BTYD_MODEL_FITS, _fit_row(fitted_at, as_of, len(inputs), repeat), DDL)
        return MaterializeResult(
            metadata={"status": "skipped: too few repeat buyers", "customers": len(inputs)}
        )
    context.log.info(f"fitting BG/NBD on {len(inputs):,} members ({repeat:,} repeat buyers)")
    fit = fit_bg_nbd(inputs)
    predicted = pl.DataFrame(predict(fit, inputs, horizon).to_dict(orient="list"))
    model_tables.replace(
        MEMBER_BTYD_PREDICTIONS,
        predicted.rename({"customer_id": "member_key"})
        .with_columns(
            pl.lit(horizon).alias("horizon_days"),
            pl.lit(as_of).alias("as_of_date"),
            pl.lit(fitted_at).alias("fitted_at"),
        )
        .cast(ML_TABLES[MEMBER_BTYD_PREDICTIONS]),
        DDL,
    )
    model_tables.append(BTYD_MODEL_FITS, _fit_row(fitted_at, as_of, len(inputs), repeat, fit), DDL)
    return MaterializeResult(
        metadata={
            "customers": len(inputs),
            "repeat_customers": repeat,
            "as_of_date": str(as_of),
            **{name: MetadataValue.float(value) for name, value in fit.parameters().items()},
            "mean_p_alive": MetadataValue.float(float(predicted["p_alive"].mean())),
            "expected_purchases_total": MetadataValue.float(
                float(predicted["expected_purchases"].sum())
            ),
        }
    )
