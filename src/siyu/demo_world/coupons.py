"""Coupons claimed through guides, ads and live rooms; most never redeemed. Redeemed ones
were claimed within the hour, or reminded first, or otherwise; reminders go out for a share
of the unused ones too."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from siyu.demo_world.common import SECONDS_PER_DAY, Sequences, ids, nullable, prefixed, timestamps
from siyu.demo_world.mall import MallOrders
from siyu.demo_world.master import Master
from siyu.demo_world.members import Chunk
from siyu.demo_world.presets import AD_PLATFORMS
from siyu.demo_world.writer import WorldWriter


@dataclass
class _Claims:
    redeemed: np.ndarray  # orders a coupon was redeemed on
    paid_time: np.ndarray  # when each of those orders was paid (= redeemed)
    path: np.ndarray  # 0 within the hour, 1 reminded, 2 otherwise
    redeemed_claim: np.ndarray
    unused_member: np.ndarray
    unused_claim: np.ndarray


def _claims(m: Master, chunk: Chunk, orders: MallOrders, rng: np.random.Generator) -> _Claims:
    paid = np.flatnonzero(~orders.cancelled & (orders.late_days == 0))  # late: coupon later
    redeemed = paid[rng.random(paid.size) < 0.25]
    paid_time = orders.time[redeemed] + orders.pay_delay[redeemed]
    path = rng.choice(3, redeemed.size, p=[0.4, 0.35, 0.25])
    claim_lag = np.select(
        [path == 0, path == 1],
        [
            rng.integers(60, 3600, redeemed.size),
            rng.integers(2 * SECONDS_PER_DAY, 10 * SECONDS_PER_DAY, redeemed.size),
        ],
        rng.integers(2 * 3600, 10 * SECONDS_PER_DAY, redeemed.size),
    )
    # Nobody claims a coupon before registering.
    redeemed_claim = np.maximum(
        paid_time - claim_lag, np.maximum(orders.account_registered[redeemed], 0)
    )
    unused_member = rng.integers(0, chunk.n, redeemed.size * 3)
    unused_member = unused_member[~chunk.store_only[unused_member]]  # mall accounts only
    n_unused = unused_member.size
    unused_from = np.maximum(chunk.registered[unused_member], 0)
    unused_claim = unused_from + (rng.random(n_unused) * (m.horizon - unused_from)).astype(np.int64)
    return _Claims(redeemed, paid_time, path, redeemed_claim, unused_member, unused_claim)


def _write_coupons(
    chunk: Chunk,
    orders: MallOrders,
    claims: _Claims,
    rng: np.random.Generator,
    seq: Sequences,
    writer: WorldWriter,
    m: Master,
) -> np.ndarray:
    """The coupons, numbered in claim order; returns their ids (redeemed ones first)."""
    redeemed, unused = claims.redeemed, claims.unused_member
    person = np.concatenate([orders.index[redeemed], unused])
    account = np.concatenate([orders.member[redeemed], chunk.member_ids[unused]])
    brand = np.concatenate([orders.brand[redeemed], chunk.home_brand[unused]])
    claim = np.concatenate([claims.redeemed_claim, claims.unused_claim])
    n_coupons = claim.size
    source = rng.choice(np.array(["guide", "ad", "live"]), n_coupons, p=[0.6, 0.25, 0.15])
    # Campaigns are numbered brand by brand, one per platform (see ads.py).
    campaign_no = (brand - 1) * len(AD_PLATFORMS) + rng.integers(
        1, len(AD_PLATFORMS) + 1, n_coupons
    )
    campaign = np.where(source == "ad", prefixed("CMP", campaign_no, 4), None)
    order = np.argsort(claim, kind="stable")
    coupon_ids = np.empty(n_coupons, dtype=object)
    coupon_ids[order] = ids("CP", n_coupons, 9, seq.take("CP", n_coupons))
    writer.daily(
        "mall",
        "coupons",
        pl.DataFrame(
            {
                "coupon_id": coupon_ids[order].astype(str),
                "member_id": account[order],
                "brand_id": brand[order],
                "source_channel": source[order],
                "guide_id": pl.Series(
                    np.where(source == "guide", chunk.home_guide[person], 0)[order]
                ).replace(0, None),
                "campaign_id": nullable(campaign[order]),
                "discount_amount": rng.choice([20.0, 50.0, 100.0], n_coupons)[order],
                "claimed_at": timestamps(m.start, claim[order]),
            }
        ),
        "claimed_at",
    )
    return coupon_ids


def _reminders(
    m: Master,
    claims: _Claims,
    coupon_ids: np.ndarray,
    rng: np.random.Generator,
    seq: Sequences,
    writer: WorldWriter,
) -> None:
    """Reminders: every coupon redeemed after one, and a share of the unused ones."""
    n_redeemed = claims.redeemed.size
    rm_rd = claims.path == 1
    rm_time_rd = claims.paid_time[rm_rd] - rng.integers(3600, 2 * SECONDS_PER_DAY, int(rm_rd.sum()))
    rm_time_rd = np.maximum(rm_time_rd, claims.redeemed_claim[rm_rd] + 1)
    rm_un = rng.random(claims.unused_member.size) < 0.4
    rm_time_un = claims.unused_claim[rm_un] + 3 * SECONDS_PER_DAY
    rm_coupon = np.concatenate([coupon_ids[:n_redeemed][rm_rd], coupon_ids[n_redeemed:][rm_un]])
    rm_time = np.concatenate([rm_time_rd, rm_time_un])
    rm_keep = rm_time < m.horizon
    rm_coupon, rm_time = rm_coupon[rm_keep], rm_time[rm_keep]
    rm_sort = np.argsort(rm_time, kind="stable")
    writer.daily(
        "mall",
        "coupon_reminders",
        pl.DataFrame(
            {
                "reminder_id": ids("CR", rm_time.size, 9, seq.take("CR", rm_time.size)),
                "coupon_id": rm_coupon[rm_sort].astype(str),
                "sent_at": timestamps(m.start, rm_time[rm_sort]),
            }
        ),
        "sent_at",
    )


def coupons(
    m: Master,
    chunk: Chunk,
    orders: MallOrders,
    rng: np.random.Generator,
    seq: Sequences,
    writer: WorldWriter,
) -> None:
    """The chunk's coupons, reminders and redemptions, appended to the day files."""
    claims = _claims(m, chunk, orders, rng)
    coupon_ids = _write_coupons(chunk, orders, claims, rng, seq, writer, m)
    _reminders(m, claims, coupon_ids, rng, seq, writer)
    rd_sort = np.argsort(claims.paid_time, kind="stable")
    writer.daily(
        "mall",
        "coupon_redemptions",
        pl.DataFrame(
            {
                "coupon_id": coupon_ids[: claims.redeemed.size][rd_sort].astype(str),
                "order_id": orders.order_ids[claims.redeemed][rd_sort],
                "redeemed_at": timestamps(m.start, claims.paid_time[rd_sort]),
            }
        ),
        "redeemed_at",
    )
