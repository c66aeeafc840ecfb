"""Issue 16: the same dbt models on Spark, chosen by configuration.

``SIYU_ENGINE=spark siyu run`` over the tiny world loads the files once into both sinks (the
PostgreSQL ledger and raw tables, and Parquet for Spark), builds every model and dbt test on
local Spark (dbt-spark's session method on the pyspark wheel) and every mart then equals the
one the same run on PostgreSQL built, row for row: same keys, same amounts to the cent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import psycopg
import pytest

from siyu.core.spark_thrift import SparkThriftServer
from siyu.core.warehouse import free_port
from siyu.ingest.batch_loader import load_files
from siyu.ingest.lake import write_batches
from siyu.ingest.loader import entity_files
from siyu.ingest.raw_tables import ensure_raw_tables
from siyu.ingest.schemas import SCHEMAS, schema_for
from siyu.quality.engine_parity import difference, mart_differences, parquet_folder
from tests.conftest import REPO_ROOT, query, siyu_run, superset_client

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark_run(
    materialised, pipeline_env: dict, tiny_world: Path, make_database, data_dir: Path
) -> dict:
    """The daily job once more over the same files, with SIYU_ENGINE=spark."""
    home = data_dir / "spark-engine"
    env = {
        **os.environ,
        "WAREHOUSE_URL": make_database("siyu_spark"),
        "SIYU_DATA_DIR": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "SIYU_LANDING_DIR": str(tiny_world),
        "SIYU_PII_KEY": pipeline_env["SIYU_PII_KEY"],
        "SIYU_AS_OF_DATE": pipeline_env["SIYU_AS_OF_DATE"],
        "SIYU_ENGINE": "spark",
        "SIYU_SPARK_DIR": str(home / "spark"),
    }
    output = siyu_run(env)
    return {"env": env, "output": output, "spark_dir": home / "spark"}


@pytest.mark.fullstack
def test_every_mart_on_spark_equals_postgres(spark_run: dict, pipeline_env: dict) -> None:
    assert "daily_job succeeded" in spark_run["output"]
    url = pipeline_env["WAREHOUSE_URL"]
    marts, differing = mart_differences(url, spark_run["spark_dir"])
    manifest = json.loads((REPO_ROOT / "dbt" / "target" / "manifest.json").read_text())
    mart_models = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    ]
    assert marts == len(mart_models) >= 24
    assert not differing, differing
    # Not vacuous: the marts compared hold the world's members and money.
    assert query(url, "select count(*) from marts.dim_members")[0][0] > 1000
    assert query(url, "select sum(gmv) from marts.fct_guide_daily")[0][0] > 0


@pytest.mark.fullstack
def test_spark_lake_holds_every_loaded_row_once(spark_run: dict) -> None:
    """The loader's two sinks agree: each raw table's Parquet holds exactly the rows (file and
    line) its PostgreSQL table holds."""
    url = spark_run["env"]["WAREHOUSE_URL"]
    lake = spark_run["spark_dir"] / "lake" / "raw"
    for schema in SCHEMAS:
        rows = query(url, f"select _batch_id, _source_line from {schema.qualified_table}")
        in_postgres = pl.DataFrame(rows, schema=["_batch_id", "_source_line"], orient="row")
        in_lake = parquet_folder(lake / schema.table).select("_batch_id", "_source_line")
        assert in_lake.height == in_postgres.height, schema.table
        assert in_lake.sort(pl.all()).equals(in_postgres.sort(pl.all())), schema.table


@pytest.fixture(scope="module")
def spark_thrift(spark_run: dict) -> Iterator[SparkThriftServer]:
    """Spark's Thrift server from the same pyspark, over the catalog the run built."""
    server = SparkThriftServer(spark_run["spark_dir"], free_port()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.fullstack
def test_superset_reads_the_spark_marts_through_thrift(
    spark_thrift: SparkThriftServer, superset, pipeline_env: dict
) -> None:
    """Superset registers the Spark Thrift server (PyHive's hive:// in its own environment)
    and SQL Lab's answer from the Spark marts equals PostgreSQL's."""
    # A login of its own: the session's `api` token has expired by the time the Spark run
    # is done (Superset's access tokens live 15 minutes).
    with superset_client(superset, "admin", superset.admin_password()) as api:
        _superset_answers_from_spark(api, spark_thrift, pipeline_env)


def _superset_answers_from_spark(api, spark_thrift: SparkThriftServer, pipeline_env: dict) -> None:
    created = api.post(
        "/api/v1/database/",
        json={
            "database_name": "Siyu on Spark",
            "sqlalchemy_uri": spark_thrift.url,
            "expose_in_sqllab": True,
        },
    )
    assert created.status_code == 201, created.text[:500]
    sql = (
        "select brand_id, sum(gmv) as gmv, count(*) as guide_days from marts.fct_guide_daily "
        "group by brand_id order by brand_id"
    )
    answer = api.post(
        "/api/v1/sqllab/execute/",
        json={
            "database_id": created.json()["id"],
            "sql": sql,
            "schema": "marts",
            "runAsync": False,
        },
    )
    assert answer.status_code == 200, answer.text[:500]
    on_spark = [
        (row["brand_id"], round(float(row["gmv"]), 2), row["guide_days"])
        for row in answer.json()["data"]
    ]
    on_postgres = [
        (brand, round(float(gmv), 2), days)
        for brand, gmv, days in query(pipeline_env["WAREHOUSE_URL"], sql)
    ]
    assert on_spark == on_postgres
    assert len(on_spark) >= 2


def test_loader_writes_a_batch_to_the_lake_once(tiny_world: Path, make_database, tmp_path) -> None:
    """Loading the same files again skips them before either sink: the lake keeps one Parquet
    file per batch, and its rows and typed columns match the raw table's."""
    url = make_database("siyu_lake_loader")
    schema = schema_for("mall", "order_lines")
    files = entity_files(tiny_world, "mall", "order_lines")
    lake = tmp_path / "lake"
    with psycopg.connect(url) as conn:
        ensure_raw_tables(conn, [schema])
        first = list(load_files(conn, files, schema, lake))
        second = list(load_files(conn, files, schema, lake))
    assert {r.status for r in first} == {"loaded"}
    assert {r.status for r in second} == {"skipped"}
    written = sorted(p.name for p in (lake / "raw" / schema.table).glob("*.parquet"))
    assert written == sorted(f"{r.batch_id}.parquet" for r in first)
    rows = parquet_folder(lake / "raw" / schema.table)
    assert rows.height == sum(r.rows for r in first) > 0
    assert rows.schema["created_at"] == pl.Datetime("us")
    assert rows.schema["paid_amount"] == pl.Decimal(18, 2)
    assert rows.schema["_loaded_at"] == pl.Datetime("us", "UTC")
    in_postgres = query(url, f"select count(*), sum(paid_amount) from {schema.qualified_table}")
    assert (rows.height, rows["paid_amount"].sum()) == in_postgres[0]


def test_a_batch_written_again_replaces_its_file(tmp_path) -> None:
    """A load that failed after writing Parquet (its PostgreSQL commit never happened) is
    loaded again next run: the batch's file is rewritten whole, never doubled."""
    schema = schema_for("master", "brands")
    text = {c.name: pl.String for c in schema.columns}
    row = {c.name: "1" if c.kind == "int" else "x" for c in schema.columns}
    frame = pl.DataFrame([row], schema=text).with_columns(
        pl.lit("abc").alias("_batch_id"),
        pl.lit("brands.csv").alias("_source_file"),
        pl.lit("2025-11-01T00:00:00+00:00").alias("_loaded_at"),
        pl.lit(2).alias("_source_line"),
    )
    write_batches(tmp_path, schema, frame)
    write_batches(tmp_path, schema, frame)
    folder = tmp_path / "raw" / schema.table
    assert [p.name for p in folder.iterdir()] == ["abc.parquet"]
    assert parquet_folder(folder).height == 1


def test_the_parity_check_sees_a_cent_a_row_and_a_score() -> None:
    """The mart comparison is not vacuous: one cent, one missing row or a model score off in
    the 5th digit is a difference; the 7th-digit noise of two fits is not."""
    expected = pl.DataFrame(
        {"key": ["a", "b"], "gmv": [10.25, 3.00], "p_alive": [0.4, 0.5]},
        schema={"key": pl.String, "gmv": pl.Decimal(18, 2), "p_alive": pl.Float64},
    )
    same = expected.with_columns(pl.col("p_alive") + 1e-8).reverse()
    assert difference(expected, same) is None
    cent = expected.with_columns(
        pl.when(pl.col("key") == "a").then(10.26).otherwise(3.0).alias("gmv")
    )
    assert "1 of 2 rows differ" in difference(expected, cent.cast(expected.schema))
    assert difference(expected, expected.head(1)) == "1 rows against 2"
    score = expected.with_columns(pl.col("p_alive") + 1e-5)
    assert "2 of 2 rows differ" in difference(expected, score)
