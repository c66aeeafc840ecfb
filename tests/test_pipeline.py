"""The whole Dagster job on the tiny world, and the mart checked against the source files."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from extract.schemas import SCHEMAS
from tests.conftest import query

MONEY = pl.Decimal(18, 2)


def _read(world: Path, source: str, entity: str) -> pl.DataFrame:
    return pl.read_csv(world / source / entity / "*.csv", infer_schema=False)


def expected_private_domain_daily(world: Path) -> pl.DataFrame:
    """fct_private_domain_daily worked out from the generated files alone (kpis.md)."""
    day = pl.col("ts").str.slice(0, 10).str.to_date()
    guides = _read(world, "master", "guides").select("guide_id", "brand_id")
    stores = _read(world, "master", "stores").select("store_id", "brand_id")
    members = _read(world, "mall", "members")
    orders = _read(world, "mall", "orders").filter(pl.col("status") == "paid")
    mall = (
        _read(world, "mall", "order_lines")
        .join(orders, on="order_id")
        .select("member_id", "brand_id", "paid_amount", pl.col("paid_at").alias("ts"))
        .with_columns(online=pl.lit(True))
    )
    sessions = _read(world, "live", "sessions").select("session_id", "brand_id")
    live = (
        _read(world, "live", "live_orders")
        .join(sessions, on="session_id")
        .select("member_id", "brand_id", "paid_amount", pl.col("paid_at").alias("ts"))
        .with_columns(online=pl.lit(True))
    )
    receipts = _read(world, "pos", "receipts").join(stores, on="store_id")
    cards = members.drop_nulls("card_no").select("member_id", pl.col("card_no"))
    pos = (
        _read(world, "pos", "receipt_lines")
        .join(receipts, on="receipt_id", suffix="_receipt")
        .join(cards, left_on="member_card_no", right_on="card_no", how="left")
        .select("member_id", "brand_id", "paid_amount", pl.col("sold_at").alias("ts"))
        .with_columns(online=pl.lit(False))
    )
    lines = pl.concat([mall, live, pos]).with_columns(
        date_day=day, paid_amount=pl.col("paid_amount").cast(MONEY)
    )
    sales = lines.group_by("date_day", "brand_id").agg(
        buyers=pl.col("member_id").drop_nulls().n_unique(),
        mini_program_gmv=pl.col("paid_amount").filter(pl.col("online")).sum(),
        offline_gmv=pl.col("paid_amount").filter(~pl.col("online")).sum(),
    )
    contacts = (
        _read(world, "wecom", "contact_events")
        .rename({"occurred_at": "ts"})
        .with_columns(date_day=day)
        .join(guides, on="guide_id")
    )
    friends = contacts.group_by("date_day", "brand_id").agg(
        new_friends=(pl.col("event_type") == "add").sum(),
        deleted_friends=(pl.col("event_type") == "delete").sum(),
    )
    first = min(lines["date_day"].min(), contacts["date_day"].min())
    last = max(lines["date_day"].max(), contacts["date_day"].max())
    registrations = (
        members.rename({"registered_at": "ts", "register_brand_id": "brand_id"})
        .with_columns(date_day=pl.max_horizontal(day, pl.lit(first)))
        .filter(pl.col("date_day") <= last)
        .group_by("date_day", "brand_id")
        .agg(new_members=pl.len())
    )
    brands = _read(world, "master", "brands").select("brand_id")
    grid = pl.DataFrame({"date_day": pl.date_range(first, last, interval="1d", eager=True)}).join(
        brands, how="cross"
    )
    return (
        grid.join(friends, on=["date_day", "brand_id"], how="left")
        .join(sales, on=["date_day", "brand_id"], how="left")
        .join(registrations, on=["date_day", "brand_id"], how="left")
        .with_columns(pl.col("brand_id").cast(pl.Int64))
        .fill_null(0)
        .sort("brand_id", "date_day")
        .with_columns(members=pl.col("new_members").cum_sum().over("brand_id"))
        .select(
            "date_day",
            "brand_id",
            "new_friends",
            "deleted_friends",
            "buyers",
            "mini_program_gmv",
            "offline_gmv",
            "new_members",
            "members",
        )
        .sort("date_day", "brand_id")
    )


def mart(url: str) -> pl.DataFrame:
    rows = query(
        url,
        "select date_day, brand_id, new_friends, deleted_friends, buyers, mini_program_gmv, "
        "offline_gmv, new_members, members from marts.fct_private_domain_daily "
        "order by date_day, brand_id",
    )
    return pl.DataFrame(
        rows,
        schema=[
            "date_day",
            "brand_id",
            "new_friends",
            "deleted_friends",
            "buyers",
            "mini_program_gmv",
            "offline_gmv",
            "new_members",
            "members",
        ],
        orient="row",
    )


def test_the_whole_graph_materialises_and_every_check_passes(materialised) -> None:
    assert materialised.success
    materialized = {
        e.asset_key.to_user_string()
        for e in materialised.get_asset_materialization_events()
        if e.asset_key is not None
    }
    for schema in SCHEMAS:
        assert f"raw/{schema.table}" in materialized
    assert "marts/fct_private_domain_daily" in materialized
    checks = [
        e.event_specific_data
        for e in materialised.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert len(checks) > 100
    assert [c.check_name for c in checks if not c.passed] == []
    assert any(c.check_name == "great_expectations_raw_mall__orders" for c in checks)


def test_mart_equals_figures_computed_from_the_files(
    materialised, pipeline_env: dict, tiny_world: Path
) -> None:
    assert materialised.success
    actual = mart(pipeline_env["WAREHOUSE_URL"])
    expected = expected_private_domain_daily(tiny_world)
    assert actual.height == expected.height == 60 * 3
    for column in expected.columns:
        got, want = actual[column].to_list(), expected[column].to_list()
        if column.endswith("gmv"):
            got = [Decimal(str(v)) for v in got]
            want = [Decimal(str(v)) for v in want]
        assert got == want, f"{column} differs"
    # The window is the generated one, and there is real activity in it.
    assert actual["date_day"].min() == dt.date(2025, 10, 1)
    assert sum(actual["mini_program_gmv"]) > 0 and sum(actual["offline_gmv"]) > 0


def test_running_the_job_again_loads_nothing_twice_and_gives_the_same_mart(
    materialised, definitions, pipeline_env: dict
) -> None:
    from dagster import DagsterInstance

    url = pipeline_env["WAREHOUSE_URL"]
    before = mart(url)
    raw_before = {
        s.table: query(url, f"select count(*) from {s.qualified_table}")[0][0] for s in SCHEMAS
    }
    with DagsterInstance.ephemeral() as instance:
        again = definitions.resolve_job_def("daily_job").execute_in_process(instance=instance)
    assert again.success
    raw_after = {
        s.table: query(url, f"select count(*) from {s.qualified_table}")[0][0] for s in SCHEMAS
    }
    assert raw_after == raw_before
    assert mart(url).equals(before)


def test_personal_data_stays_in_raw(materialised, pipeline_env: dict) -> None:
    url = pipeline_env["WAREHOUSE_URL"]
    columns = {
        (schema, table, column)
        for schema, table, column in query(
            url,
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema in ('staging', 'intermediate', 'marts')",
        )
    }
    assert not [c for c in columns if c[2] in ("phone", "member_name")]
    masked = query(url, "select phone_masked, phone_hash from staging.stg_mall__members")
    assert masked and all(re.fullmatch(r"1\d{2}\*{4}\d{4}", m) for m, _ in masked)
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for _, h in masked)
    clear = {p for (p,) in query(url, "select phone from raw.mall__members")}
    assert not clear & {h for _, h in masked}


@pytest.mark.parametrize("sql", ["select 1 as one, 'a,b' as two"])
def test_siyu_sql_prints_csv_with_header(
    sql: str, pipeline_env: dict, capsys: pytest.CaptureFixture
) -> None:
    from dagster_project.cli import main

    assert main(["sql", sql]) == 0
    assert capsys.readouterr().out == 'one,two\n1,"a,b"\n'


def test_channels_differ_in_cost_per_follower_as_the_world_was_told(
    materialised, pipeline_env: dict
) -> None:
    from extract.world import AD_PLATFORMS

    rows = query(
        pipeline_env["WAREHOUSE_URL"],
        "select acquisition_channel, sum(spend) / sum(followers_acquired), "
        "sum(followers_retained), sum(followers_acquired) "
        "from marts.fct_acquisition_cohorts group by 1",
    )
    cost = {channel: float(cpf) for channel, cpf, _, _ in rows}
    told = sorted(AD_PLATFORMS, key=lambda p: p[1])
    assert sorted((c for c in cost if c.startswith("ad:")), key=cost.get) == [
        f"ad:{platform}" for platform, _ in told
    ]
    for platform, mean_cost in told:
        assert abs(cost[f"ad:{platform}"] - mean_cost) / mean_cost < 0.15
    assert cost["guide_add"] == 0
    # Some followers are lost within 7 days, most are retained.
    assert all(0 < retained < acquired for _, _, retained, acquired in rows)
