"""Members across brands: a hand-made world of a few people, run through the real pipeline,
checked against figures worked out by hand (as of 2025-12-31)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from siyu.ingest.schemas import schema_for
from tests.conftest import REPO_ROOT, query

pytestmark = pytest.mark.fullstack

AS_OF = "2025-12-31"

# Phones as the mall sends them; P9 is a store's own phone typed in for six walk-ins.
P1, P2, P3, P4, P5, P9 = (f"1380000000{i}" for i in (1, 2, 3, 4, 5, 9))


def _account(member_id, union_id, openid, phone, card, brand, store, registered):
    return {
        "member_id": member_id,
        "union_id": union_id,
        "openid": openid,
        "phone": phone,
        "member_name": f"member {member_id}",
        "card_no": card,
        "register_brand_id": brand,
        "register_store_id": store,
        "registered_at": registered,
        "updated_at": registered,
    }


def _order(order_id, member_id, brand, paid_at, sku, amount, list_price):
    order = {
        "order_id": order_id,
        "member_id": member_id,
        "brand_id": brand,
        "status": "paid",
        "created_at": paid_at,
        "paid_at": paid_at,
        "updated_at": paid_at,
    }
    line = {
        "order_line_id": f"{order_id}-1",
        "order_id": order_id,
        "sku_id": sku,
        "quantity": 1,
        "unit_price": list_price,
        "paid_amount": amount,
        "created_at": paid_at,
    }
    return order, line


def rate_book(brands, version, valid_from, online_same="3.00"):
    """HQ's commission rates for ``brands``, as the rules source delivers them."""
    rates = {
        ("online", "same_brand"): online_same,
        ("online", "cross_brand"): "4.00",
        ("offline", "same_brand"): "2.00",
        ("offline", "cross_brand"): "3.00",
    }
    return [
        {
            "rule_id": f"B{brand}-{channel}-{scope.split('_')[0]}-v{version}",
            "rule_version": version,
            "brand_id": brand,
            "channel": channel,
            "sale_scope": scope,
            "rate_pct": rate,
            "valid_from": valid_from,
        }
        for brand in brands
        for (channel, scope), rate in rates.items()
    ]


PRODUCTS = {"S1": (1, "1000.00"), "S2": (2, "300.00"), "S3": (3, "400.00")}

ORDERS = [
    # Alice: account 1 (brand 1) buys a down jacket on Double 11 2024.
    _order("O1", 1, 1, "2024-11-11 10:00:00", "S1", "1000.00", "1000.00"),
    # Alice's second account (brand 2's mini-program, same phone).
    _order("O2", 2, 2, "2025-03-05 10:00:00", "S2", "200.00", "300.00"),
    # Bob, new this month.
    _order("O3", 3, 2, "2025-12-16 10:00:00", "S2", "500.00", "300.00"),
    # Carol, who followed an ad before registering, buys brands 1 and 3.
    _order("O4", 4, 1, "2025-07-02 10:00:00", "S1", "100.00", "1000.00"),
    _order("O5", 4, 3, "2025-07-03 10:00:00", "S3", "80.00", "400.00"),
    # Dave buys brand 3 twice, 100 days apart, long ago.
    _order("O6", 5, 3, "2024-06-01 10:00:00", "S3", "400.00", "400.00"),
    _order("O7", 5, 3, "2024-09-09 10:00:00", "S3", "400.00", "400.00"),
    # Frank, a WeCom contact of guide 2, bought brands 2 and 1 a year ago.
    _order("O8", 12, 2, "2024-12-01 10:00:00", "S2", "250.00", "300.00"),
    _order("O9", 12, 1, "2024-12-02 10:00:00", "S1", "600.00", "1000.00"),
]

