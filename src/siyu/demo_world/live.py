"""Live streams: orders placed in a brand's live room, sessions with their viewers and peak,
and guides' boost points (助力)."""

from __future__ import annotations

import numpy as np
import polars as pl

from siyu.demo_world.common import SECONDS_PER_DAY, Sequences, ids, timestamps
from siyu.demo_world.master import Master
from siyu.demo_world.members import Chunk
from siyu.demo_world.purchases import Purchases
from siyu.demo_world.wecom import Totals
from siyu.demo_world.writer import WorldWriter


def live_orders(
    m: Master,
    chunk: Chunk,
    purchases: Purchases,
    rng: np.random.Generator,
    seq: Sequences,
    totals: Totals,
    writer: WorldWriter,
) -> None:
    """Live orders, each snapped to its brand's session on or after the purchase day."""
    live = purchases.of("live")
    l_index, l_brand = purchases.buyer[live], purchases.brand[live]
    l_day = purchases.when[live] // SECONDS_PER_DAY
    l_session_day = l_day + ((l_brand % 3) - l_day) % 3
    ok = l_session_day < m.days
    l_index, l_brand, l_session_day = l_index[ok], l_brand[ok], l_session_day[ok]
    l_session = m.session_of[l_brand, l_session_day]
    l_time = l_session_day * SECONDS_PER_DAY + 20 * 3600 + rng.integers(0, 7200, l_session.size)
    l_sort = np.argsort(l_time, kind="stable")
    l_index, l_brand, l_session, l_time = (
        l_index[l_sort],
        l_brand[l_sort],
        l_session[l_sort],
        l_time[l_sort],
    )
    l_sku, l_price = m.pick_skus(rng, l_brand)
    l_qty = 1 + rng.binomial(1, 0.1, l_sku.size)
    writer.daily(
        "live",
        "live_orders",
        pl.DataFrame(
            {
                "live_order_id": ids("LO", l_sku.size, 9, seq.take("LO", l_sku.size)),
                "session_id": m.session_ids[l_session],
                "member_id": chunk.member_ids[l_index],
                "sku_id": m.sku_codes[l_sku],
                "quantity": l_qty,
                "paid_amount": np.round(l_price * l_qty * 0.85, 2),
                "paid_at": timestamps(m.start, l_time),
            }
        ),
        "paid_at",
    )
    totals.buyers_per_session += np.bincount(l_session, minlength=m.session_ids.size)


def _boosts(m: Master, rng: np.random.Generator, seq: Sequences, writer: WorldWriter) -> None:
    """Guides' boost points (助力) per session: heavy-tailed, a few pass the reward cap."""
    boost_session, boost_guide = [], []
    of_brand = m.guides_of_brand
    for index, b in enumerate(m.session_brand):
        candidates = of_brand.values[of_brand.first[b] : of_brand.first[b] + of_brand.count[b]]
        count = min(candidates.size, int(rng.poisson(3)))
        if count:
            boost_session.extend([index] * count)
            boost_guide.extend(rng.choice(candidates, count, replace=False).tolist())
    session = np.array(boost_session, dtype=np.int64)
    day_seconds = m.session_day * SECONDS_PER_DAY
    writer.daily(
        "live",
        "boosts",
        pl.DataFrame(
            {
                "boost_id": ids("LB", session.size, 8, seq.take("LB", session.size)),
                "session_id": m.session_ids[session],
                "guide_id": np.array(boost_guide, dtype=np.int64),
                "boost_points": np.maximum(1, rng.lognormal(4.0, 1.0, session.size)).astype(
                    np.int64
                ),
                "recorded_at": timestamps(m.start, day_seconds[session] + 22 * 3600),
            }
        ),
        "recorded_at",
    )


def live_sessions(
    m: Master, rng: np.random.Generator, seq: Sequences, totals: Totals, writer: WorldWriter
) -> None:
    """Sessions with viewers and peak concurrency from their buyers; guides' boosts."""
    n_sessions = m.session_ids.size
    day_seconds = m.session_day * SECONDS_PER_DAY
    viewers = totals.buyers_per_session * rng.integers(15, 40, n_sessions) + rng.integers(
        50, 300, n_sessions
    )
    writer.daily(
        "live",
        "sessions",
        pl.DataFrame(
            {
                "session_id": m.session_ids,
                "brand_id": m.session_brand,
                "title": [
                    f"{m.brand_codes[b - 1]} live #{i + 1}" for i, b in enumerate(m.session_brand)
                ],
                "started_at": timestamps(m.start, day_seconds + 20 * 3600),
                "ended_at": timestamps(m.start, day_seconds + 22 * 3600),
                "viewers": viewers,
                "peak_concurrent": np.maximum(
                    1, (viewers * rng.uniform(0.1, 0.3, n_sessions)).astype(np.int64)
                ),
            }
        ),
        "started_at",
    )
    _boosts(m, rng, seq, writer)
