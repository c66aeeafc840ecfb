"""Commission statements are re-checkable: a closed month does not move when later data lands."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, query

pytestmark = pytest.mark.fullstack

CUTOFF = "2025-11-14"  # the tiny world runs 2025-10-01 .. 2025-11-29
RATE_CHANGE = "2025-11-15"  # HQ raises brand 1's same-brand rate in stores from this day on
EARLIER_LINES = (
    "select commission_line_id, rule_id, rate, commission_amount from marts.fct_commission_lines "
    f"where line_kind = 'sale' and accrual_date < date '{RATE_CHANGE}' order by 1"
)


def _copy_world(world: Path, target: Path, keep) -> None:
    for path in (p for p in world.rglob("*") if p.suffix in (".csv", ".jsonl")):
        if keep(path):
            destination = target / path.relative_to(world)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, destination)


def _siyu_run(env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "siyu"), "run"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def two_loads(tiny_world: Path, make_database, data_dir: Path, tmp_path_factory) -> dict:
    landing = tmp_path_factory.mktemp("landing-in-two-drops")
    url = make_database("siyu_commission")
    env = {
        **os.environ,
        "WAREHOUSE_URL": url,
        "SIYU_DATA_DIR": str(data_dir / "commission"),
        "SIYU_LANDING_DIR": str(landing),
        "SIYU_PII_KEY": "test-pii-key",
    }
    sql = (
        "select guide_id, accrual_month, ledger_lines, sales_commission, "
        "clawback_commission, commission from marts.fct_commission_statements "
        "where accrual_month = date '2025-10-01' order by guide_id"
    )
    status_sql = (
        "select accrual_month, statement_status, sum(commission), sum(settled_commission), "
        "sum(pending_commission) from marts.fct_commission_statements "
        "group by accrual_month, statement_status order by accrual_month"
    )
    # First drop: every file dated up to the cut-off (and the master data).
    _copy_world(tiny_world, landing, lambda p: p.parent.parent.name == "master" or p.stem <= CUTOFF)
    _siyu_run(env)
    october_first = query(url, sql)
    status_first = query(url, status_sql)
    earlier_lines = query(url, EARLIER_LINES)
    # Second drop: the rest arrives, including November refunds of October sales, and HQ's
    # new rate for brand 1's same-brand sales in its stores from the 15th on.
    _copy_world(tiny_world, landing, lambda p: p.stem > CUTOFF)
    rate_book = landing / "rules" / "commission_rates" / "2025-11-15.csv"
    rate_book.write_text(
        "rule_id,rule_version,brand_id,channel,sale_scope,rate_pct,valid_from\n"
        f"B1-offline-same-v3,3,1,offline,same_brand,2.50,{RATE_CHANGE}\n"
    )
    _siyu_run(env)
    return {
        "url": url,
        "first": october_first,
        "second": query(url, sql),
        "status_first": status_first,
        "status_second": query(url, status_sql),
        "earlier_lines_first": earlier_lines,
        "earlier_lines_second": query(url, EARLIER_LINES),
    }


def test_a_closed_month_gives_the_same_statements_to_the_cent(two_loads: dict) -> None:
    assert two_loads["first"], "October should have statements"
    assert two_loads["second"] == two_loads["first"]


def test_lines_move_estimated_locked_settled_and_pending_is_what_is_not_settled(
    two_loads: dict,
) -> None:
    october, november = dt.date(2025, 10, 1), dt.date(2025, 11, 1)
    # Data through 14 November: October has closed (locked, not yet past the 15-day
    # after-sales window), November is still an estimate; nothing is payable yet.
    first = {
        month: (status, total, settled, pending)
        for month, status, total, settled, pending in two_loads["status_first"]
    }
    assert first[october][0] == "locked" and first[november][0] == "estimated"
    assert all(settled == 0 and pending == total for _, total, settled, pending in first.values())
    # Data through 29 November: October is settled and payable, nothing of it pending.
    second = {
        month: (status, total, settled, pending)
        for month, status, total, settled, pending in two_loads["status_second"]
    }
    assert second[october][0] == "settled"
    assert second[october][2] == second[october][1] and second[october][3] == 0
    assert second[november][0] == "estimated" and second[november][3] == second[november][1]
    # One status per month: every line of a statement shares it.
    mixed = query(
        two_loads["url"],
        "select guide_id, accrual_month from marts.fct_commission_lines "
        "group by guide_id, accrual_month having count(distinct line_status) > 1",
    )
    assert mixed == []


def test_a_new_rate_from_hq_prices_later_lines_and_moves_no_earlier_one(two_loads: dict) -> None:
    # Every line paid before the change keeps its rule and its commission to the cent,
    # closed October and the first half of open November alike (the second drop only adds
    # the lines that arrived late).
    first, second = two_loads["earlier_lines_first"], two_loads["earlier_lines_second"]
    assert first and set(first) <= set(second)
    # Brand 1's same-brand sales in stores: 2 % in October (v1) and from 1 November (v2, the
    # demo world's new season, same rate), 2.5 % from the 15th (v3, the file HQ dropped).
    rules = query(
        two_loads["url"],
        "select case when accrual_date < date '2025-11-01' then 'october' "
        f"when accrual_date < date '{RATE_CHANGE}' then 'early november' "
        "else 'late november' end, rule_id, rate, count(*), "
        "count(*) filter (where commission_amount <> round(base_amount * rate, 2)) "
        "from marts.fct_commission_lines where line_kind = 'sale' and brand_id = 1 "
        "and not is_online and not is_cross_brand group by 1, 2, 3 order by 1, 2",
    )
    assert [(period, rule, rate) for period, rule, rate, _, _ in rules] == [
        ("early november", "B1-offline-same-v2", Decimal("0.0200")),
        ("late november", "B1-offline-same-v3", Decimal("0.0250")),
        ("october", "B1-offline-same-v1", Decimal("0.0200")),
    ]
    assert all(lines > 0 and mispriced == 0 for _, _, _, lines, mispriced in rules)


def test_late_refunds_claw_back_in_the_month_of_the_refund(two_loads: dict) -> None:
    rows = query(
        two_loads["url"],
        "select count(*), sum(l.commission_amount) from marts.fct_commission_lines as l "
        "join marts.fct_commission_lines as s on s.order_line_key = l.order_line_key "
        "and s.line_kind = 'sale' "
        "where l.line_kind = 'clawback' and l.accrual_month > s.accrual_month",
    )
    count, amount = rows[0]
    assert count > 0 and amount < 0


def test_every_ledger_line_traces_to_its_order_line_and_rule(two_loads: dict) -> None:
    untraced = query(
        two_loads["url"],
        "select l.commission_line_id from marts.fct_commission_lines as l "
        "left join intermediate.int_order_lines_credited as c "
        "on c.order_line_key = l.order_line_key "
        "left join staging.stg_rules__commission_rates as r on r.rule_id = l.rule_id "
        "where c.order_line_key is null or r.rule_id is null "
        "or round(abs(l.base_amount) * r.rate, 2) <> abs(l.commission_amount)",
    )
    assert untraced == []


def test_guides_look_like_a_real_sales_force(two_loads: dict) -> None:
    shares = [
        float(share)
        for (share,) in query(
            two_loads["url"],
            "select sum(gmv) / (select sum(gmv) from marts.fct_guide_daily) "
            "from marts.fct_guide_daily group by guide_id order by 1 desc",
        )
    ]
    top_fifth = sum(shares[: max(1, len(shares) // 5)])
    assert top_fifth > 0.4, f"top 20% of guides bring {top_fifth:.0%} of credited GMV"


@pytest.mark.faults
def test_a_corrected_order_of_a_closed_month_is_an_adjustment_in_the_open_month(
    two_loads: dict, tiny_world: Path, fault_table
) -> None:
    url = two_loads["url"]
    landing = Path(query(url, "select source_file from raw._load_log limit 1")[0][0]).parents[2]
    # The mall re-delivers an October order line with a different amount.
    line_key, guide_id, rule_version, rate, commission = query(
        url,
        "select order_line_key, guide_id, rule_version, rate, commission_amount "
        "from marts.fct_commission_lines "
        "where line_kind = 'sale' and order_line_key like 'mall:%' "
        "and accrual_month = date '2025-10-01' order by order_line_key limit 1",
    )[0]
    line_id = line_key.split(":", 1)[1]
    original = next(
        p
        for p in sorted((tiny_world / "mall/order_lines").glob("*.csv"))
        if line_id in p.read_text()
    )
    header, *rows = original.read_text().splitlines()
    columns = header.split(",")
    row = next(r for r in rows if r.startswith(line_id + ","))
    cells = row.split(",")
    cells[columns.index("paid_amount")] = "9999.00"
    correction = landing / "mall/order_lines" / f"{original.stem}-correction.csv"
    correction.write_text(header + "\n" + ",".join(cells) + "\n")
    env = {
        **os.environ,
        "WAREHOUSE_URL": url,
        "SIYU_LANDING_DIR": str(landing),
        "SIYU_PII_KEY": "test-pii-key",
        "SIYU_DATA_DIR": str(landing.parent / "commission-alter"),
    }
    _siyu_run(env)  # the correction does not stop the run
    statements = (
        "select guide_id, accrual_month, ledger_lines, sales_commission, clawback_commission, "
        "commission from marts.{} where accrual_month = date '2025-10-01' order by guide_id"
    )
    locked = query(url, statements.format("fct_commission_statements_locked"))
    told = query(
        url,
        "select string_agg(commission_line_id || ' (' || adjustment_reason || ', rule v' "
        "|| rule_version || ')', ', ') from marts.fct_commission_lines "
        "where line_kind = 'adjustment'",
    )[0][0]
    fault_table(
        "an order of a closed month re-delivered with a changed amount",
        expected=len(two_loads["second"]),
        found=len(locked),
        altered=len(set(locked) ^ set(two_loads["second"])),
        told=f"run succeeds; October statements unchanged; adjustment line {told}",
    )
    # October, paid, stays exactly as it was locked, recomputed or not.
    assert locked == two_loads["second"]
    assert query(url, statements.format("fct_commission_statements")) == two_loads["second"]
    # The change is one adjustment line in the open month, naming the line, rule and reason.
    adjustments = (
        "select guide_id, order_line_key, adjusts_commission_line_id, adjustment_reason, "
        "rule_version, accrual_month, commission_amount from marts.fct_commission_lines "
        "where line_kind = 'adjustment'"
    )
    expected = round(Decimal("9999.00") * rate, 2) - commission
    assert query(url, adjustments) == [
        (
            guide_id,
            line_key,
            f"sale:{line_key}",
            "source_corrected",
            rule_version,
            dt.date(2025, 11, 1),
            expected,
        )
    ]
    november = query(
        url,
        "select adjustment_commission from marts.fct_commission_statements "
        f"where guide_id = {guide_id} and accrual_month = date '2025-11-01'",
    )
    assert november == [(expected,)]
    # Running again on the same files writes nothing new.
    _siyu_run(env)
    assert len(query(url, adjustments)) == 1