WORLD = {
    ("master", "brands"): [
        {
            "brand_id": 1,
            "brand_code": "BSD",
            "brand_name": "Boreal Down",
            "category": "down_jacket",
        },
        {"brand_id": 2, "brand_code": "XJ", "brand_name": "Xuejing", "category": "womenswear"},
        {"brand_id": 3, "brand_code": "HG", "brand_name": "Harbor Gent", "category": "menswear"},
    ],
    ("master", "stores"): [
        {
            "store_id": s,
            "brand_id": s,
            "store_name": f"store {s}",
            "city": "Shanghai",
            "region": "East",
        }
        for s in (1, 2, 3)
    ],
    ("master", "guides"): [
        {"guide_id": g, "guide_code": f"G{g}", "home_store_id": g, "brand_id": g} for g in (1, 2, 3)
    ],
    ("master", "products"): [
        {"sku_id": sku, "spu_id": f"P{sku}", "brand_id": brand, "list_price": price}
        for sku, (brand, price) in PRODUCTS.items()
    ],
    ("master", "ad_campaigns"): [
        {"platform": "tencent_ads", "campaign_id": "CMP1", "campaign_name": "BSD", "brand_id": 1}
    ],
    ("mall", "members"): [
        _account(1, "uA", "oA", P1, "C1", 1, 1, "2024-01-10 09:00:00"),
        _account(2, "uA2", "oA2", P1, None, 2, 2, "2025-03-01 09:00:00"),
        _account(3, "uB", "oB", P2, None, 2, 2, "2025-12-15 09:00:00"),
        _account(4, "uC", "oC", P3, None, 1, 1, "2025-07-01 09:00:00"),
        _account(5, "uD", "oD", P4, None, 3, 3, "2023-01-01 09:00:00"),
        *(
            _account(m, f"uW{m}", f"oW{m}", P9, None, 1, 1, f"2025-05-0{m - 5} 12:00:00")
            for m in range(6, 12)
        ),
        _account(12, "uF", "oF", P5, None, 2, 2, "2024-01-01 09:00:00"),
    ],
    ("mall", "orders"): [order for order, _ in ORDERS],
    ("mall", "order_lines"): [line for _, line in ORDERS],
    # HQ's rule book: a down-jacket brand stays active a year, brand 3 derives its
    # thresholds from its own purchase gaps.
    ("rules", "commission_rates"): rate_book((1, 2, 3), 1, "2020-01-01"),
    ("rules", "lifecycle_thresholds"): [
        {
            "brand_id": brand,
            "threshold_rule": rule,
            "new_days": 30,
            "active_days": active,
            "sleeping_days": sleeping,
            "pre_churn_days": pre_churn,
            "valid_from": "2020-01-01",
        }
        for brand, rule, active, sleeping, pre_churn in (
            (1, "fixed", 365, 540, 730),
            (2, "fixed", 180, 365, 540),
            (3, "gap_percentiles", None, None, None),
        )
    ],
    ("mall", "refunds"): [
        {
            "refund_id": "R1",
            "order_line_id": "O2-1",
            "refund_amount": "50.00",
            "refunded_at": "2025-03-10 10:00:00",
        }
    ],
    ("pos", "receipts"): [
        # Alice pays in a brand 2 store with her card (account 1).
        {
            "receipt_id": "PR1",
            "store_id": 2,
            "guide_id": None,
            "member_card_no": "C1",
            "sold_at": "2025-12-20 15:00:00",
        }
    ],
    ("pos", "receipt_lines"): [
        {
            "receipt_line_id": "PL1",
            "receipt_id": "PR1",
            "sku_id": "S2",
            "quantity": 1,
            "paid_amount": "300.00",
            "sold_at": "2025-12-20 15:00:00",
        }
    ],
    ("ads", "follow_events"): [
        {
            "event_id": "F1",
            "platform": "tencent_ads",
            "campaign_id": "CMP1",
            "openid": "oC",
            "event_type": "follow",
            "occurred_at": "2025-06-01 20:00:00",
        }
    ],
    ("wecom", "contact_events"): [
        # Eve: a contact with no UnionID (an unknown member).
        {
            "event_id": "E1",
            "guide_id": 1,
            "external_user_id": "wE",
            "union_id": None,
            "event_type": "add",
            "add_way": "guide",
            "occurred_at": "2025-10-01 11:00:00",
        },
        {
            "event_id": "E2",
            "guide_id": 2,
            "external_user_id": "wF",
            "union_id": "uF",
            "event_type": "add",
            "add_way": "guide",
            "occurred_at": "2024-02-01 11:00:00",
        },
        # Bob scans brand 2's store QR code the day he registers.
        {
            "event_id": "E3",
            "guide_id": 2,
            "external_user_id": "wB",
            "union_id": "uB",
            "event_type": "add",
            "add_way": "store_qr",
            "occurred_at": "2025-12-15 10:00:00",
        },
    ],
    ("ads", "tencent_ads_reports"): [
        # Tencent reports cost in fen: 1500 fen = 15.00 RMB for Carol's follow.
        {
            "date": "2025-06-01",
            "campaign_id": "CMP1",
            "campaign_name": "BSD",
            "view_count": 1000,
            "valid_click_count": 20,
            "follow_count": 1,
            "cost": 1500,
        }
    ],
    ("mall", "coupons"): [
        # Bob claims a guide's coupon 30 minutes before paying with it.
        {
            "coupon_id": "CP1",
            "member_id": 3,
            "brand_id": 2,
            "source_channel": "guide",
            "guide_id": 2,
            "discount_amount": "50.00",
            "claimed_at": "2025-12-16 09:30:00",
        },
        # Alice gets one from the ad funnel, is reminded, never uses it.
        {
            "coupon_id": "CP2",
            "member_id": 1,
            "brand_id": 1,
            "source_channel": "ad",
            "campaign_id": "CMP1",
            "discount_amount": "100.00",
            "claimed_at": "2025-12-01 10:00:00",
        },
    ],
    ("mall", "coupon_reminders"): [
        {"reminder_id": "CR1", "coupon_id": "CP2", "sent_at": "2025-12-05 10:00:00"}
    ],
    ("mall", "coupon_redemptions"): [
        {"coupon_id": "CP1", "order_id": "O3", "redeemed_at": "2025-12-16 10:00:00"}
    ],
}


