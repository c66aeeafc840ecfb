"""People and their mall accounts: registration, home guide and store, phone, POS card,
UnionID and OpenID; second accounts in another brand's mini-program; shared store phones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from siyu.demo_world.common import (
    SECONDS_PER_DAY,
    Sequences,
    ids,
    names,
    nullable,
    phones,
    prefixed,
    timestamps,
)
from siyu.demo_world.master import Master
from siyu.demo_world.writer import WorldWriter


@dataclass
class Chunk:
    """The members ``lo + 1`` .. ``hi`` of one chunk: who they are and their accounts."""

    member_ids: np.ndarray
    registered: np.ndarray  # seconds from the window's start (negative: before it)
    home_guide: np.ndarray
    home_store: np.ndarray
    home_brand: np.ndarray
    card_no: np.ndarray
    union_id: np.ndarray
    account_of: np.ndarray  # a second account's member_id, 0 for none
    account_at: np.ndarray
    account_brand: np.ndarray
    store_only: np.ndarray  # True: a card at the till, no mall account

    @property
    def n(self) -> int:
        return self.member_ids.size


def extra_accounts(
    start: dt.date,
    account_ids: np.ndarray,
    phone: np.ndarray,
    account_names: np.ndarray,
    brand: np.ndarray,
    store: np.ndarray,
    at: np.ndarray,
) -> pl.DataFrame:
    """Mall accounts beyond a person's own (second accounts, shared store phones): their own
    UnionID and OpenID, no card, registered (and extracted) at ``at``."""
    return pl.DataFrame(
        {
            "member_id": account_ids,
            "union_id": prefixed("ou_x", account_ids, 9),
            "openid": prefixed("op_x", account_ids, 9),
            "phone": phone,
            "member_name": account_names,
            "card_no": pl.Series([None] * account_ids.size, dtype=pl.String),
            "register_brand_id": brand,
            "register_store_id": store,
            "registered_at": timestamps(start, at),
        }
    ).with_columns(pl.col("registered_at").alias("updated_at"))


def _second_accounts(
    m: Master,
    rng: np.random.Generator,
    seq: Sequences,
    registered: np.ndarray,
    home_brand: np.ndarray,
    member_phones: np.ndarray,
    store_only: np.ndarray,
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Some people open a second mall account in another brand's mini-program (new UnionID and
    OpenID, same phone); their later orders of that brand are placed from it."""
    n, n_brands = registered.size, m.scale.brands
    second = np.flatnonzero((rng.random(n) < 0.05) & (n_brands > 1) & ~store_only)
    second_brand = (
        (home_brand[second] - 1 + rng.integers(1, max(n_brands, 2), second.size)) % n_brands
    ) + 1
    second_at = np.maximum(registered[second], 0) + rng.integers(
        SECONDS_PER_DAY, 120 * SECONDS_PER_DAY, second.size
    )
    kept = second_at < m.horizon
    second, second_brand, second_at = second[kept], second_brand[kept], second_at[kept]
    # Accounts beyond the people's own numbers, in one sequence with the shared-phone ones.
    second_ids = m.scale.members + seq.take("account", second.size) + np.arange(second.size)
    accounts = extra_accounts(
        m.start,
        second_ids,
        member_phones[second],
        names(rng, second.size),
        second_brand,
        m.stores_of_brand.pick(rng, second_brand),
        second_at,
    )
    return accounts, second, second_ids, second_at, second_brand


