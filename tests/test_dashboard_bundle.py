"""The dashboards as code: a consistent Superset export bundle, declared as dbt exposures."""

from __future__ import annotations

import io
import json
import zipfile

import yaml

from siyu.dashboards.superset import (
    DATABASE_URI_PLACEHOLDER,
    build_bundle,
    bundle_objects,
    dbt_column_docs,
)


def test_bundle_objects_are_linked_by_uuid() -> None:
    databases = bundle_objects("databases")
    datasets = bundle_objects("datasets")
    charts = bundle_objects("charts")
    dashboards = bundle_objects("dashboards")
    uuids = [o["uuid"] for o in databases + datasets + charts + dashboards]
    assert len(uuids) == len(set(uuids))
    assert [d["sqlalchemy_uri"] for d in databases] == [DATABASE_URI_PLACEHOLDER]
    assert {d["database_uuid"] for d in datasets} <= {d["uuid"] for d in databases}
    assert {c["dataset_uuid"] for c in charts} <= {d["uuid"] for d in datasets}
    placed = {
        node["meta"]["uuid"]
        for dash in dashboards
        for node in dash["position"].values()
        if isinstance(node, dict) and node.get("type") == "CHART"
    }
    assert placed == {c["uuid"] for c in charts}
    # A chart without its query context answers /chart/<id>/data/ with 400: keep it.
    for chart in charts:
        assert json.loads(chart["query_context"])["queries"], chart["slice_name"]


def test_the_database_uri_comes_from_the_environment() -> None:
    url = "postgresql://reader:s3cret@db.example:5432/warehouse"
    with zipfile.ZipFile(io.BytesIO(build_bundle(url, docs={}))) as archive:
        names = archive.namelist()
        database = next(n for n in names if "/databases/" in n)
        text = archive.read(database).decode()
    assert "postgresql+psycopg2://reader:s3cret@db.example:5432/warehouse" in text
    assert any(n.endswith("metadata.yaml") for n in names)


def test_every_dashboard_is_a_dbt_exposure_over_the_marts_it_reads(definitions) -> None:
    from siyu.orchestration.components.dbt_project import dbt_project

    manifest = json.loads(dbt_project().manifest_path.read_text())
    exposures = {e["url"].rstrip("/").rsplit("/", 1)[-1]: e for e in manifest["exposures"].values()}
    datasets = {d["uuid"]: (d["schema"], d["table_name"]) for d in bundle_objects("datasets")}
    charts = {c["uuid"]: datasets[c["dataset_uuid"]] for c in bundle_objects("charts")}
    for dash in bundle_objects("dashboards"):
        tables = {
            charts[node["meta"]["uuid"]]
            for node in dash["position"].values()
            if isinstance(node, dict) and node.get("type") == "CHART"
        }
        exposure = exposures[dash["slug"]]
        assert exposure["type"] == "dashboard"
        models = {
            (manifest["nodes"][n]["schema"], manifest["nodes"][n]["name"])
            for n in exposure["depends_on"]["nodes"]
        }
        assert tables <= models


def test_dataset_columns_are_described_as_dbt_describes_them(definitions) -> None:
    """One description per column, written in dbt: the deployed bundle carries it."""
    docs = dbt_column_docs()
    with zipfile.ZipFile(io.BytesIO(build_bundle("postgresql://x@h/db"))) as archive:
        datasets = [
            yaml.safe_load(archive.read(n))
            for n in archive.namelist()
            if "/datasets/" in n and n.endswith(".yaml")
        ]
    assert datasets
    checked = 0
    for dataset in datasets:
        described = docs[(dataset["schema"], dataset["table_name"])]
        for column in dataset["columns"]:
            if column["expression"] is None:
                assert column["description"] == described[column["column_name"]], (
                    dataset["table_name"],
                    column["column_name"],
                )
                assert column["description"], (dataset["table_name"], column["column_name"])
                checked += 1
    assert checked > 30
    # Nobody types them a second time in the YAML kept in dashboards/.
    for dataset in bundle_objects("datasets"):
        assert all(c["description"] is None for c in dataset["columns"] if c["expression"] is None)