def _write_world(root: Path, world: dict | None = None) -> None:
    """One file per (source, entity), or per (source, entity, file name) for a source that
    delivers the same entity more than once."""
    for (source, entity, *name), rows in (WORLD if world is None else world).items():
        columns = [c.name for c in schema_for(source, entity).columns]
        folder = root / source / entity
        folder.mkdir(parents=True, exist_ok=True)
        with open(
            folder / f"{name[0] if name else entity}.csv", "w", newline="", encoding="utf-8"
        ) as f:
            writer = csv.writer(f)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])


@pytest.fixture(scope="module")
def members_run(make_database, data_dir: Path, tmp_path_factory) -> dict:
    landing = tmp_path_factory.mktemp("hand-made-world")
    _write_world(landing)
    url = make_database("siyu_members")
    env = {
        **os.environ,
        "WAREHOUSE_URL": url,
        "SIYU_DATA_DIR": str(data_dir / "members"),
        "SIYU_LANDING_DIR": str(landing),
        "SIYU_PII_KEY": "test-pii-key",
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "siyu"), "run", "--as-of", AS_OF],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {"url": url, "env": env}


def _member_of(url: str, identifier_key: str) -> str:
    return query(
        url,
        "select member_key from intermediate.int_member_identities where identifier_key = %s",
        (identifier_key,),
    )[0][0]


