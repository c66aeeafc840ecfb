"""The dashboards kept as code, imported into a real Superset and looked at in Chromium."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime

import httpx
import pytest
import yaml

from siyu.dashboards.access import DEMO_USER
from siyu.dashboards.superset import SupersetService, bundle_objects
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.fullstack

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def _charts(api: httpx.Client) -> dict[str, dict]:
    result = api.get("/api/v1/chart/", params={"q": "(page_size:100)"}).json()["result"]
    return {c["slice_name"]: c for c in result}


def test_every_chart_of_the_bundle_answers_its_data_api_with_rows(api: httpx.Client) -> None:
    charts = _charts(api)
    names = [c["slice_name"] for c in bundle_objects("charts")]
    assert sorted(charts) == sorted(names)
    for name in names:
        response = api.get(f"/api/v1/chart/{charts[name]['id']}/data/")
        assert response.status_code == 200, (name, response.text[:500])
        result = response.json()["result"][0]
        assert result["error"] is None
        assert result["rowcount"] > 0, name


def _row_key(row: dict) -> str:
    """What a chart's row is of: a brand, a region, an audience cell or a month."""
    for column in ("brand_name", "region"):
        if column in row:
            return row[column]
    if "month_start" in row:  # a time axis, in epoch milliseconds
        return datetime.fromtimestamp(row["month_start"] / 1000, tz=UTC).strftime("%Y-%m")
    return f"{row['audience']}|{row['lifecycle_segment']}|{row['offer_tier']}"


@pytest.mark.parametrize(
    ("chart_name", "metric", "sql", "min_rows"),
    [
        (
            "品牌GMV GMV by brand",
            "total_gmv",
            "select brand_name, sum(mini_program_gmv + offline_gmv) "
            "from marts.fct_private_domain_daily group by 1",
            2,
        ),
        (
            # The group's 2+ brand share beside each brand's cross-purchase rate.
            "跨品牌购买 2+ brand share and cross-purchase rate",
            "cross_purchase_rate",
            "select brand_name, 1.0 * multi_brand_buyers / buyers "
            "from marts.fct_cross_brand_purchase where buyers > 0",
            2,
        ),
        (
            "激活人群 Activation audiences",
            "audience_members",
            "select audience || '|' || lifecycle_segment || '|' || offer_tier, sum(members) "
            "from marts.fct_audience_sizes group by 1",
            2,
        ),
        (
            # Rolled up by fct_guide_monthly, checked against the daily fact it adds up.
            "好友与回复 Friends, transfers and reply rate by region",
            "reply_rate",
            "select region, 1.0 * sum(replied_chats) / sum(chats) "
            "from marts.fct_guide_daily group by 1 having sum(chats) > 0",
            2,
        ),
        (
            # Contacts at the start of each month: the first-of-month stock of the daily fact.
            "好友流失率 Friend churn by month",
            "friend_churn",
            "select to_char(date_day, 'YYYY-MM'), 1.0 * sum(deleted_friends) "
            "/ sum(contacts_at_day_start) filter (where extract(day from date_day) = 1) "
            "from marts.fct_guide_daily group by 1 "
            "having sum(contacts_at_day_start) filter (where extract(day from date_day) = 1) > 0",
            1,  # the tiny world starts on 1 October with no contacts: November only
        ),
    ],
    ids=["gmv-split", "cross-purchase-rate", "audience-sizes", "reply-by-region", "friend-churn"],
)
def test_brand_charts_show_the_marts_figures(
    api: httpx.Client, pipeline_env: dict, chart_name: str, metric: str, sql: str, min_rows: int
) -> None:
    from tests.conftest import query

    chart = _charts(api)[chart_name]
    rows = api.get(f"/api/v1/chart/{chart['id']}/data/").json()["result"][0]["data"]
    shown = {_row_key(r): float(r[metric]) for r in rows if r[metric] is not None}
    expected = {name: float(value) for name, value in query(pipeline_env["WAREHOUSE_URL"], sql)}
    assert len(shown) >= min_rows
    assert shown == pytest.approx(expected, rel=1e-9)


def test_deploying_again_changes_nothing(superset: SupersetService, api: httpx.Client) -> None:
    before = sorted((c["id"], c["slice_name"]) for c in _charts(api).values())
    superset.deploy()
    assert sorted((c["id"], c["slice_name"]) for c in _charts(api).values()) == before
    dashboards = api.get("/api/v1/dashboard/").json()["result"]
    assert sorted(d["dashboard_title"] for d in dashboards) == sorted(
        d["dashboard_title"] for d in bundle_objects("dashboards")
    )


