"""Master data and what every member chunk shares: brands, stores, guides, products, live
sessions, leaving guides and their successors, community operators and groups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from siyu.demo_world.common import SECONDS_PER_DAY, Lookup, ids, timestamps
from siyu.demo_world.presets import BRANDS, CITIES, Scale
from siyu.demo_world.writer import WorldWriter


@dataclass
class Master:
    """Master data and everything the member chunks share."""

    scale: Scale
    start: dt.date
    days: int
    brand_ids: np.ndarray
    brand_codes: np.ndarray
    brand_category: np.ndarray
    store_ids: np.ndarray
    store_brand: np.ndarray
    stores_of_brand: Lookup
    guide_ids: np.ndarray
    guide_store: np.ndarray
    guide_brand: np.ndarray
    guide_weight: np.ndarray
    guides_of_store: Lookup
    guides_of_brand: Lookup
    sku_price: np.ndarray
    sku_codes: np.ndarray
    session_ids: np.ndarray
    session_brand: np.ndarray
    session_day: np.ndarray
    session_of: np.ndarray  # [brand, day] -> session index, -1 for none
    leave_at: np.ndarray  # per guide id: when the guide left, -1 if never
    successor: np.ndarray  # per guide id: the colleague inheriting bound customers
    group_ids: np.ndarray
    group_brand: np.ndarray
    group_created: np.ndarray
    groups_of_brand: Lookup

    @property
    def horizon(self) -> int:
        return self.days * SECONDS_PER_DAY

    @property
    def guide_p(self) -> np.ndarray:
        return self.guide_weight / self.guide_weight.sum()

    def pick_skus(
        self, rng: np.random.Generator, brands: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """A random SKU of each brand in ``brands``: its index and list price."""
        per_brand = self.scale.skus_per_brand
        sku_index = (brands - 1) * per_brand + rng.integers(0, per_brand, brands.size)
        return sku_index, self.sku_price[sku_index]


def _brands(scale: Scale, writer: WorldWriter) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_brands = scale.brands
    if n_brands > len(BRANDS):
        raise ValueError(f"at most {len(BRANDS)} brands are defined, the scale asks {n_brands}")
    codes = np.array([b[0] for b in BRANDS[:n_brands]])
    category = np.array([b[2] for b in BRANDS[:n_brands]])
    brand_ids = np.arange(1, n_brands + 1)
    writer.snapshot(
        "master",
        "brands",
        pl.DataFrame(
            {
                "brand_id": brand_ids,
                "brand_code": codes,
                "brand_name": [b[1] for b in BRANDS[:n_brands]],
                "category": category,
            }
        ),
    )
    return brand_ids, codes, category


def _stores(
    scale: Scale, rng: np.random.Generator, writer: WorldWriter, brand_codes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n_brands = scale.brands
    brand_ids = np.arange(1, n_brands + 1)
    store_brand = np.concatenate(
        [brand_ids, rng.integers(1, n_brands + 1, max(0, scale.stores - n_brands))]
    )[: scale.stores]
    store_city = rng.integers(0, len(CITIES), scale.stores)
    store_ids = np.arange(1, scale.stores + 1)
    writer.snapshot(
        "master",
        "stores",
        pl.DataFrame(
            {
                "store_id": store_ids,
                "brand_id": store_brand,
                "store_name": [
                    f"{brand_codes[b - 1]} {CITIES[c][0]} #{s}"
                    for s, b, c in zip(store_ids, store_brand, store_city, strict=True)
                ],
                "city": [CITIES[c][0] for c in store_city],
                "region": [CITIES[c][1] for c in store_city],
            }
        ),
    )
    return store_ids, store_brand


def _guides(
    scale: Scale,
    rng: np.random.Generator,
    writer: WorldWriter,
    store_ids: np.ndarray,
    store_brand: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    guide_store = np.concatenate(
        [store_ids, rng.integers(1, scale.stores + 1, max(0, scale.guides - scale.stores))]
    )[: scale.guides]
    guide_brand = store_brand[guide_store - 1]
    guide_ids = np.arange(1, scale.guides + 1)
    # A few top guides bring most friends and sales (Pareto-like skew).
    guide_weight = rng.pareto(1.2, scale.guides) + 0.05
    writer.snapshot(
        "master",
        "guides",
        pl.DataFrame(
            {
                "guide_id": guide_ids,
                "guide_code": ids("G", scale.guides, 6),
                "home_store_id": guide_store,
                "brand_id": guide_brand,
            }
        ),
    )
    return guide_ids, guide_store, guide_brand, guide_weight


def _products(
    scale: Scale, rng: np.random.Generator, writer: WorldWriter, category: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n_skus = scale.skus_per_brand * scale.brands
    sku_brand = np.repeat(np.arange(1, scale.brands + 1), scale.skus_per_brand)
    sku_price = np.round(rng.lognormal(5.6, 0.5, n_skus) / 10) * 10 - 0.01
    sku_price = np.where(category[sku_brand - 1] == "down_jacket", sku_price * 3, sku_price)
    sku_price = np.round(sku_price, 2)
    sku_codes = ids("SKU", n_skus, 7)
    writer.snapshot(
        "master",
        "products",
        pl.DataFrame(
            {
                "sku_id": sku_codes,
                "spu_id": np.char.add(
                    "SPU", np.char.zfill((np.arange(n_skus) // 4 + 1).astype(str), 6)
                ),
                "brand_id": sku_brand,
                "list_price": sku_price,
            }
        ),
    )
    return sku_price, sku_codes


def _sessions(brand_ids: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each brand streams every third evening, 20:00-22:00."""
    session_brand = np.concatenate([np.full(len(range(b % 3, days, 3)), b) for b in brand_ids])
    session_day = np.concatenate([np.arange(b % 3, days, 3) for b in brand_ids])
    session_of = np.full((brand_ids.size + 1, days + 3), -1, dtype=np.int64)
    session_of[session_brand, session_day] = np.arange(session_brand.size)
    return session_brand, session_day, session_of