def test_people_resolve_into_members_and_unknowns_stay_apart(members_run: dict) -> None:
    url = members_run["url"]
    # Alice (2 accounts + a POS card), Bob, Carol (ad follower then account), Dave, Frank
    # (account + WeCom contact); Eve (a WeCom contact with no UnionID) stays a member apart,
    # known but not unknown: kpis.md's unknown member has a social identity (UnionID or OpenID)
    # and no verified phone, as the six walk-ins sharing a store phone (which links nobody) do.
    rows = query(
        url, "select is_unknown, count(*), sum(mall_accounts) from marts.dim_members group by 1"
    )
    assert dict((unknown, (n, int(accounts))) for unknown, n, accounts in rows) == {
        False: (6, 6),
        True: (6, 6),
    }
    (eve_unknown,) = query(
        url,
        "select is_unknown from marts.dim_members where member_key = %s",
        (_member_of(url, "wecom_external_id:wE"),),
    )[0]
    assert eve_unknown is False
    alice = _member_of(url, "mall_account:1")
    assert _member_of(url, "mall_account:2") == alice
    assert _member_of(url, "card_no:C1") == alice
    assert _member_of(url, "wecom_external_id:wF") == _member_of(url, "mall_account:12")
    walk_ins = {_member_of(url, f"mall_account:{m}") for m in range(6, 12)}
    assert len(walk_ins) == 6
    # The store phone is in the audit table and linked nobody.
    ((kind, sharing),) = query(
        url, "select identifier_type, accounts_sharing from intermediate.int_identifiers_overshared"
    )
    assert (kind, sharing) == ("phone", 6)


def test_merges_keep_the_older_key_and_are_logged(members_run: dict) -> None:
    url = members_run["url"]
    merges = query(
        url,
        "select absorbed_root_identifier_key, surviving_root_identifier_key, merged_at "
        "from intermediate.int_member_merges order by merged_at",
    )
    assert merges == [
        ("union_id:uA2", "union_id:uA", dt.datetime(2025, 3, 1, 9)),
        # Carol followed the ad (OpenID oC) a month before she registered: her key is the
        # follower's, older than her account's.
        ("union_id:uC", "openid:oC", dt.datetime(2025, 7, 1, 9)),
    ]
    carol = _member_of(url, "mall_account:4")
    assert carol == _member_of(url, "openid:oC")


def test_member_360_worked_out_by_hand(members_run: dict) -> None:
    url = members_run["url"]
    alice = _member_of(url, "mall_account:1")
    row = query(
        url,
        "select first_purchase_date, last_purchase_date, orders, brands_bought, channels_used, "
        "lifetime_net_sales, lifecycle_segment, home_brand_id, btyd_frequency, btyd_recency, "
        "btyd_t from marts.dim_members where member_key = %s",
        (alice,),
    )[0]
    # 1000 + 200 − 50 refund + 300 at the POS = 1450.00; three purchase days.
    assert row == (
        dt.date(2024, 11, 11),
        dt.date(2025, 12, 20),
        3,
        2,
        "mall,pos",
        Decimal("1450.00"),
        "active",
        1,
        2,
        404,
        415,
    )
    frank = _member_of(url, "mall_account:12")
    ((guide,),) = query(
        url, "select service_guide_id from marts.dim_members where member_key = %s", (frank,)
    )
    assert guide == 2


def test_segments_follow_each_brands_thresholds(members_run: dict) -> None:
    url = members_run["url"]
    segments = {
        (member, brand): segment
        for member, brand, segment in query(
            url,
            "select i.identifier_key, s.brand_id, s.lifecycle_segment "
            "from marts.fct_member_brand_summary as s join intermediate.int_member_identities "
            "as i on i.member_key = s.member_key and i.identifier_type = 'mall_account' "
            "where i.identifier_value in ('1', '3', '4', '5', '12')",
        )
    }
    assert segments == {
        # Alice: brand 1 (down jackets, active ≤ 365 d) last bought 415 days ago → sleeping;
        # brand 2 (her second account registered there) bought 11 days ago → active.
        ("mall_account:1", 1): "sleeping",
        ("mall_account:1", 2): "active",
        # Bob: registered and bought brand 2 this month → new.
        ("mall_account:3", 2): "new",
        # Carol: brand 1 182 days ago (≤ 365) → active; brand 3 derives its thresholds from
        # its own purchase gaps (one gap of 100 days) → 181 days is churned.
        ("mall_account:4", 1): "active",
        ("mall_account:4", 3): "churned",
        ("mall_account:5", 3): "churned",
        # Frank: brand 2 395 days ago (pre-churn 366–540); brand 1 394 days (sleeping ≤ 540).
        ("mall_account:12", 2): "pre_churn",
        ("mall_account:12", 1): "sleeping",
    }
    # Dave: by the group's default thresholds, 478 days is pre-churn.
    dave = _member_of(url, "mall_account:5")
    ((segment,),) = query(
        url, "select lifecycle_segment from marts.dim_members where member_key = %s", (dave,)
    )
    assert segment == "pre_churn"
    # Alice's brand 2 came back from sleeping in December (purchase on the 20th).
    moves = query(
        url,
        "select previous_segment, lifecycle_segment, members "
        "from marts.fct_member_lifecycle_monthly "
        "where brand_id = 2 and month_start = date '2025-12-01' order by 1, 2",
    )
    assert ("sleeping", "active", 1) in moves
    assert ("none", "new", 1) in moves  # Bob appears


