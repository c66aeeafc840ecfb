"""The mini-program mall: orders (shared by a guide, through a community group's code, from
a second account), their lines, refunds dated when refunded, late-arriving orders, and the
members' bindings to a guide (专属导购) with transfers when a guide leaves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from siyu.demo_world.common import (
    SECONDS_PER_DAY,
    Sequences,
    ids,
    lines_for,
    nullable,
    span_events,
    timestamps,
)
from siyu.demo_world.master import Master
from siyu.demo_world.members import Chunk
from siyu.demo_world.purchases import Purchases
from siyu.demo_world.wecom import Memberships, Totals
from siyu.demo_world.writer import WorldWriter

LATE_ORDER_SHARE = 0.03  # mall orders arriving in a later day's extract


@dataclass
class MallOrders:
    """The chunk's mall orders (what coupons are redeemed on)."""

    index: np.ndarray  # the buying member's index in the chunk
    member: np.ndarray  # the mall account the order was placed from
    account_registered: np.ndarray
    brand: np.ndarray
    time: np.ndarray
    order_ids: np.ndarray
    cancelled: np.ndarray
    pay_delay: np.ndarray
    late_days: np.ndarray
    share_guide: np.ndarray
    via_group: np.ndarray
    group: np.ndarray


@dataclass
class _Lines:
    order: np.ndarray  # the order of each line
    ids: np.ndarray
    sku: np.ndarray
    price: np.ndarray
    quantity: np.ndarray
    paid: np.ndarray


def _headers(
    m: Master,
    chunk: Chunk,
    purchases: Purchases,
    groups: Memberships,
    rng: np.random.Generator,
    seq: Sequences,
) -> MallOrders:
    mall = purchases.of("mall")
    n_orders = int(mall.sum())
    o_index, o_brand, o_time = purchases.buyer[mall], purchases.brand[mall], purchases.when[mall]
    shared = rng.random(n_orders) < 0.45
    share_guide = np.where(shared, chunk.home_guide[o_index], 0)
    cancelled = rng.random(n_orders) < 0.05
    order_ids = ids("MO", n_orders, 9, seq.take("MO", n_orders))
    pay_delay = rng.integers(5, 900, n_orders)
    # Orders of a second account's brand after it was opened are placed from it.
    from_second = (
        (chunk.account_of[o_index] > 0)
        & (o_brand == chunk.account_brand[o_index])
        & (o_time >= chunk.account_at[o_index])
    )
    # Orders through a community group's link or code: buyers inside a group at the time.
    group = groups.group[o_index]
    in_group = (
        (group >= 0)
        & (groups.joined[o_index] <= o_time)
        & ((groups.left[o_index] < 0) | (groups.left[o_index] > o_time))
        & (m.group_brand[np.maximum(group, 0)] == o_brand)
    )
    return MallOrders(
        index=o_index,
        member=np.where(from_second, chunk.account_of[o_index], chunk.member_ids[o_index]),
        account_registered=np.where(
            from_second, chunk.account_at[o_index], chunk.registered[o_index]
        ),
        brand=o_brand,
        time=o_time,
        order_ids=order_ids,
        cancelled=cancelled,
        pay_delay=pay_delay,
        late_days=np.zeros(n_orders, dtype=np.int64),
        share_guide=share_guide,
        via_group=in_group & (rng.random(n_orders) < 0.6),
        group=group,
    )


def _lines(m: Master, orders: MallOrders, rng: np.random.Generator, seq: Sequences) -> _Lines:
    line_order = np.repeat(np.arange(orders.order_ids.size), lines_for(rng, orders.order_ids.size))
    sku_index, price = m.pick_skus(rng, orders.brand[line_order])
    qty = 1 + rng.binomial(1, 0.15, line_order.size)
    discount = np.round(
        rng.choice([1.0, 0.9, 0.8, 0.7], line_order.size, p=[0.5, 0.25, 0.15, 0.1]), 2
    )
    n_lines = line_order.size
    return _Lines(
        order=line_order,
        ids=ids("ML", n_lines, 10, seq.take("ML", n_lines)),
        sku=sku_index,
        price=price,
        quantity=qty,
        paid=np.round(price * qty * discount, 2),
    )


def _refunds(
    m: Master,
    orders: MallOrders,
    lines: _Lines,
    rng: np.random.Generator,
    seq: Sequences,
    writer: WorldWriter,
) -> np.ndarray:
    """Refunds of some paid lines 1-14 days later (most in full); the refunded lines."""
    refunded = (rng.random(lines.ids.size) < 0.08) & ~orders.cancelled[lines.order]
    r_idx = np.flatnonzero(refunded)
    r_time = orders.time[lines.order[r_idx]] + rng.integers(1, 15, r_idx.size) * SECONDS_PER_DAY
    r_in = r_time < m.horizon
    r_idx, r_time = r_idx[r_in], r_time[r_in]
    full = rng.random(r_idx.size) < 0.8
    r_sort = np.argsort(r_time, kind="stable")
    r_idx, r_time, full = r_idx[r_sort], r_time[r_sort], full[r_sort]
    writer.daily(
        "mall",
        "refunds",
        pl.DataFrame(
            {
                "refund_id": ids("RF", r_idx.size, 9, seq.take("RF", r_idx.size)),
                "order_line_id": lines.ids[r_idx],
                "refund_amount": np.where(
                    full, lines.paid[r_idx], np.round(lines.paid[r_idx] * 0.5, 2)
                ),
                "refunded_at": timestamps(m.start, r_time),
            }
        ),
        "refunded_at",
    )
    return r_idx