def _leavers(
    rng: np.random.Generator, guide_ids: np.ndarray, guide_store: np.ndarray, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """A few guides leave; a colleague of the same store inherits their bound customers from
    the leaving day on (earlier sales stay with the leaver)."""
    n_guides = guide_ids.size
    n_leavers = min(n_guides, max(3, n_guides // 10))
    leavers = rng.choice(guide_ids, n_leavers, replace=False)
    leave_at = np.full(n_guides + 1, -1, dtype=np.int64)
    successor = np.zeros(n_guides + 1, dtype=np.int64)
    for g, when_left in zip(leavers, rng.integers(horizon // 3, horizon, n_leavers), strict=True):
        colleagues = guide_ids[(guide_store == guide_store[g - 1]) & (guide_ids != g)]
        if colleagues.size:
            leave_at[g] = when_left
            successor[g] = colleagues[rng.integers(0, colleagues.size)]
    return leave_at, successor


def _groups(
    scale: Scale,
    start: dt.date,
    rng: np.random.Generator,
    writer: WorldWriter,
    brand_codes: np.ndarray,
    horizon: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Community groups (社群) run by community operators."""
    n_brands = scale.brands
    n_operators = n_brands * 2
    operator_brand = np.tile(np.arange(1, n_brands + 1), 2)
    writer.snapshot(
        "master",
        "community_operators",
        pl.DataFrame(
            {
                "operator_id": np.arange(1, n_operators + 1),
                "operator_code": ids("CO", n_operators, 4),
                "brand_id": operator_brand,
            }
        ),
    )
    n_groups = max(n_brands * 3, scale.stores // 2)
    group_operator = np.concatenate(
        [np.arange(1, n_operators + 1), rng.integers(1, n_operators + 1, n_groups)]
    )[:n_groups]
    group_brand = operator_brand[group_operator - 1]
    group_created = np.where(rng.random(n_groups) < 0.5, 0, rng.integers(0, horizon // 2, n_groups))
    group_ids = ids("GR", n_groups, 6)
    writer.daily(
        "wecom",
        "community_groups",
        pl.DataFrame(
            {
                "group_id": group_ids,
                "brand_id": group_brand,
                "operator_id": group_operator,
                "group_name": [
                    f"{brand_codes[b - 1]} fans #{i + 1}" for i, b in enumerate(group_brand)
                ],
                "created_at": timestamps(start, group_created),
            }
        ),
        "created_at",
    )
    return group_ids, group_brand, group_created


def build_master(
    scale: Scale, start: dt.date, days: int, rng: np.random.Generator, writer: WorldWriter
) -> Master:
    """Brands, stores, guides, products, live sessions, leaving guides, community groups."""
    horizon = days * SECONDS_PER_DAY
    brand_ids, brand_codes, category = _brands(scale, writer)
    store_ids, store_brand = _stores(scale, rng, writer, brand_codes)
    guide_ids, guide_store, guide_brand, guide_weight = _guides(
        scale, rng, writer, store_ids, store_brand
    )
    sku_price, sku_codes = _products(scale, rng, writer, category)
    session_brand, session_day, session_of = _sessions(brand_ids, days)
    leave_at, successor = _leavers(rng, guide_ids, guide_store, horizon)
    group_ids, group_brand, group_created = _groups(scale, start, rng, writer, brand_codes, horizon)
    return Master(
        scale=scale,
        start=start,
        days=days,
        brand_ids=brand_ids,
        brand_codes=brand_codes,
        brand_category=category,
        store_ids=store_ids,
        store_brand=store_brand,
        stores_of_brand=Lookup.of(store_brand, store_ids, scale.brands),
        guide_ids=guide_ids,
        guide_store=guide_store,
        guide_brand=guide_brand,
        guide_weight=guide_weight,
        guides_of_store=Lookup.of(guide_store, guide_ids, scale.stores),
        guides_of_brand=Lookup.of(guide_brand, guide_ids, scale.brands),
        sku_price=sku_price,
        sku_codes=sku_codes,
        session_ids=ids("LS", session_brand.size, 6),
        session_brand=session_brand,
        session_day=session_day,
        session_of=session_of,
        leave_at=leave_at,
        successor=successor,
        group_ids=group_ids,
        group_brand=group_brand,
        group_created=group_created,
        groups_of_brand=Lookup.of(group_brand, np.arange(group_ids.size), scale.brands),
    )