def test_cross_brand_figures_worked_out_by_hand(members_run: dict) -> None:
    url = members_run["url"]
    # Window: 2025-01-01 .. 2025-12-31. Alice bought brand 2 (two days), Bob brand 2,
    # Carol brands 1 and 3; Dave and Frank did not buy in the window.
    scopes = {
        brand: (buyers, multi, repeat, repeat_multi)
        for _, brand, buyers, multi, repeat, repeat_multi in query(
            url,
            "select scope, brand_id, buyers, multi_brand_buyers, repeat_buyers, "
            "repeat_multi_brand_buyers from marts.fct_cross_brand_purchase",
        )
    }
    assert scopes == {None: (3, 1, 2, 1), 1: (1, 1, 1, 1), 2: (2, 0, 1, 0), 3: (1, 1, 1, 1)}
    affinity = {
        (a, b): (of_a, both)
        for a, b, of_a, both in query(
            url,
            "select brand_a_id, brand_b_id, buyers_of_a, buyers_of_both "
            "from marts.fct_cross_brand_affinity",
        )
    }
    assert affinity == {
        (1, 2): (1, 0),
        (1, 3): (1, 1),
        (2, 1): (2, 0),
        (2, 3): (2, 0),
        (3, 1): (1, 1),
        (3, 2): (1, 0),
    }


def test_channels_worked_out_by_hand(members_run: dict) -> None:
    url = members_run["url"]
    cohorts = {
        (channel, str(day)): (acquired, spend, gmv, converted)
        for channel, day, acquired, spend, gmv, converted in query(
            url,
            "select acquisition_channel, acquisition_date, followers_acquired, spend, "
            "attributed_gmv, converted_followers from marts.fct_acquisition_cohorts",
        )
    }
    assert cohorts == {
        # Carol's follow cost 15.00; her first purchase came 30 days 14 hours later: outside
        # the 30-day attribution window, so no GMV and no conversion.
        ("ad:tencent_ads", "2025-06-01"): (1, Decimal("15.00"), Decimal("0.00"), 0),
        # Bob scanned the store QR code and bought 500.00 the next day.
        ("store_qr", "2025-12-15"): (1, Decimal("0.00"), Decimal("500.00"), 1),
        ("guide_add", "2025-10-01"): (1, Decimal("0.00"), Decimal("0.00"), 0),
        ("guide_add", "2024-02-01"): (1, Decimal("0.00"), Decimal("0.00"), 0),
    }
    funnel = query(
        url,
        "select claimed_date, source_channel, brand_id, coupons_claimed, coupons_redeemed, "
        "redeemed_within_quick_window, coupons_reminded, redeemed_after_reminder, "
        "discount_cost, redeemed_order_gmv from marts.fct_coupon_funnel order by 1",
    )
    assert funnel == [
        (dt.date(2025, 12, 1), "ad", 1, 1, 0, 0, 1, 0, Decimal("0.00"), Decimal("0.00")),
        (dt.date(2025, 12, 16), "guide", 2, 1, 1, 1, 0, 0, Decimal("50.00"), Decimal("500.00")),
    ]
    daily = {
        (str(day), brand): (mini, offline, private)
        for day, brand, mini, offline, private in query(
            url,
            "select date_day, brand_id, mini_program_gmv, offline_gmv, private_domain_gmv "
            "from marts.fct_private_domain_daily "
            "where date_day in ('2025-12-16', '2025-12-20') and brand_id = 2",
        )
    }
    # Online GMV is private-domain GMV; Alice's POS purchase is not (no guide relationship).
    assert daily == {
        ("2025-12-16", 2): (Decimal("500.00"), Decimal("0.00"), Decimal("500.00")),
        ("2025-12-20", 2): (Decimal("0.00"), Decimal("300.00"), Decimal("0.00")),
    }