def register_members(
    m: Master, lo: int, hi: int, rng: np.random.Generator, seq: Sequences, writer: WorldWriter
) -> Chunk:
    """Members ``lo + 1`` .. ``hi`` and their mall accounts, appended to the day files."""
    n = hi - lo
    member_ids = np.arange(lo + 1, hi + 1)
    # A quarter of the members existed before the window; the rest register inside it.
    registered = np.where(
        rng.random(n) < 0.25,
        -rng.integers(1, 365 * SECONDS_PER_DAY, n),
        rng.integers(0, m.horizon, n),
    )
    home_guide = rng.choice(m.guide_ids, n, p=m.guide_p)
    home_store = m.guide_store[home_guide - 1]
    home_brand = m.guide_brand[home_guide - 1]
    member_phones = phones(rng, n)
    card_no = np.where(rng.random(n) < 0.8, ids("C", n, 9, lo + 1), None)
    union_id = ids("ou_", n, 10, lo + 1)
    openid = ids("op_", n, 10, lo + 1)
    store_only = rng.random(n) < m.scale.store_only_share
    card_no = np.where(store_only, ids("C", n, 9, lo + 1), card_no)
    window_start = dt.datetime.combine(m.start, dt.time())
    members = pl.DataFrame(
        {
            "member_id": member_ids,
            "union_id": union_id,
            "openid": openid,
            "phone": member_phones,
            "member_name": names(rng, n),
            "card_no": nullable(card_no),
            "register_brand_id": home_brand,
            "register_store_id": home_store,
            "registered_at": timestamps(m.start, registered),
        }
    ).with_columns(
        # Members registered before the window arrive with the first day's extract.
        pl.max_horizontal(pl.col("registered_at"), pl.lit(window_start)).alias("updated_at")
    )
    accounts, second, second_ids, second_at, second_brand = _second_accounts(
        m, rng, seq, registered, home_brand, member_phones, store_only
    )
    writer.daily(
        "mall", "members", pl.concat([members.filter(~store_only), accounts]), "updated_at"
    )
    _card_registry(m, rng, writer, members, store_only)
    account_of = np.zeros(n, dtype=np.int64)
    account_at = np.full(n, m.horizon, dtype=np.int64)
    account_brand = np.zeros(n, dtype=np.int64)
    account_of[second], account_at[second], account_brand[second] = (
        second_ids,
        second_at,
        second_brand,
    )
    return Chunk(
        member_ids=member_ids,
        registered=registered,
        home_guide=home_guide,
        home_store=home_store,
        home_brand=home_brand,
        card_no=card_no,
        union_id=union_id,
        account_of=account_of,
        account_at=account_at,
        account_brand=account_brand,
        store_only=store_only,
    )


CARD_LEVELS = np.array(["normal", "silver", "gold"])


def _card_registry(
    m: Master,
    rng: np.random.Generator,
    writer: WorldWriter,
    members: pl.DataFrame,
    store_only: np.ndarray,
) -> None:
    """The stores' member registry (POS/CRM): each card with the phone the member gave at the
    till, brand, store and level, delivered as a daily CSV drop of new and changed cards.
    Store-only members are in it with no mall account anywhere."""
    cards = members.with_columns(pl.Series("__store_only", store_only)).filter(
        pl.col("card_no").is_not_null()
    )
    writer.daily(
        "pos",
        "member_cards",
        cards.select(
            "card_no",
            "phone",
            pl.col("register_brand_id").alias("brand_id"),
            pl.col("register_store_id").alias("store_id"),
            pl.Series("level", CARD_LEVELS[rng.choice(3, cards.height, p=[0.7, 0.2, 0.1])]),
            "registered_at",
            "updated_at",
        ),
        "updated_at",
    )


def shared_phone_accounts(
    m: Master, rng: np.random.Generator, seq: Sequences, writer: WorldWriter
) -> None:
    """Store phones typed in for walk-in customers: one number shared by many accounts."""
    n_shared = 3 * 8
    store = rng.integers(1, m.scale.stores + 1, n_shared)
    phone = phones(rng, 3)[np.repeat(np.arange(3), 8)]
    at = rng.integers(0, m.horizon, n_shared)
    account_ids = m.scale.members + seq.take("account", n_shared) + np.arange(n_shared)
    account_names = names(rng, n_shared)
    accounts = extra_accounts(
        m.start, account_ids, phone, account_names, m.store_brand[store - 1], store, at
    )
    writer.daily("mall", "members", accounts, "updated_at")
