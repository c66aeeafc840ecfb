"""Who sees what: Superset reads the warehouse through a marts-only role, brand users see their
brands' rows only (in every chart and through the chart data API), nobody without a brand
rule sees a row, and brand users get no SQL Lab."""

from __future__ import annotations

import os

import psycopg
import pytest

from siyu.dashboards.access import DEMO_USER, AccessSpec, Brand, demo_user, warehouse_brands
from siyu.dashboards.superset import SupersetService, bundle_objects
from tests.conftest import query, superset_client

pytestmark = pytest.mark.fullstack

NO_RULE_ROLE = "Marts reader without brand rule"
NO_RULE_USER = "no_brand_rule"
COUNT_ROWS = {"expressionType": "SQL", "sqlExpression": "count(*)", "label": "n"}


@pytest.fixture(scope="module")
def brands(pipeline_env: dict) -> list[Brand]:
    return warehouse_brands(pipeline_env["WAREHOUSE_URL"])


@pytest.fixture(scope="module")
def demo_brand_ids(brands: list[Brand], superset: SupersetService) -> set[str]:
    roles = set(demo_user(brands, superset.demo_user_password())["roles"])
    return {b.brand_id for b in brands if b.role in roles}


def _datasets(api) -> dict[str, int]:
    result = api.get("/api/v1/dataset/", params={"q": "(page_size:100)"}).json()["result"]
    return {d["table_name"]: d["id"] for d in result}


def _brand_column(table: str) -> str:
    """The column naming a dataset's brand (`brand_id` unless its extra says otherwise)."""
    dataset = next(d for d in bundle_objects("datasets") if d["table_name"] == table)
    return (dataset.get("extra") or {}).get("siyu_brand_column", "brand_id")


def _brand_ids_through_the_chart_data_api(client, dataset_id: int, column: str) -> set[str]:
    """The brands a user gets from one dataset, asked through POST /api/v1/chart/data."""
    response = client.post(
        "/api/v1/chart/data",
        json={
            "datasource": {"id": dataset_id, "type": "table"},
            "force": True,
            "queries": [
                {
                    "columns": [column],
                    "metrics": [COUNT_ROWS],
                    "row_limit": 1000,
                }
            ],
            "result_format": "json",
            "result_type": "full",
        },
    )
    assert response.status_code == 200, response.text[:500]
    ids = [row[column] for row in response.json()["result"][0]["data"]]
    # A column with nulls (group-wide rows) comes back as floats.
    return {str(int(i)) if isinstance(i, float) else str(i) for i in ids if i is not None}


def test_superset_reads_the_warehouse_as_a_role_that_can_read_marts_only(
    superset: SupersetService, api, pipeline_env: dict
) -> None:
    reader = superset.reader
    database = api.get("/api/v1/database/").json()["result"][0]
    detail = api.get(f"/api/v1/database/{database['id']}/connection").json()["result"]
    assert f"//{reader.name}:" in detail["sqlalchemy_uri"]
    with psycopg.connect(reader.url(pipeline_env["WAREHOUSE_URL"])) as conn:
        assert conn.execute("select count(*) from marts.fct_private_domain_daily").fetchone()[0]
        for table in ("raw.mall__orders", "staging.stg_mall__orders", "siyu_secrets.pii_key"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select 1 from {table} limit 1")
            conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("create table marts.scratch (x int)")
    wrong = reader.url(pipeline_env["WAREHOUSE_URL"]).replace(reader.password, "not-it")
    if "SIYU_TEST_WAREHOUSE_URL" not in os.environ:  # the embedded server checks passwords
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(wrong).close()


def test_a_brand_user_sees_only_their_brands_in_every_dataset(
    superset: SupersetService, api, brands: list[Brand], demo_brand_ids: set[str]
) -> None:
    assert len(demo_brand_ids) == 2 < len(brands)
    datasets = _datasets(api)
    assert sorted(datasets) == sorted(d["table_name"] for d in bundle_objects("datasets"))
    with superset_client(superset, DEMO_USER, superset.demo_user_password()) as brand_user:
        for name, dataset_id in datasets.items():
            column = _brand_column(name)
            everything = _brand_ids_through_the_chart_data_api(api, dataset_id, column)
            seen = _brand_ids_through_the_chart_data_api(brand_user, dataset_id, column)
            # Two brand roles in one group key: the union of both brands, nothing else.
            assert seen == everything & demo_brand_ids, name
            assert len(everything) > len(seen) > 0, name


def test_every_chart_answers_a_brand_user_with_their_brands_figures(
    superset: SupersetService, api, brands: list[Brand], demo_brand_ids: set[str], pipeline_env
) -> None:
    names = {b.brand_id: b.name for b in brands}
    allowed = {names[i] for i in demo_brand_ids}
    charts = api.get("/api/v1/chart/", params={"q": "(page_size:100)"}).json()["result"]
    with superset_client(superset, DEMO_USER, superset.demo_user_password()) as brand_user:
        for chart in charts:
            response = brand_user.get(f"/api/v1/chart/{chart['id']}/data/")
            assert response.status_code == 200, (chart["slice_name"], response.text[:300])
            result = response.json()["result"][0]
            assert result["error"] is None
            assert result["rowcount"] > 0, chart["slice_name"]
            shown = {row["brand_name"] for row in result["data"] if "brand_name" in row}
            assert shown <= allowed, chart["slice_name"]
        gmv = {c["slice_name"]: c["id"] for c in charts}["品牌GMV GMV by brand"]
        rows = brand_user.get(f"/api/v1/chart/{gmv}/data/").json()["result"][0]["data"]
    expected = query(
        pipeline_env["WAREHOUSE_URL"],
        "select brand_name, sum(mini_program_gmv + offline_gmv) "
        "from marts.fct_private_domain_daily where brand_id::text = any(%s) group by 1",
        (sorted(demo_brand_ids),),
    )
    assert {r["brand_name"]: float(r["total_gmv"]) for r in rows} == pytest.approx(
        {name: float(v) for name, v in expected}, rel=1e-9
    )


def test_without_a_brand_rule_a_user_with_access_to_the_marts_sees_no_row(
    superset: SupersetService, api, brands: list[Brand]
) -> None:
    password = "no-rule-" + superset.demo_user_password()
    superset.apply_access(
        AccessSpec(
            database=bundle_objects("databases")[0]["database_name"],
            brands=brands,
            roles_without_rule=[NO_RULE_ROLE],
            users=[
                {"username": NO_RULE_USER, "password": password, "roles": ["Gamma", NO_RULE_ROLE]}
            ],
        )
    )
    with superset_client(superset, NO_RULE_USER, password) as client:
        for name, dataset_id in _datasets(api).items():
            column = _brand_column(name)
            assert _brand_ids_through_the_chart_data_api(client, dataset_id, column) == set(), name


def test_a_brand_user_gets_no_sql_lab(superset: SupersetService, api) -> None:
    database_id = api.get("/api/v1/database/").json()["result"][0]["id"]
    with superset_client(superset, DEMO_USER, superset.demo_user_password()) as brand_user:
        execute = brand_user.post(
            "/api/v1/sqllab/execute/",
            json={
                "database_id": database_id,
                "sql": "select * from marts.fct_private_domain_daily",
                "schema": "marts",
                "runAsync": False,
            },
        )
        assert execute.status_code in (401, 403), execute.text[:300]
        assert brand_user.get("/api/v1/sqllab/").status_code in (401, 403)