def test_winback_audience_exports_as_csv(members_run: dict, tmp_path: Path) -> None:
    out = tmp_path / "winback.csv"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "siyu"),
            "audience",
            "export",
            "audience_winback",
            "--out",
            str(out),
        ],
        env=members_run["env"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    with open(out, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    url = members_run["url"]
    alice, frank = _member_of(url, "mall_account:1"), _member_of(url, "mall_account:12")
    got = {
        (r["member_key"], r["brand_id"]): (
            r["lifecycle_segment"],
            r["service_guide_id"],
            r["average_order_value"],
            r["average_discount"],
            r["offer_tier"],
        )
        for r in rows
    }
    assert got == {
        (alice, "1"): ("sleeping", "", "1000.00", "0.0000", "tier_1"),
        (frank, "1"): ("sleeping", "2", "600.00", "0.4000", "tier_2"),
        (frank, "2"): ("pre_churn", "2", "250.00", "0.1667", "tier_3"),
    }
    # The audience sizes the Members dashboard shows are the exported rows.
    sizes = query(
        url,
        "select brand_id, lifecycle_segment, offer_tier, members from marts.fct_audience_sizes "
        "where audience = 'audience_winback' and members > 0 order by 1, 2, 3",
    )
    assert sizes == [
        (1, "sleeping", "tier_1", 1),
        (1, "sleeping", "tier_2", 1),
        (2, "pre_churn", "tier_3", 1),
    ]
    # Every brand has every win-back cell, 0 where its list is empty.
    ((cells,),) = query(
        url, "select count(*) from marts.fct_audience_sizes where audience = 'audience_winback'"
    )
    assert cells == 6 * len(query(url, "select 1 from staging.stg_master__brands"))


def test_keys_stay_when_identifiers_arrive_and_a_merge_keeps_the_older_key(
    members_run: dict,
) -> None:
    """Runs last: lands a second drop and runs again."""
    url, env = members_run["url"], members_run["env"]
    keys_before = {k for (k,) in query(url, "select member_key from marts.dim_members")}
    dave = _member_of(url, "mall_account:5")
    bob = _member_of(url, "mall_account:3")
    landing = Path(env["SIYU_LANDING_DIR"])
    later = {
        # Dave opens a second account with his phone; Bob is added by a guide in WeCom.
        ("mall", "members"): [
            _account(13, "uD2", "oD2", P4, None, 2, 2, "2026-01-05 09:00:00"),
        ],
        ("wecom", "contact_events"): [
            {
                "event_id": "E9",
                "guide_id": 3,
                "external_user_id": "wB2",
                "union_id": "uB",
                "event_type": "add",
                "add_way": "guide",
                "occurred_at": "2026-01-06 10:00:00",
            }
        ],
    }
    for (source, entity), rows in later.items():
        columns = [c.name for c in schema_for(source, entity).columns]
        with open(landing / source / entity / "2026-01-06.csv", "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    result = subprocess.run(
        [str(Path(sys.executable).parent / "siyu"), "run", "--as-of", "2026-01-31"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert _member_of(url, "mall_account:13") == dave == _member_of(url, "mall_account:5")
    assert _member_of(url, "wecom_external_id:wB2") == bob == _member_of(url, "mall_account:3")
    keys_after = {k for (k,) in query(url, "select member_key from marts.dim_members")}
    assert keys_after == keys_before  # nobody new, nobody renamed
    merges = query(
        url,
        "select absorbed_root_identifier_key, surviving_root_identifier_key "
        "from intermediate.int_member_merges order by merged_at",
    )
    assert merges[-1] == ("union_id:uD2", "union_id:uD")
