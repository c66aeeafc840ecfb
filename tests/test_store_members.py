"""Store-only members: a card at the till and a phone in the stores' member registry, never
the mini-program; a WeCom customer transfer between two guides of a store; an HQ task; and a
commission rate HQ changes for the next season. A hand-made
world through the real pipeline, checked against figures worked out by hand (as of
2025-12-31)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, query
from tests.test_members import _account, _order, _write_world, rate_book

pytestmark = pytest.mark.fullstack

AS_OF = "2025-12-31"
P1, P7 = "13800000001", "13900000007"


def _receipt(receipt_id, store, card, sold_at, *amounts):
    receipt = {
        "receipt_id": receipt_id,
        "store_id": store,
        "guide_id": None,
        "member_card_no": card,
        "sold_at": sold_at,
    }
    lines = [
        {
            "receipt_line_id": f"{receipt_id}-{n}",
            "receipt_id": receipt_id,
            "sku_id": "S1",
            "quantity": 1,
            "paid_amount": amount,
            "sold_at": sold_at,
        }
        for n, amount in enumerate(amounts, start=1)
    ]
    return receipt, lines


def _card(card, phone, brand, store, registered):
    return {
        "card_no": card,
        "phone": phone,
        "brand_id": brand,
        "store_id": store,
        "level": "normal",
        "registered_at": registered,
        "updated_at": registered,
    }


RECEIPTS = [
    # Grace, store-only: 300.00 on 10 December, then 100.00 and a gift at 0.00 on the 20th.
    _receipt("PR7", 1, "C7", "2025-12-10 15:00:00", "300.00"),
    _receipt("PR8", 1, "C7", "2025-12-20 15:00:00", "100.00", "0.00"),
    # Alice with the card a brand 2 store gave her (same phone as her mall account).
    _receipt("PR9", 2, "C8", "2025-11-01 15:00:00", "200.00"),
    # A walk-in with no card belongs to nobody.
    _receipt("PR10", 1, None, "2025-12-11 15:00:00", "50.00"),
]
ORDER, ORDER_LINE = _order("O1", 1, 1, "2025-06-01 10:00:00", "S1", "500.00", "500.00")
# Alice again in the mall after guide 1 handed her over to guide 3 (a WeCom transfer).
ORDER_2, ORDER_LINE_2 = _order("O2", 1, 1, "2025-09-15 10:00:00", "S1", "500.00", "500.00")

# Guide 1 adds Alice on WeCom in May; on 1 August guide 1 hands her over to guide 3, a
# colleague of the same store, and she is taken over 24 h later; a transfer back on 1
# September is refused by the customer and moves nobody.
WECOM_CONTACTS = [
    {
        "event_id": "CE1",
        "guide_id": 1,
        "external_user_id": "wA",
        "union_id": "uA",
        "event_type": "add",
        "add_way": "guide",
        "occurred_at": "2025-05-01 10:00:00",
    }
]
WECOM_TRANSFERS = [
    {
        "transfer_id": "T1",
        "transfer_type": "on_job",
        "handover_guide_id": 1,
        "takeover_guide_id": 3,
        "external_user_id": "wA",
        "union_id": "uA",
        "transfer_status": "success",
        "requested_at": "2025-08-01 09:00:00",
        "taken_over_at": "2025-08-02 09:00:00",
        "finished_at": "2025-08-02 09:00:00",
    },
    {
        "transfer_id": "T2",
        "transfer_type": "on_job",
        "handover_guide_id": 3,
        "takeover_guide_id": 1,
        "external_user_id": "wA",
        "union_id": "uA",
        "transfer_status": "refused",
        "requested_at": "2025-09-01 09:00:00",
        "taken_over_at": None,
        "finished_at": "2025-09-02 09:00:00",
    },
]


def _service_day(guide, day, chats, reply_percentage, avg_reply_time):
    return {
        "guide_id": guide,
        "stat_date": day,
        "new_apply_cnt": 0,
        "new_contact_cnt": 0,
        "chat_cnt": chats,
        "message_cnt": chats * 2,
        "reply_percentage": reply_percentage,
        "avg_reply_time": avg_reply_time,
        "negative_feedback_cnt": 0,
    }


# WeCom's statistics: guide 3 answers 3 of 4 chats (12.50 min) on one day and 1 of 2
# (30.00 min) on the next; guide 1 answers none of 2 chats.
WECOM_SERVICE = [
    _service_day(3, "2025-09-15", 4, "75.00", "12.50"),
    _service_day(3, "2025-09-16", 2, "50.00", "30.00"),
    _service_day(1, "2025-09-15", 2, "0.00", None),
]

# HQ asks brand 1's guides to add friends by 20 September 20:00: guide 3 (target 2) adds one
# on the 16th and one two days late; guide 1 (target 1) one second before the deadline.
TASK = {
    "task_id": "TK1",
    "brand_id": 1,
    "task_type": "add_friends",
    "title": "加好友冲刺 Add friends",
    "sku_id": None,
    "session_id": None,
    "target_per_guide": 2,
    "starts_at": "2025-09-10 09:00:00",
    "due_at": "2025-09-20 20:00:00",
    "published_at": "2025-09-10 08:00:00",
}
TASK_ASSIGNMENTS = [
    {"task_id": "TK1", "guide_id": 3, "target": 2, "assigned_at": "2025-09-10 09:00:00"},
    {"task_id": "TK1", "guide_id": 1, "target": 1, "assigned_at": "2025-09-10 09:00:00"},
]
TASK_COMPLETIONS = [
    {
        "completion_id": c,
        "task_id": "TK1",
        "guide_id": g,
        "external_user_id": None,
        "completed_at": at,
    }
    for c, g, at in (
        ("TC1", 3, "2025-09-16 10:00:00"),
        ("TC2", 3, "2025-09-22 10:00:00"),
        ("TC3", 1, "2025-09-20 19:59:59"),
    )
]

WORLD = {
    ("master", "brands"): [
        {"brand_id": b, "brand_code": f"B{b}", "brand_name": f"Brand {b}", "category": "casual"}
        for b in (1, 2)
    ],
    ("master", "stores"): [
        {
            "store_id": s,
            "brand_id": s,
            "store_name": f"store {s}",
            "city": "Hangzhou",
            "region": "East",
        }
        for s in (1, 2)
    ],
    ("master", "guides"): [
        {"guide_id": g, "guide_code": f"G{g}", "home_store_id": store, "brand_id": store}
        for g, store in ((1, 1), (2, 2), (3, 1))
    ],
    ("master", "products"): [
        {"sku_id": "S1", "spu_id": "P1", "brand_id": 1, "list_price": "500.00"}
    ],
    ("mall", "members"): [_account(1, "uA", "oA", P1, "C1", 1, 1, "2025-01-10 09:00:00")],
    ("mall", "orders"): [ORDER, ORDER_2],
    ("mall", "order_lines"): [ORDER_LINE, ORDER_LINE_2],
    ("wecom", "contact_events"): WECOM_CONTACTS,
    ("wecom", "contact_transfers"): WECOM_TRANSFERS,
    ("wecom", "guide_service_daily"): WECOM_SERVICE,
    ("tasks", "tasks"): [TASK],
    ("tasks", "task_assignments"): TASK_ASSIGNMENTS,
    ("tasks", "task_completions"): TASK_COMPLETIONS,
    ("pos", "member_cards"): [
        _card("C1", P1, 1, 1, "2025-01-10 09:00:00"),
        _card("C7", P7, 1, 1, "2025-12-10 14:50:00"),
        _card("C8", P1, 2, 2, "2025-11-01 14:55:00"),
    ],
    # HQ's rate book for the year, then a new rate for brand 1's same-brand online sales
    # from 1 September (4 % instead of 3 %), delivered two weeks ahead.
    ("rules", "commission_rates", "2025-01-01"): rate_book((1, 2), 1, "2025-01-01"),
    ("rules", "commission_rates", "2025-08-15"): [
        rule
        for rule in rate_book((1,), 2, "2025-09-01", online_same="4.00")
        if rule["rule_id"] == "B1-online-same-v2"
    ],
    ("pos", "receipts"): [receipt for receipt, _ in RECEIPTS],
    ("pos", "receipt_lines"): [line for _, lines in RECEIPTS for line in lines],
}


@pytest.fixture(scope="module")
def store_run(make_database, data_dir: Path, tmp_path_factory) -> str:
    landing = tmp_path_factory.mktemp("store-members-world")
    _write_world(landing, WORLD)
    url = make_database("siyu_store_members")
    env = {
        **os.environ,
        "WAREHOUSE_URL": url,
        "SIYU_DATA_DIR": str(data_dir / "store-members"),
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
    return url


def _member(url: str, identifier_key: str) -> str:
    return query(
        url,
        "select member_key from intermediate.int_member_identities where identifier_key = %s",
        (identifier_key,),
    )[0][0]


MEMBER_360 = (
    "select first_purchase_date, last_purchase_date, orders, channels_used, "
    "lifetime_net_sales, lifecycle_segment, is_unknown from marts.dim_members "
    "where member_key = %s"
)


def test_a_store_only_card_buyer_is_a_member_and_a_buyer(store_run: str) -> None:
    grace = _member(store_run, "card_no:C7")
    assert _member(store_run, f"phone:{_phone_hash(store_run, 'C7')}") == grace
    # Two receipts (two purchase days), 300 + 100 + a 0.00 gift = 400.00; first purchase 21
    # days before the as-of date: new. A card and a phone: not an unknown member.
    assert query(store_run, MEMBER_360, (grace,))[0] == (
        dt.date(2025, 12, 10),
        dt.date(2025, 12, 20),
        2,
        "pos",
        Decimal("400.00"),
        "new",
        False,
    )
    ((orders, net, segment),) = query(
        store_run,
        "select orders, net_sales, lifecycle_segment from marts.fct_member_brand_summary "
        "where member_key = %s and brand_id = 1",
        (grace,),
    )
    assert (orders, Decimal(str(net)), segment) == (2, Decimal("400.00"), "new")


def test_a_store_card_with_a_mall_members_phone_is_the_same_person(store_run: str) -> None:
    alice = _member(store_run, "mall_account:1")
    assert _member(store_run, "card_no:C8") == alice
    row = query(store_run, MEMBER_360, (alice,))[0]
    # 500.00 in the mall in June and in September, 200.00 at a brand 2 till in November on
    # the other card.
    assert row[:5] == (
        dt.date(2025, 6, 1),
        dt.date(2025, 11, 1),
        3,
        "mall,pos",
        Decimal("1200.00"),
    )


def test_a_walk_in_without_a_card_belongs_to_nobody(store_run: str) -> None:
    ((lines,),) = query(
        store_run,
        "select count(*) from intermediate.int_order_lines_resolved where order_key = 'PR10'",
    )
    assert lines == 0
    ((members,),) = query(store_run, "select count(*) from marts.dim_members")
    assert members == 2  # Alice (account, two cards) and Grace


def _phone_hash(url: str, card: str) -> str:
    return query(
        url, "select phone_hash from staging.stg_pos__member_cards where card_no = %s", (card,)
    )[0][0]


def test_a_wecom_transfer_moves_the_service_guide_and_the_credit_from_the_takeover_on(
    store_run: str,
) -> None:
    # Guide 1 from the add until the takeover; guide 3 from then on. The refused transfer
    # back moves nobody.
    assert query(
        store_run,
        "select guide_id, valid_from, valid_to "
        "from intermediate.int_service_relationships_historized order by valid_from",
    ) == [
        (1, dt.datetime(2025, 5, 1, 10), dt.datetime(2025, 8, 2, 9)),
        (3, dt.datetime(2025, 8, 2, 9), None),
    ]
    # Credit by service guide: June's order to guide 1, September's to guide 3, and the
    # November receipt on her brand 2 card too: the card is not her mall account's, but she
    # is one person, served by guide 3 (a cross-brand sale for guide 3, home brand 1).
    assert query(
        store_run,
        "select order_key, credited_guide_id, credit_reason, is_cross_brand, paid_amount "
        "from intermediate.int_order_lines_credited "
        "where credited_guide_id is not null order by paid_at",
    ) == [
        ("O1", 1, "service", False, Decimal("500.00")),
        ("O2", 3, "service", False, Decimal("500.00")),
        ("PR9", 3, "service", True, Decimal("200.00")),
    ]
    # Commission to the cent, by the rule in force at payment: 3 % of 500.00 online in June
    # (brand 1, v1); after HQ's new rate from 1 September, 4 % of 500.00 (v2); and 3 % of
    # 200.00 for the cross-brand sale at a brand 2 till in November (brand 2 offline, v1).
    assert query(
        store_run,
        "select guide_id, accrual_month, commission from marts.fct_commission_statements "
        "order by guide_id, accrual_month",
    ) == [
        (1, dt.date(2025, 6, 1), Decimal("15.00")),
        (3, dt.date(2025, 9, 1), Decimal("20.00")),
        (3, dt.date(2025, 11, 1), Decimal("6.00")),
    ]
    assert query(
        store_run,
        "select order_line_key, rule_id, rate from marts.fct_commission_lines order by 1",
    ) == [
        ("mall:O1-1", "B1-online-same-v1", Decimal("0.0300")),
        ("mall:O2-1", "B1-online-same-v2", Decimal("0.0400")),
        ("pos:PR9-1", "B2-offline-cross-v1", Decimal("0.0300")),
    ]


def test_a_wecom_transfer_moves_the_friend_not_a_new_or_lost_one(store_run: str) -> None:
    rows = query(
        store_run,
        "select guide_id, date_day, new_friends, deleted_friends, transferred_in_friends, "
        "transferred_out_friends, contacts_at_day_start, active_contacts "
        "from marts.fct_guide_daily where date_day in (date '2025-05-01', date '2025-08-02', "
        "date '2025-09-02') and guide_id in (1, 3) order by date_day, guide_id",
    )
    assert rows == [
        (1, dt.date(2025, 5, 1), 1, 0, 0, 0, 0, 1),
        (1, dt.date(2025, 8, 2), 0, 0, 0, 1, 1, 0),
        (3, dt.date(2025, 8, 2), 0, 0, 1, 0, 0, 1),
        (1, dt.date(2025, 9, 2), 0, 0, 0, 0, 0, 0),
        (3, dt.date(2025, 9, 2), 0, 0, 0, 0, 1, 1),
    ]
    # The follower acquired by guide 1's add is kept through the transfer (never lost).
    assert query(
        store_run, "select acquisition_channel, lost_at from intermediate.int_followers_acquired"
    ) == [("guide_add", None)]


def test_reply_rate_and_first_reply_time_add_up_from_wecom_statistics(store_run: str) -> None:
    # Guide 3: (3 + 1) of (4 + 2) chats answered = 0.6667; first reply (3 × 12.50 + 1 ×
    # 30.00) / 4 = 16.875 minutes. Guide 1: 0 of 2, no first-reply time.
    rows = query(
        store_run,
        "select guide_id, sum(chats), sum(replied_chats), "
        "round(sum(replied_chats) * 1.0 / sum(chats), 4), "
        "round(sum(first_reply_minutes_total) / nullif(sum(replied_chats), 0), 3) "
        "from marts.fct_guide_daily where date_day between date '2025-09-15' "
        "and date '2025-09-16' group by guide_id order by guide_id",
    )
    assert rows == [
        (1, 2, 0, Decimal("0.0000"), None),
        (3, 6, 4, Decimal("0.6667"), Decimal("16.875")),
    ]
    assert query(
        store_run,
        "select reply_rate, avg_first_reply_minutes from marts.fct_guide_daily "
        "where guide_id = 3 and date_day = date '2025-09-15'",
    ) == [(Decimal("0.7500"), Decimal("12.50"))]


def test_a_task_finished_on_time_by_one_guide_and_late_by_another(store_run: str) -> None:
    # Guide 3 is overdue the day after the deadline (1 of 2) and done late on the 22nd;
    # guide 1 is done on time from the deadline day on.
    assert query(
        store_run,
        "select guide_id, date_day, done_to_date, done_by_deadline, task_status "
        "from marts.fct_guide_task_progress where date_day >= date '2025-09-20' "
        "order by guide_id, date_day",
    ) == [
        (1, dt.date(2025, 9, 20), 1, 1, "done_on_time"),
        (1, dt.date(2025, 9, 21), 1, 1, "done_on_time"),
        (3, dt.date(2025, 9, 20), 1, 1, "in_progress"),
        (3, dt.date(2025, 9, 21), 1, 1, "overdue"),
        (3, dt.date(2025, 9, 22), 2, 1, "done_late"),
    ]
    # Store 1 and brand 1: 2 guides, target 3, 3 done (2 by the deadline), one on time and
    # one late: attainment 1.
    assert query(
        store_run,
        "select rollup_level, guides, target, done, done_by_deadline, guides_done_on_time, "
        "guides_done_late, guides_overdue, attainment from marts.fct_task_progress_rollup "
        "where rollup_level in ('store', 'brand') order by rollup_level",
    ) == [
        ("brand", 2, 3, 3, 2, 1, 1, 0, Decimal("1.0000")),
        ("store", 2, 3, 3, 2, 1, 1, 0, Decimal("1.0000")),
    ]


def test_the_private_domain_day_counts_people_not_accounts(store_run: str) -> None:
    rows = query(
        store_run,
        "select date_day, brand_id, buyers, offline_gmv, private_domain_gmv, member_net_sales, "
        "new_members, members from marts.fct_private_domain_daily "
        "where (date_day, brand_id) in ((date '2025-11-01', 2), (date '2025-12-10', 1), "
        "(date '2025-12-11', 1)) order by date_day, brand_id",
    )
    assert rows == [
        # Alice at a brand 2 till on her brand 2 card: a buyer and a member sale, inside the
        # private domain (guide 3 serves her since the transfer, whichever card she shows);
        # her first card of brand 2 makes her a new member of it.
        (dt.date(2025, 11, 1), 2, 1, Decimal("200.00"), Decimal("200.00"), Decimal("200.00"), 1, 1),
        # Grace, store-only: a buyer and a member sale, and a new member the day her card was
        # made; brand 1 now has two members (Alice's account and card are one).
        (dt.date(2025, 12, 10), 1, 1, Decimal("300.00"), Decimal("0.00"), Decimal("300.00"), 1, 2),
        # The walk-in without a card: GMV, but no buyer and no member sale.
        (dt.date(2025, 12, 11), 1, 0, Decimal("50.00"), Decimal("0.00"), Decimal("0.00"), 0, 2),
    ]
