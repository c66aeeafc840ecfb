"""Store-only members: a card at the till and a phone in the stores' member registry, never
the mini-program. A hand-made world through the real pipeline, checked against figures worked
out by hand (as of 2025-12-31)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, query
from tests.test_members import _account, _order, _write_world

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
        {"guide_id": g, "guide_code": f"G{g}", "home_store_id": g, "brand_id": g} for g in (1, 2)
    ],
    ("master", "products"): [
        {"sku_id": "S1", "spu_id": "P1", "brand_id": 1, "list_price": "500.00"}
    ],
    ("mall", "members"): [_account(1, "uA", "oA", P1, "C1", 1, 1, "2025-01-10 09:00:00")],
    ("mall", "orders"): [ORDER],
    ("mall", "order_lines"): [ORDER_LINE],
    ("pos", "member_cards"): [
        _card("C1", P1, 1, 1, "2025-01-10 09:00:00"),
        _card("C7", P7, 1, 1, "2025-12-10 14:50:00"),
        _card("C8", P1, 2, 2, "2025-11-01 14:55:00"),
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
    # 500.00 in the mall in June, 200.00 at a brand 2 till in November on the other card.
    assert row[:5] == (dt.date(2025, 6, 1), dt.date(2025, 11, 1), 2, "mall,pos", Decimal("700.00"))


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
