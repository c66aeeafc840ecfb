"""When each member buys, which brand and through which channel: buy till you die.

Each member buys at a personal rate while alive and may drop out after each purchase; a
purchase is of the home brand or, by the member's cross-brand appetite, of another brand;
seasons thin the purchases; stores go quiet in the Chinese New Year week."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siyu.demo_world.common import (
    CNY_STORE_TRAFFIC,
    SECONDS_PER_DAY,
    cny_week,
    seasonality,
)
from siyu.demo_world.master import Master
from siyu.demo_world.members import Chunk
from siyu.demo_world.presets import CHANNEL_WEIGHTS


@dataclass
class Purchases:
    """One row per purchase occasion of the chunk's members, in time order."""

    buyer: np.ndarray  # index of the member in the chunk
    when: np.ndarray  # seconds from the window's start
    brand: np.ndarray
    channel: np.ndarray  # mall, pos or live

    def of(self, channel: str) -> np.ndarray:
        return self.channel == channel


def _purchase_times(
    rng: np.random.Generator, chunk: Chunk, horizon: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = chunk.n
    rate_per_day = rng.gamma(shape=0.8, scale=1 / 40, size=n)
    dropout = rng.beta(1.2, 4.0, size=n)
    cross_brand = rng.beta(6.0, 2.0, size=n)
    t = np.maximum(chunk.registered, 0).astype(np.float64)
    alive = np.ones(n, dtype=bool)
    buyer_idx, buy_time = [], []
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1 / rate_per_day[idx]) * SECONDS_PER_DAY
        within = t[idx] < horizon
        alive[idx[~within]] = False
        idx = idx[within]
        if idx.size == 0:
            break
        buyer_idx.append(idx)
        buy_time.append(t[idx].copy())
        alive[idx[rng.random(idx.size) < dropout[idx]]] = False
    buyer = np.concatenate(buyer_idx) if buyer_idx else np.array([], dtype=np.int64)
    when = np.concatenate(buy_time).astype(np.int64) if buy_time else np.array([], dtype=np.int64)
    return buyer, when, cross_brand


def buy_till_you_die(m: Master, chunk: Chunk, rng: np.random.Generator) -> Purchases:
    n_brands = m.scale.brands
    buyer, when, cross_brand = _purchase_times(rng, chunk, m.horizon)
    # Brand of each purchase: the home brand, or another brand of the group.
    home = chunk.home_brand[buyer]
    other = rng.integers(1, max(n_brands, 2), buyer.size)
    other_brand = ((home - 1 + other) % n_brands) + 1
    brand = np.where(rng.random(buyer.size) < cross_brand[buyer], other_brand, home)
    # Seasonality by thinning.
    keep = rng.random(buyer.size) < seasonality(
        when // SECONDS_PER_DAY, m.start, m.brand_category[brand - 1]
    )
    buyer, when, brand = buyer[keep], when[keep], brand[keep]
    # Shopping hours 10:00-22:00.
    when = (when // SECONDS_PER_DAY) * SECONDS_PER_DAY + rng.integers(
        10 * 3600, 22 * 3600, when.size
    )
    order = np.lexsort((buyer, when))
    buyer, when, brand = buyer[order], when[order], brand[order]
    channel = rng.choice(
        np.array(list(CHANNEL_WEIGHTS)), buyer.size, p=np.array(list(CHANNEL_WEIGHTS.values()))
    )
    channel = np.where(chunk.store_only[buyer], "pos", channel)  # they never open the mall
    # Chinese New Year: stores close or go quiet for the week from New Year's Eve.
    quiet = cny_week(when // SECONDS_PER_DAY, m.start) & (channel == "pos")
    kept = ~quiet | (rng.random(buyer.size) < CNY_STORE_TRAFFIC)
    return Purchases(buyer[kept], when[kept], brand[kept], channel[kept])