def test_a_chart_edited_through_the_api_exports_back_with_the_dashboards_filters(
    superset: SupersetService, api: httpx.Client
) -> None:
    chart = next(c for c in bundle_objects("charts") if c["viz_type"] == "big_number")
    dashboard = next(
        d
        for d in bundle_objects("dashboards")
        if chart["uuid"]
        in {n.get("meta", {}).get("uuid") for n in d["position"].values() if isinstance(n, dict)}
    )
    chart_id = _charts(api)[chart["slice_name"]]["id"]
    edited = api.put(f"/api/v1/chart/{chart_id}", json={"description": "edited through the API"})
    assert edited.status_code == 200, edited.text[:300]
    dashboard_id = next(
        d["id"]
        for d in api.get("/api/v1/dashboard/").json()["result"]
        if d["dashboard_title"] == dashboard["dashboard_title"]
    )
    export = api.get("/api/v1/dashboard/export/", params={"q": f"!({dashboard_id})"})
    assert export.status_code == 200, export.text[:300]
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        exported = {
            name.split("/", 1)[1]: yaml.safe_load(archive.read(name))
            for name in archive.namelist()
            if name.endswith(".yaml")
        }
    charts = {o["uuid"]: o for k, o in exported.items() if k.startswith("charts/")}
    (exported_dashboard,) = [o for k, o in exported.items() if k.startswith("dashboards/")]
    superset.deploy()  # the bundle back as it is kept
    assert charts[chart["uuid"]]["description"] == "edited through the API"
    # The deploy overwrote the edit: what dashboards/ keeps is what Superset shows (Superset's
    # own import-dashboards leaves a chart it already has as it was).
    restored = api.get(f"/api/v1/chart/{chart_id}").json()["result"]
    assert restored["description"] == chart["description"]
    # Every parameter kept in the bundle comes back (the datasource id is the import's own).
    params = charts[chart["uuid"]]["params"]
    assert {k: params.get(k) for k in chart["params"] if k != "datasource"} == {
        k: v for k, v in chart["params"].items() if k != "datasource"
    }
    filters = exported_dashboard["metadata"]["native_filter_configuration"]
    kept = dashboard["metadata"]["native_filter_configuration"]
    assert [(f["id"], f["name"], f["filterType"]) for f in filters] == [
        (f["id"], f["name"], f["filterType"]) for f in kept
    ]
    assert [f["targets"] for f in filters] == [f["targets"] for f in kept]


def _chart_names(dashboard: dict) -> list[str]:
    return [
        node["meta"]["sliceName"]
        for node in dashboard["position"].values()
        if isinstance(node, dict) and node.get("type") == "CHART"
    ]


# A chart is drawn when its canvas (ECharts) or its table is on the page.
DRAWN = ".dashboard-chart canvas, .dashboard-chart table"
NOVEMBER = (
    "(NATIVE_FILTER-date:(id:NATIVE_FILTER-date,"
    "extraFormData:(time_range:'2025-11-01 : 2025-12-01'),"
    "filterState:(value:'2025-11-01 : 2025-12-01')))"
)


def _rendered(page, names: list[str]) -> dict:
    """Wait until every chart of the dashboard is drawn; what the page then shows."""
    # A locator, not wait_for_function: Superset's content security policy forbids eval.
    page.locator(DRAWN).nth(len(names) - 1).wait_for(state="attached", timeout=90_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(3_000)  # let the charts' entry animation finish
    # The native filters settling can re-mount the grid: wait for the charts once more.
    page.locator(DRAWN).nth(len(names) - 1).wait_for(state="visible", timeout=90_000)
    page.wait_for_timeout(1_000)
    return {
        "shown": [name for name in names if page.get_by_text(name, exact=True).count() > 0],
        "errors": page.locator(
            ".alert-danger, .ant-alert-error, [data-test=error-tooltip], .chart-error"
        ).count(),
        "drawn": page.locator(DRAWN).count(),
    }


def _screenshot(page, names: list[str], path) -> None:
    """A PNG of the dashboard with every chart on it: the native filters settling can re-mount
    the grid just after the charts were drawn (a picture of an empty grid), so shoot, then
    check the charts were still drawn, and shoot again once they are."""
    for _ in range(5):
        page.locator(DRAWN).nth(len(names) - 1).wait_for(state="visible", timeout=90_000)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1_000)
        if page.locator(DRAWN).count() < len(names):
            continue  # re-mounted meanwhile: wait for the charts again
        page.screenshot(path=str(path), full_page=True)
        if page.locator(DRAWN).count() >= len(names):
            return
    raise AssertionError(f"the charts of {path.name} did not stay drawn for a screenshot")


@pytest.mark.parametrize("user", ["admin", DEMO_USER])
@pytest.mark.parametrize("dashboard", bundle_objects("dashboards"), ids=lambda d: d["slug"])
def test_each_dashboard_draws_its_charts_in_chromium(
    superset: SupersetService, dashboard: dict, user: str
) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    suffix = "" if user == "admin" else f"-{user}"
    screenshot = ARTIFACTS / f"{dashboard['slug']}{suffix}.png"
    password = superset.admin_password() if user == "admin" else superset.demo_user_password()
    names = _chart_names(dashboard)
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900},
        )
        page = browser.new_page()
        page.goto(f"{superset.base_url}/login/")
        page.fill("#username", user)
        page.fill("#password", password)
        page.click("[type=submit]")
        page.wait_for_url("**/superset/welcome/**", timeout=60_000)
        url = f"{superset.base_url}/superset/dashboard/{dashboard['slug']}/"
        page.goto(url)
        unfiltered = _rendered(page, names)
        _screenshot(page, names, screenshot)
        title = page.title()
        # The date filter set to November, as the filter bar's Apply would set it.
        page.goto(f"{url}?native_filters={NOVEMBER}")
        filtered = _rendered(page, names)
        filter_bar = page.locator("[data-test=filter-bar]").inner_text()
        browser.close()
    assert title == dashboard["dashboard_title"]
    for state in (unfiltered, filtered):
        assert state["shown"] == names
        assert state["errors"] == 0
        assert state["drawn"] >= len(names)
    assert "2025-11-01" in filter_bar
    assert screenshot.stat().st_size > 20_000