def _write_orders(m: Master, orders: MallOrders, lines: _Lines, writer: WorldWriter) -> None:
    extract_day = (orders.time // SECONDS_PER_DAY + orders.late_days) * SECONDS_PER_DAY
    writer.daily(
        "mall",
        "orders",
        pl.DataFrame(
            {
                "order_id": orders.order_ids,
                "member_id": orders.member,
                "brand_id": orders.brand,
                "share_guide_id": pl.Series(orders.share_guide).replace(0, None),
                "community_group_id": nullable(
                    np.where(orders.via_group, m.group_ids[np.maximum(orders.group, 0)], None)
                ),
                "status": np.where(orders.cancelled, "cancelled", "paid"),
                "created_at": timestamps(m.start, orders.time),
                "paid_at": timestamps(m.start, orders.time + orders.pay_delay),
                "updated_at": timestamps(m.start, orders.time),
                "__extract_day": timestamps(m.start, extract_day),
            }
        ).with_columns(
            pl.when(pl.col("status") == "paid").then(pl.col("paid_at")).alias("paid_at")
        ),
        "__extract_day",
        drop=("__extract_day",),
    )
    writer.daily(
        "mall",
        "order_lines",
        pl.DataFrame(
            {
                "order_line_id": lines.ids,
                "order_id": orders.order_ids[lines.order],
                "sku_id": m.sku_codes[lines.sku],
                "quantity": lines.quantity,
                "unit_price": lines.price,
                "paid_amount": lines.paid,
                "created_at": timestamps(m.start, orders.time[lines.order]),
                "__extract_day": timestamps(m.start, extract_day[lines.order]),
            }
        ),
        "__extract_day",
        drop=("__extract_day",),
    )


def mall_orders(
    m: Master,
    chunk: Chunk,
    purchases: Purchases,
    groups: Memberships,
    rng: np.random.Generator,
    seq: Sequences,
    totals: Totals,
    writer: WorldWriter,
) -> MallOrders:
    """The chunk's mall orders, lines and refunds, appended to the day files."""
    orders = _headers(m, chunk, purchases, groups, rng, seq)
    lines = _lines(m, orders, rng, seq)
    refunded_lines = _refunds(m, orders, lines, rng, seq, writer)
    # Late-arriving orders: a few land in the extract of a later day than they were placed
    # (only ones with no refund or coupon yet, which would arrive later still).
    n_orders = orders.order_ids.size
    has_refund = np.zeros(n_orders, dtype=bool)
    has_refund[lines.order[refunded_lines]] = True
    orders.late_days = np.where(
        (rng.random(n_orders) < LATE_ORDER_SHARE) & ~has_refund,
        rng.integers(1, 4, n_orders),
        0,
    )
    _write_orders(m, orders, lines, writer)
    totals.sales += float(lines.paid.sum())
    return orders


def guide_bindings(
    m: Master, chunk: Chunk, rng: np.random.Generator, seq: Sequences, writer: WorldWriter
) -> None:
    """Mall guide bindings (专属导购) at registration, and transfers when a guide leaves."""
    registered = chunk.registered
    bound = (registered >= 0) & (rng.random(chunk.n) < 0.5) & ~chunk.store_only
    bd_idx = np.flatnonzero(bound)
    bd_time = registered[bd_idx] + rng.integers(60, 3600, bd_idx.size)
    bd_keep = bd_time < m.horizon
    bd_idx, bd_time = bd_idx[bd_keep], bd_time[bd_keep]
    bd_guide = chunk.home_guide[bd_idx]
    moved = (m.leave_at[bd_guide] >= 0) & (bd_time < m.leave_at[bd_guide])
    events, seconds = span_events(
        bd_time,
        np.flatnonzero(moved),
        m.leave_at[bd_guide[moved]],
        ("bind", "transfer"),
        {"member": chunk.member_ids[bd_idx], "guide": bd_guide},
    )
    transfer = events["event_type"] == "transfer"
    writer.daily(
        "mall",
        "guide_bindings",
        pl.DataFrame(
            {
                "binding_id": ids("GB", seconds.size, 9, seq.take("GB", seconds.size)),
                "member_id": events["member"],
                "guide_id": np.where(transfer, m.successor[events["guide"]], events["guide"]),
                "binding_type": events["event_type"],
                "bound_at": timestamps(m.start, seconds),
            }
        ),
        "bound_at",
    )
