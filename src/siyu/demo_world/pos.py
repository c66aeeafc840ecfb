"""Offline POS: receipts of members (on their card) and of walk-ins, with their lines."""

from __future__ import annotations

import numpy as np
import polars as pl

from siyu.demo_world.common import (
    CNY_STORE_TRAFFIC,
    SECONDS_PER_DAY,
    Sequences,
    cny_week,
    ids,
    lines_for,
    nullable,
    timestamps,
)
from siyu.demo_world.master import Master
from siyu.demo_world.members import Chunk
from siyu.demo_world.purchases import Purchases
from siyu.demo_world.wecom import Totals
from siyu.demo_world.writer import WorldWriter


def write_receipts(
    m: Master,
    rng: np.random.Generator,
    seq: Sequences,
    writer: WorldWriter,
    store: np.ndarray,
    seconds: np.ndarray,
    card: np.ndarray,
) -> float:
    """POS receipts (most with a guide of the store) and their lines; returns their sales."""
    order = np.argsort(seconds, kind="stable")
    store, seconds, card = store[order], seconds[order], card[order]
    n_receipts = store.size
    guide = np.where(rng.random(n_receipts) < 0.85, m.guides_of_store.pick(rng, store), 0)
    receipt_ids = ids("PR", n_receipts, 9, seq.take("PR", n_receipts))
    writer.daily(
        "pos",
        "receipts",
        pl.DataFrame(
            {
                "receipt_id": receipt_ids,
                "store_id": store,
                "guide_id": pl.Series(guide).replace(0, None),
                "member_card_no": nullable(card),
                "sold_at": timestamps(m.start, seconds),
            }
        ),
        "sold_at",
    )
    line_receipt = np.repeat(np.arange(n_receipts), lines_for(rng, n_receipts))
    sku, price = m.pick_skus(rng, m.store_brand[store[line_receipt] - 1])
    qty = 1 + rng.binomial(1, 0.1, line_receipt.size)
    paid = np.round(
        price * qty * rng.choice([1.0, 0.9, 0.8], line_receipt.size, p=[0.6, 0.3, 0.1]), 2
    )
    writer.daily(
        "pos",
        "receipt_lines",
        pl.DataFrame(
            {
                "receipt_line_id": ids(
                    "PL", line_receipt.size, 10, seq.take("PL", line_receipt.size)
                ),
                "receipt_id": receipt_ids[line_receipt],
                "sku_id": m.sku_codes[sku],
                "quantity": qty,
                "paid_amount": paid,
                "sold_at": timestamps(m.start, seconds[line_receipt]),
            }
        ),
        "sold_at",
    )
    return float(paid.sum())


def member_receipts(
    m: Master,
    chunk: Chunk,
    purchases: Purchases,
    rng: np.random.Generator,
    seq: Sequences,
    totals: Totals,
    writer: WorldWriter,
) -> None:
    """POS receipts of members: same-brand purchases in the home store, others in a store of
    that brand."""
    pos = purchases.of("pos")
    p_index, p_brand = purchases.buyer[pos], purchases.brand[pos]
    p_store = np.where(
        p_brand == chunk.home_brand[p_index],
        chunk.home_store[p_index],
        m.stores_of_brand.pick(rng, p_brand),
    )
    totals.sales += write_receipts(
        m, rng, seq, writer, p_store, purchases.when[pos], chunk.card_no[p_index]
    )


def walk_ins(
    m: Master, rng: np.random.Generator, seq: Sequences, totals: Totals, writer: WorldWriter
) -> None:
    """Receipts of walk-in customers without a membership card."""
    days, scale = m.days, m.scale
    n_walk = int(rng.poisson(scale.walk_in_receipts_per_store_day * scale.stores * days))
    w_store = rng.integers(1, scale.stores + 1, n_walk)
    w_time = rng.integers(0, days, n_walk) * SECONDS_PER_DAY + rng.integers(
        10 * 3600, 22 * 3600, n_walk
    )
    w_keep = ~cny_week(w_time // SECONDS_PER_DAY, m.start) | (
        rng.random(n_walk) < CNY_STORE_TRAFFIC
    )
    totals.sales += write_receipts(
        m, rng, seq, writer, w_store[w_keep], w_time[w_keep], np.full(int(w_keep.sum()), None)
    )
