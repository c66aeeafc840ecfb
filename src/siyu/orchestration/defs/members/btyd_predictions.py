"""Churn risk and repurchase: the BG/NBD fit over the BTYD inputs dbt builds, written back.

dbt builds ``intermediate.int_member_btyd_inputs``; this asset fits the model and writes
``ml.member_btyd_predictions`` (P(alive), expected purchases over the horizon) and appends the
fitted parameters to ``ml.btyd_model_fits``; ``dim_members`` joins the predictions back.
"""

import datetime as dt
from pathlib import Path

import pandas as pd
import yaml
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from siyu.core.paths import DBT_PROJECT_DIR
from siyu.orchestration.resources import WarehouseResource

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


@asset(
    key=PREDICTIONS,
    deps=[BTYD_INPUTS],
    group_name="members",
    kinds={"pymc", "postgres"},
    description=(
        "BG/NBD model (PyMC-Marketing BetaGeoModel, MAP fit) over the members' BTYD inputs: "
        "probability alive and expected purchases over var btyd_horizon_days, per member."
    ),
)
def member_btyd_predictions(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    from siyu.ml.btyd import fit_bg_nbd, predict

    horizon = horizon_days()
    fitted_at = dt.datetime.now(dt.UTC)
    with warehouse.connect() as conn:
        conn.execute(DDL)
        rows = conn.execute(
            f"select member_key, frequency, recency, t, as_of_date "
            f"from {'.'.join(BTYD_INPUTS.path)} order by member_key"
        ).fetchall()
        inputs = pd.DataFrame(
            rows, columns=["customer_id", "frequency", "recency", "T", "as_of_date"]
        )
        repeat = int((inputs["frequency"] > 0).sum()) if len(inputs) else 0
        as_of = inputs["as_of_date"].iloc[0] if len(inputs) else None
        conn.execute("truncate ml.member_btyd_predictions")
        if repeat < MIN_REPEAT_BUYERS:
            context.log.warning(
                f"only {repeat} repeat buyers (< {MIN_REPEAT_BUYERS}): BG/NBD not fitted, "
                "no predictions written"
            )
            conn.execute(
                "insert into ml.btyd_model_fits (fitted_at, as_of_date, customers, "
                "repeat_customers, status) values (%s, %s, %s, %s, 'skipped')",
                (fitted_at, as_of, len(inputs), repeat),
            )
            return MaterializeResult(
                metadata={"status": "skipped: too few repeat buyers", "customers": len(inputs)}
            )
        context.log.info(f"fitting BG/NBD on {len(inputs):,} members ({repeat:,} repeat buyers)")
        fit = fit_bg_nbd(inputs)
        predicted = predict(fit, inputs, horizon)
        with (
            conn.cursor() as cur,
            cur.copy(
                "copy ml.member_btyd_predictions (member_key, p_alive, expected_purchases, "
                "horizon_days, as_of_date, fitted_at) from stdin"
            ) as copy,
        ):
            for member_key, p_alive, expected in predicted.itertuples(index=False):
                copy.write_row((member_key, p_alive, expected, horizon, as_of, fitted_at))
        conn.execute(
            "insert into ml.btyd_model_fits values (%s, %s, %s, %s, %s, %s, %s, %s, 'fitted')",
            (fitted_at, as_of, len(inputs), repeat, fit.r, fit.alpha, fit.a, fit.b),
        )
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
