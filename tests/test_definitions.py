"""The Dagster definitions load, and their graph is the lineage a data engineer expects."""

from __future__ import annotations

from dagster import AssetKey

from siyu.ingest.schemas import SCHEMAS


def test_definitions_load_with_every_layer(definitions) -> None:
    graph = definitions.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    for schema in SCHEMAS:
        assert AssetKey(["raw", schema.table]) in keys
        staging = AssetKey(["staging", f"stg_{schema.source}__{schema.entity}"])
        assert staging in keys
        # Lineage: each staging model reads exactly its raw table.
        assert graph.get(staging).parent_keys == {AssetKey(["raw", schema.table])}
        assert graph.get(AssetKey(["raw", schema.table])).group_name == schema.source
    mart = AssetKey(["marts", "fct_private_domain_daily"])
    assert mart in keys
    assert AssetKey(["intermediate", "int_order_lines_unioned"]) in graph.get(mart).parent_keys
    # The BG/NBD asset sits between two dbt steps: BTYD inputs → model → dim_members.
    predictions = AssetKey(["ml", "member_btyd_predictions"])
    assert graph.get(predictions).parent_keys == {
        AssetKey(["intermediate", "int_member_btyd_inputs"])
    }
    staged = AssetKey(["staging", "stg_ml__member_btyd_predictions"])
    assert graph.get(staged).parent_keys == {predictions}
    assert staged in graph.get(AssetKey(["marts", "dim_members"])).parent_keys
    # Identity resolution's graph step sits between the links and the members it names.
    components = AssetKey(["ml", "identifier_components"])
    assert graph.get(components).parent_keys == {
        AssetKey(["intermediate", "int_identity_links"]),
        AssetKey(["intermediate", "int_identifiers_overshared"]),
    }
    staged_components = AssetKey(["staging", "stg_ml__identifier_components"])
    assert graph.get(staged_components).parent_keys == {components}
    identities = AssetKey(["intermediate", "int_member_identities"])
    assert staged_components in graph.get(identities).parent_keys


def test_job_schedule_and_checks(definitions) -> None:
    job = definitions.resolve_job_def("daily_job")
    assert job is not None
    schedule = definitions.resolve_schedule_def("daily_job_schedule")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    checks = {key.name for key in definitions.resolve_asset_graph().asset_check_keys}
    assert "great_expectations_raw_mall__orders" in checks
    assert "unique_stg_mall__orders_order_id" in checks


def test_the_pos_sensor_asks_for_a_run_per_new_drop_only(tmp_path) -> None:
    import json

    from dagster import RunRequest, SkipReason, build_sensor_context

    from siyu.orchestration.components.drop_sensor import build_drop_sensor, drop_job

    day = tmp_path / "pos" / "receipts" / "2025-10-01.csv"
    day.parent.mkdir(parents=True)
    day.write_text("receipt_id\n")
    sensor = build_drop_sensor("pos", tmp_path, drop_job("pos", []))
    context = build_sensor_context()
    first = sensor(context)
    assert isinstance(first, RunRequest)
    assert json.loads(context.cursor) == ["pos/receipts/2025-10-01.csv"]
    assert isinstance(sensor(build_sensor_context(cursor=context.cursor)), SkipReason)
    (tmp_path / "pos" / "receipts" / "2025-10-02.csv").write_text("receipt_id\n")
    later = build_sensor_context(cursor=context.cursor)
    second = sensor(later)
    assert isinstance(second, RunRequest) and second.run_key != first.run_key
    assert "pos/receipts/2025-10-02.csv" in json.loads(later.cursor)


def test_a_runs_events_are_kept_where_another_dagster_process_reads_them(
    tmp_path, monkeypatch
) -> None:
    """Siyu's Dagster home names the event log that keeps its SQLite connections open. What
    a run records (its materialisations, check results, status) is read back by another
    instance, as the webserver reads it, and a dagster.yaml the user wrote stays theirs."""
    import dagster as dg

    from siyu.core.environment import write_dagster_config
    from siyu.orchestration.event_log_storage import KeptConnectionSqliteEventLogStorage

    home = tmp_path / "dagster"
    write_dagster_config(home)
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    @dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="numbers")])
    def numbers():
        yield dg.Output([1, 2])
        yield dg.AssetCheckResult(passed=True)

    job = dg.Definitions(assets=[numbers], jobs=[dg.define_asset_job("j")]).resolve_job_def("j")
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, KeptConnectionSqliteEventLogStorage)
        run_ids = [job.execute_in_process(instance=instance).run_id for _ in range(3)]
    with dg.DagsterInstance.get() as other:
        runs = other.get_runs()
        assert sorted(r.run_id for r in runs) == sorted(run_ids)
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
        key = dg.AssetKey("numbers")
        materialised = other.fetch_materializations(key, limit=10).records
        assert sorted(r.run_id for r in materialised) == sorted(run_ids)
        checks = other.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(key, "positive"), limit=10
        )
        assert sorted(c.run_id for c in checks) == sorted(run_ids)
        assert all(c.status.value == "SUCCEEDED" for c in checks)
    assert (home / "history" / "runs" / f"{run_ids[0]}.db").is_file()

    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    write_dagster_config(home)
    assert (home / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"
