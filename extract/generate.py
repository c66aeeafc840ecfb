"""A deterministic demo source world: the files five sources and master data would deliver.

Layout written under OUT: ``<source>/<entity>/<YYYY-MM-DD>.csv`` for daily extracts and
``master/<entity>/<entity>.csv`` for master data. Timestamps are local Beijing time (the
sources' own convention), so business dates are their date part. Same seed, same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import asdict
from pathlib import Path

import numpy as np
import polars as pl

from extract.defects import DefectRates, inject_defects
from extract.world import (
    AD_PLATFORMS,
    BRANDS,
    CHANNEL_WEIGHTS,
    CITIES,
    GIVEN,
    PRESETS,
    SURNAMES,
    Scale,
)

SECONDS_PER_DAY = 86_400
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _seasonality(days: np.ndarray, start: dt.date, category: np.ndarray) -> np.ndarray:
    """Relative purchase intensity (max 1) per day offset and brand category."""
    dates = np.datetime64(start) + days.astype("timedelta64[D]")
    month = (dates.astype("datetime64[M]").astype(int) % 12) + 1
    day_of_month = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    weight = np.full(days.shape, 0.55)
    down = category == "down_jacket"
    weight = np.where(down & np.isin(month, [10, 11, 12, 1]), 1.0, weight)
    weight = np.where(down & np.isin(month, [5, 6, 7, 8]), 0.2, weight)
    double11 = (month == 11) & (day_of_month >= 9) & (day_of_month <= 11)
    six18 = (month == 6) & (day_of_month >= 16) & (day_of_month <= 18)
    return np.where(double11 | six18, 1.0, weight * 0.6)


# Chinese New Year's Eve, per year: stores go quiet for a week from it.
CNY_EVES = {
    2024: dt.date(2024, 2, 9),
    2025: dt.date(2025, 1, 28),
    2026: dt.date(2026, 2, 16),
    2027: dt.date(2027, 2, 5),
}
CNY_STORE_TRAFFIC = 0.3  # share of the usual store purchases in that week
LATE_ORDER_SHARE = 0.03  # mall orders arriving in a later day's extract


def _cny_week(days: np.ndarray, start: dt.date) -> np.ndarray:
    """True for day offsets in the week from a Chinese New Year's Eve."""
    quiet = np.zeros(days.shape, dtype=bool)
    for eve in CNY_EVES.values():
        offset = (eve - start).days
        quiet |= (days >= offset) & (days < offset + 7)
    return quiet


def _platform_report(platform: str, reports: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """A platform's daily campaign report in that platform's own shape (names and units)."""
    if platform == "tencent_ads":  # cost in fen (分), integer
        return reports.select(
            pl.col("report_date").alias("date"),
            "campaign_id",
            "campaign_name",
            pl.col("impressions").alias("view_count"),
            pl.col("clicks").alias("valid_click_count"),
            pl.col("follows").alias("follow_count"),
            (pl.col("spend") * 100).round(0).cast(pl.Int64).alias("cost"),
        ), "date"
    if platform == "ocean_engine":  # hourly-capable API: a timestamp at the day's start
        return reports.select(
            pl.col("report_date").cast(pl.Datetime("ms")).alias("stat_datetime"),
            "campaign_id",
            "campaign_name",
            pl.col("impressions").alias("show_cnt"),
            pl.col("clicks").alias("click_cnt"),
            pl.col("follows").alias("convert_cnt"),
            pl.col("spend").alias("stat_cost"),
        ), "stat_datetime"
    if platform == "baidu_feed":
        return reports.select(
            pl.col("report_date").alias("date"),
            "campaign_id",
            "campaign_name",
            pl.col("impressions").alias("impression"),
            pl.col("clicks").alias("click"),
            pl.col("follows").alias("conversion"),
            pl.col("spend").alias("cost"),
        ), "date"
    raise ValueError(f"no report shape for ad platform {platform!r}")


def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    surname = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    given = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    return np.char.add(surname.astype(str), given.astype(str))


def _ids(prefix: str, n: int, width: int = 8) -> np.ndarray:
    if n == 0:
        return np.array([], dtype=str)
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))


def _timestamps(start: dt.date, seconds: np.ndarray) -> pl.Series:
    """Local timestamps (second precision) at ``seconds`` after midnight of ``start``."""
    base = dt.datetime.combine(start, dt.time())
    offsets = pl.Series(np.asarray(seconds, dtype=np.int64) * 1000).cast(pl.Duration("ms"))
    return (offsets + base).cast(pl.Datetime("ms"))


class WorldWriter:
    """Writes entity frames into per-day files and counts what it wrote."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.manifest: dict[str, dict[str, int]] = {}

    def daily(
        self,
        source: str,
        entity: str,
        frame: pl.DataFrame,
        day_column: str,
        drop: tuple[str, ...] = (),
        json_lines: bool = False,
    ) -> None:
        """One file per day of ``day_column`` (the extract's day); ``drop`` helper columns.

        ``json_lines``: write a JSON Lines export (``.jsonl``) instead of CSV.
        """
        folder = self.out / source / entity
        folder.mkdir(parents=True, exist_ok=True)
        frame = frame.with_columns(pl.col(day_column).dt.date().alias("__day"))
        for (day,), part in frame.sort("__day", maintain_order=True).group_by(
            "__day", maintain_order=True
        ):
            part = part.drop("__day", *drop)
            if json_lines:
                part.with_columns(pl.col(pl.Datetime).dt.strftime(DATETIME_FORMAT)).write_ndjson(
                    folder / f"{day.isoformat()}.jsonl"
                )
            else:
                part.write_csv(folder / f"{day.isoformat()}.csv", datetime_format=DATETIME_FORMAT)
        self.manifest[f"{source}__{entity}"] = {"rows": frame.height}

    def snapshot(self, source: str, entity: str, frame: pl.DataFrame) -> None:
        folder = self.out / source / entity
        folder.mkdir(parents=True, exist_ok=True)
        frame.write_csv(folder / f"{entity}.csv", datetime_format=DATETIME_FORMAT)
        self.manifest[f"{source}__{entity}"] = {"rows": frame.height}


def generate(
    scale: Scale | str,
    seed: int,
    out: Path,
    start: dt.date | None = None,
    days: int | None = None,
    defects: bool | DefectRates | None = None,
) -> dict:
    """Generate a world and write it under ``out`` (replacing what was there).

    ``defects``: None follows the preset (on in demo, off in tiny), True uses the default
    rates, False none, or the rates to use.
    """
    if isinstance(scale, str):
        if scale not in PRESETS:
            raise ValueError(f"unknown scale {scale!r}; choose one of {sorted(PRESETS)}")
        scale = PRESETS[scale]
    start = start or scale.start
    days = days or scale.days
    rng = np.random.default_rng(seed)
    # A second stream for behaviour added later, so the main stream (and earlier worlds'
    # figures) stay as they were.
    aux = np.random.default_rng([seed, 1])
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    writer = WorldWriter(out)
    horizon = days * SECONDS_PER_DAY

    # --- master data -------------------------------------------------------------------
    n_brands = scale.brands
    brand_codes = np.array([b[0] for b in BRANDS[:n_brands]])
    brand_category = np.array([b[2] for b in BRANDS[:n_brands]])
    brand_ids = np.arange(1, n_brands + 1)
    writer.snapshot(
        "master",
        "brands",
        pl.DataFrame(
            {
                "brand_id": brand_ids,
                "brand_code": brand_codes,
                "brand_name": [b[1] for b in BRANDS[:n_brands]],
                "category": brand_category,
            }
        ),
    )

    store_brand = np.concatenate(
        [brand_ids, rng.integers(1, n_brands + 1, scale.stores - n_brands)]
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

    guide_store = np.concatenate(
        [store_ids, rng.integers(1, scale.stores + 1, scale.guides - scale.stores)]
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
                "guide_code": _ids("G", scale.guides, 6),
                "home_store_id": guide_store,
                "brand_id": guide_brand,
            }
        ),
    )

    n_skus = scale.skus_per_brand * n_brands
    sku_brand = np.repeat(brand_ids, scale.skus_per_brand)
    sku_price = np.round(rng.lognormal(5.6, 0.5, n_skus) / 10) * 10 - 0.01
    sku_price = np.where(brand_category[sku_brand - 1] == "down_jacket", sku_price * 3, sku_price)
    sku_price = np.round(sku_price, 2)
    writer.snapshot(
        "master",
        "products",
        pl.DataFrame(
            {
                "sku_id": _ids("SKU", n_skus, 7),
                "spu_id": np.char.add(
                    "SPU", np.char.zfill((np.arange(n_skus) // 4 + 1).astype(str), 6)
                ),
                "brand_id": sku_brand,
                "list_price": sku_price,
            }
        ),
    )

    # --- members -----------------------------------------------------------------------
    n = scale.members
    # A quarter of the members existed before the window; the rest register inside it.
    registered = np.where(
        rng.random(n) < 0.25,
        -rng.integers(1, 365 * SECONDS_PER_DAY, n),
        rng.integers(0, horizon, n),
    )
    home_guide = rng.choice(guide_ids, n, p=guide_weight / guide_weight.sum())
    home_store = guide_store[home_guide - 1]
    home_brand = guide_brand[home_guide - 1]
    member_ids = np.arange(1, n + 1)
    phones = np.char.add(
        "1", np.char.zfill(rng.integers(3_000_000_000, 9_999_999_999, n).astype(str), 10)
    )
    card_no = np.where(rng.random(n) < 0.8, _ids("C", n, 9), None)
    union_id = np.char.add("ou_", np.char.zfill(member_ids.astype(str), 10))
    openid = np.char.add("op_", np.char.zfill(member_ids.astype(str), 10))
    registered_at = _timestamps(start, registered)
    members = pl.DataFrame(
        {
            "member_id": member_ids,
            "union_id": union_id,
            "openid": openid,
            "phone": phones,
            "member_name": _names(rng, n),
            "card_no": pl.Series(card_no.tolist(), dtype=pl.String),
            "register_brand_id": home_brand,
            "register_store_id": home_store,
            "registered_at": registered_at,
        }
    )
    # Members registered before the window arrive with the first day's extract.
    members_file = members.with_columns(
        pl.when(pl.col("registered_at") < dt.datetime.combine(start, dt.time()))
        .then(pl.lit(dt.datetime.combine(start, dt.time())))
        .otherwise(pl.col("registered_at"))
        .alias("updated_at")
    )
    # Written at the end, with the second accounts and shared phones identity has to resolve.

    # --- purchases: buy till you die --------------------------------------------------
    # Each member buys at a personal rate while alive and may drop out after each purchase.
    rate_per_day = rng.gamma(shape=0.8, scale=1 / 40, size=n)
    dropout = rng.beta(1.2, 4.0, size=n)
    cross_brand = rng.beta(6.0, 2.0, size=n)
    t = np.maximum(registered, 0).astype(np.float64)
    alive = np.ones(n, dtype=bool)
    buyer_idx, buy_time = [], []
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1 / rate_per_day[idx]) * SECONDS_PER_DAY
        within = t[idx] < horizon
        idx = idx[within]
        alive[np.flatnonzero(alive)[~within]] = False
        if idx.size == 0:
            break
        buyer_idx.append(idx)
        buy_time.append(t[idx].copy())
        alive[idx[rng.random(idx.size) < dropout[idx]]] = False
    buyer = np.concatenate(buyer_idx) if buyer_idx else np.array([], dtype=np.int64)
    when = np.concatenate(buy_time).astype(np.int64) if buy_time else np.array([], dtype=np.int64)
    # Brand of each purchase: the home brand, or another brand of the group.
    other = rng.integers(1, n_brands, buyer.size)
    other_brand = ((home_brand[buyer] - 1 + other) % n_brands) + 1
    brand = np.where(rng.random(buyer.size) < cross_brand[buyer], other_brand, home_brand[buyer])
    # Seasonality by thinning.
    keep = rng.random(buyer.size) < _seasonality(
        when // SECONDS_PER_DAY, start, brand_category[brand - 1]
    )
    buyer, when, brand = buyer[keep], when[keep], brand[keep]
    # Shopping hours 10:00-22:00.
    when = (when // SECONDS_PER_DAY) * SECONDS_PER_DAY + rng.integers(
        10 * 3600, 22 * 3600, when.size
    )
    order_sort = np.lexsort((buyer, when))
    buyer, when, brand = buyer[order_sort], when[order_sort], brand[order_sort]
    channel = rng.choice(
        np.array(list(CHANNEL_WEIGHTS)), buyer.size, p=np.array(list(CHANNEL_WEIGHTS.values()))
    )
    # Chinese New Year: stores close or go quiet for the week from New Year's Eve.
    quiet = _cny_week(when // SECONDS_PER_DAY, start) & (channel == "pos")
    keep_pos = ~quiet | (aux.random(buyer.size) < CNY_STORE_TRAFFIC)
    buyer, when, brand, channel = (
        buyer[keep_pos],
        when[keep_pos],
        brand[keep_pos],
        channel[keep_pos],
    )

    def pick_skus(brands: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sku_index = (brands - 1) * scale.skus_per_brand + rng.integers(
            0, scale.skus_per_brand, brands.size
        )
        return sku_index, sku_price[sku_index]

    def lines_for(count: int) -> np.ndarray:
        return 1 + rng.binomial(2, 0.25, count)

    sku_codes = _ids("SKU", n_skus, 7)

    # --- mall orders -----------------------------------------------------------------
    m = channel == "mall"
    n_orders = int(m.sum())
    o_member = member_ids[buyer[m]]
    o_brand = brand[m]
    o_time = when[m]
    shared = rng.random(n_orders) < 0.45
    o_share_guide = np.where(shared, home_guide[buyer[m]], 0)
    cancelled = rng.random(n_orders) < 0.05
    order_ids = _ids("MO", n_orders, 9)
    pay_delay = rng.integers(5, 900, n_orders)
    orders = pl.DataFrame(
        {
            "order_id": order_ids,
            "member_id": o_member,
            "brand_id": o_brand,
            "share_guide_id": pl.Series(o_share_guide).replace(0, None),
            "status": np.where(cancelled, "cancelled", "paid"),
            "created_at": _timestamps(start, o_time),
            "paid_at": _timestamps(start, o_time + pay_delay),
        }
    ).with_columns(
        pl.when(pl.col("status") == "paid").then(pl.col("paid_at")).alias("paid_at"),
        pl.col("created_at").alias("updated_at"),
    )
    # Written at the end, once community codes are known.

    lines_per = lines_for(n_orders)
    line_order = np.repeat(np.arange(n_orders), lines_per)
    sku_index, price = pick_skus(o_brand[line_order])
    qty = 1 + rng.binomial(1, 0.15, line_order.size)
    discount = np.round(
        rng.choice([1.0, 0.9, 0.8, 0.7], line_order.size, p=[0.5, 0.25, 0.15, 0.1]), 2
    )
    paid_amount = np.round(price * qty * discount, 2)
    n_lines = line_order.size
    order_line_ids = _ids("ML", n_lines, 10)
    order_lines = pl.DataFrame(
        {
            "order_line_id": order_line_ids,
            "order_id": order_ids[line_order],
            "sku_id": sku_codes[sku_index],
            "quantity": qty,
            "unit_price": price,
            "paid_amount": paid_amount,
            "created_at": _timestamps(start, o_time[line_order]),
        }
    )
    # Written at the end, with the late-arriving orders.

    refunded = (rng.random(n_lines) < 0.08) & ~cancelled[line_order]
    r_idx = np.flatnonzero(refunded)
    r_time = o_time[line_order[r_idx]] + rng.integers(1, 15, r_idx.size) * SECONDS_PER_DAY
    r_in = r_time < horizon
    r_idx, r_time = r_idx[r_in], r_time[r_in]
    full = rng.random(r_idx.size) < 0.8
    refunds = pl.DataFrame(
        {
            "refund_id": _ids("RF", r_idx.size, 9),
            "order_line_id": order_line_ids[r_idx],
            "refund_amount": np.where(
                full, paid_amount[r_idx], np.round(paid_amount[r_idx] * 0.5, 2)
            ),
            "refunded_at": _timestamps(start, r_time),
        }
    )
    writer.daily("mall", "refunds", refunds, "refunded_at")

    # --- POS receipts -----------------------------------------------------------------
    p = channel == "pos"
    p_member = buyer[p]
    p_brand = brand[p]
    p_time = when[p]
    # Same-brand purchases happen in the home store; others in a store of that brand.
    brand_stores = [store_ids[store_brand == b] for b in brand_ids]
    p_store = np.where(
        p_brand == home_brand[p_member],
        home_store[p_member],
        np.array(
            [brand_stores[b - 1][rng.integers(0, brand_stores[b - 1].size)] for b in p_brand],
            dtype=np.int64,
        )
        if p_brand.size
        else p_brand,
    )
    # Walk-in customers without a membership card.
    n_walk = int(rng.poisson(scale.walk_in_receipts_per_store_day * scale.stores * days))
    w_store = rng.integers(1, scale.stores + 1, n_walk)
    w_time = rng.integers(0, days, n_walk) * SECONDS_PER_DAY + rng.integers(
        10 * 3600, 22 * 3600, n_walk
    )
    w_keep = ~_cny_week(w_time // SECONDS_PER_DAY, start) | (aux.random(n_walk) < CNY_STORE_TRAFFIC)
    n_walk, w_store, w_time = int(w_keep.sum()), w_store[w_keep], w_time[w_keep]
    r_store = np.concatenate([p_store, w_store])
    r_time_all = np.concatenate([p_time, w_time])
    r_card = np.concatenate([card_no[p_member], np.full(n_walk, None)])
    r_order = np.argsort(r_time_all, kind="stable")
    r_store, r_time_all, r_card = r_store[r_order], r_time_all[r_order], r_card[r_order]
    n_receipts = r_store.size
    store_guides = [guide_ids[guide_store == s] for s in store_ids]
    r_guide = np.array(
        [
            sg[rng.integers(0, sg.size)] if sg.size and rng.random() < 0.85 else 0
            for sg in (store_guides[s - 1] for s in r_store)
        ],
        dtype=np.int64,
    )
    receipt_ids = _ids("PR", n_receipts, 9)
    receipts = pl.DataFrame(
        {
            "receipt_id": receipt_ids,
            "store_id": r_store,
            "guide_id": pl.Series(r_guide).replace(0, None),
            "member_card_no": pl.Series(r_card.tolist(), dtype=pl.String),
            "sold_at": _timestamps(start, r_time_all),
        }
    )
    writer.daily("pos", "receipts", receipts, "sold_at")
    rl_per = lines_for(n_receipts)
    rl_receipt = np.repeat(np.arange(n_receipts), rl_per)
    rl_sku, rl_price = pick_skus(store_brand[r_store[rl_receipt] - 1])
    rl_qty = 1 + rng.binomial(1, 0.1, rl_receipt.size)
    rl_paid = np.round(
        rl_price * rl_qty * rng.choice([1.0, 0.9, 0.8], rl_receipt.size, p=[0.6, 0.3, 0.1]), 2
    )
    receipt_lines = pl.DataFrame(
        {
            "receipt_line_id": _ids("PL", rl_receipt.size, 10),
            "receipt_id": receipt_ids[rl_receipt],
            "sku_id": sku_codes[rl_sku],
            "quantity": rl_qty,
            "paid_amount": rl_paid,
            "sold_at": _timestamps(start, r_time_all[rl_receipt]),
        }
    )
    writer.daily("pos", "receipt_lines", receipt_lines, "sold_at")

    # --- live streams -----------------------------------------------------------------
    # Each brand streams every third evening, 20:00-22:00.
    session_rows = []
    for b in brand_ids:
        for d in range(int(b) % 3, days, 3):
            session_rows.append((b, d))
    s_brand = np.array([r[0] for r in session_rows], dtype=np.int64)
    s_day = np.array([r[1] for r in session_rows], dtype=np.int64)
    session_ids = _ids("LS", len(session_rows), 6)
    lv = channel == "live"
    l_member, l_brand, l_day = buyer[lv], brand[lv], when[lv] // SECONDS_PER_DAY
    # Snap each live purchase to its brand's session on or after the purchase day.
    l_session_day = l_day + ((l_brand % 3) - l_day) % 3
    ok = l_session_day < days
    l_member, l_brand, l_session_day = l_member[ok], l_brand[ok], l_session_day[ok]
    session_lookup = {(int(b), int(d)): i for i, (b, d) in enumerate(session_rows)}
    l_session = np.array(
        [session_lookup[(int(b), int(d))] for b, d in zip(l_brand, l_session_day, strict=True)],
        dtype=np.int64,
    )
    l_time = l_session_day * SECONDS_PER_DAY + 20 * 3600 + rng.integers(0, 7200, l_session.size)
    l_sort = np.argsort(l_time, kind="stable")
    l_member, l_brand, l_session, l_time = (
        l_member[l_sort],
        l_brand[l_sort],
        l_session[l_sort],
        l_time[l_sort],
    )
    l_sku, l_price = pick_skus(l_brand)
    l_qty = 1 + rng.binomial(1, 0.1, l_sku.size)
    live_orders = pl.DataFrame(
        {
            "live_order_id": _ids("LO", l_sku.size, 9),
            "session_id": session_ids[l_session] if l_session.size else np.array([], dtype=str),
            "member_id": member_ids[l_member],
            "sku_id": sku_codes[l_sku],
            "quantity": l_qty,
            "paid_amount": np.round(l_price * l_qty * 0.85, 2),
            "paid_at": _timestamps(start, l_time),
        }
    )
    writer.daily("live", "live_orders", live_orders, "paid_at")
    buyers_per_session = np.bincount(l_session, minlength=len(session_rows))
    viewers = buyers_per_session * rng.integers(15, 40, len(session_rows)) + rng.integers(
        50, 300, len(session_rows)
    )
    sessions = pl.DataFrame(
        {
            "session_id": session_ids,
            "brand_id": s_brand,
            "title": [f"{brand_codes[b - 1]} live #{i + 1}" for i, b in enumerate(s_brand)],
            "started_at": _timestamps(start, s_day * SECONDS_PER_DAY + 20 * 3600),
            "ended_at": _timestamps(start, s_day * SECONDS_PER_DAY + 22 * 3600),
            "viewers": viewers,
            "peak_concurrent": np.maximum(
                1, (viewers * rng.uniform(0.1, 0.3, viewers.size)).astype(np.int64)
            ),
        }
    )
    writer.daily("live", "sessions", sessions, "started_at")

    # --- WeCom contact events ----------------------------------------------------------
    # Most members in the window are added by their guide around registration; some delete.
    in_window = registered >= 0
    added = in_window & (rng.random(n) < 0.7)
    a_idx = np.flatnonzero(added)
    a_time = registered[a_idx] + rng.integers(0, 3 * 3600, a_idx.size)
    a_keep = a_time < horizon
    a_idx, a_time = a_idx[a_keep], a_time[a_keep]
    # Prospects: contacts who never became members (no union id bound).
    n_prospects = n // 5
    pr_guide = rng.choice(guide_ids, n_prospects, p=guide_weight / guide_weight.sum())
    pr_time = rng.integers(0, horizon, n_prospects)
    c_guide = np.concatenate([home_guide[a_idx], pr_guide])
    c_user = np.concatenate(
        [
            np.char.add("wm_", np.char.zfill(member_ids[a_idx].astype(str), 10)),
            np.char.add("wp_", np.char.zfill(np.arange(1, n_prospects + 1).astype(str), 10)),
        ]
    )
    c_union = np.concatenate([union_id[a_idx], np.full(n_prospects, None)])
    c_time = np.concatenate([a_time, pr_time])
    deleted = rng.random(c_time.size) < 0.1
    d_time = c_time[deleted] + rng.integers(1, 60, int(deleted.sum())) * SECONDS_PER_DAY
    d_keep = d_time < horizon
    e_guide = np.concatenate([c_guide, c_guide[deleted][d_keep]])
    e_user = np.concatenate([c_user, c_user[deleted][d_keep]])
    e_union = np.concatenate([c_union, c_union[deleted][d_keep]])
    e_type = np.concatenate([np.full(c_time.size, "add"), np.full(int(d_keep.sum()), "delete")])
    e_time = np.concatenate([c_time, d_time[d_keep]])
    e_sort = np.argsort(e_time, kind="stable")
    contact_events = pl.DataFrame(
        {
            "event_id": _ids("CE", e_time.size, 9),
            "guide_id": e_guide[e_sort],
            "external_user_id": e_user[e_sort],
            "union_id": pl.Series(e_union[e_sort].tolist(), dtype=pl.String),
            "event_type": e_type[e_sort],
            "occurred_at": _timestamps(start, e_time[e_sort]),
        }
    )
    # Written at the end, with how each contact was added.

    # --- ads ------------------------------------------------------------------------------
    campaigns: list[tuple[int, str, int, float]] = []
    for b in brand_ids:
        for platform, cost in AD_PLATFORMS:
            campaigns.append((len(campaigns) + 1, platform, int(b), cost))
    reports, follows = [], []
    follower_seq = 0
    mean_spend = 30.0 + n * 0.002
    report_dates = pl.Series([start + dt.timedelta(days=d) for d in range(days)])
    for cid, platform, b, cost in campaigns:
        campaign_id = f"CMP{cid:04d}"
        daily_spend = rng.gamma(4.0, mean_spend / 4.0, days).round(2)
        n_follows = rng.poisson(daily_spend / (cost * rng.uniform(0.8, 1.25, days)))
        impressions = (daily_spend * rng.uniform(80, 120, days)).astype(np.int64)
        clicks = (impressions * rng.uniform(0.01, 0.03, days)).astype(np.int64)
        reports.append(
            pl.DataFrame(
                {
                    "platform": platform,
                    "campaign_id": campaign_id,
                    "campaign_name": f"{brand_codes[b - 1]} {platform} acquisition",
                    "report_date": report_dates,
                    "impressions": impressions,
                    "clicks": clicks,
                    "follows": n_follows,
                    "spend": daily_spend,
                }
            )
        )
        total = int(n_follows.sum())
        f_sec = np.repeat(np.arange(days), n_follows) * SECONDS_PER_DAY + rng.integers(
            0, SECONDS_PER_DAY, total
        )
        # Some followers are members already (their OpenID), the rest new social identities.
        f_openid = np.where(
            rng.random(total) < 0.3,
            openid[rng.integers(0, n, total)],
            np.char.add(
                "op_ad_",
                np.char.zfill(
                    np.arange(follower_seq + 1, follower_seq + total + 1).astype(str), 10
                ),
            ),
        )
        follower_seq += total
        unfollow = rng.random(total) < 0.15
        u_sec = f_sec[unfollow] + rng.integers(3600, 20 * SECONDS_PER_DAY, int(unfollow.sum()))
        uk = u_sec < horizon
        follows.append(
            pl.DataFrame(
                {
                    "platform": platform,
                    "campaign_id": campaign_id,
                    "openid": np.concatenate([f_openid, f_openid[unfollow][uk]]),
                    "event_type": ["follow"] * total + ["unfollow"] * int(uk.sum()),
                    "sec": np.concatenate([f_sec, u_sec[uk]]),
                }
            )
        )
    all_reports = pl.concat(reports)
    writer.snapshot(
        "master",
        "ad_campaigns",
        pl.DataFrame(
            {
                "platform": [c[1] for c in campaigns],
                "campaign_id": [f"CMP{c[0]:04d}" for c in campaigns],
                "campaign_name": [f"{brand_codes[c[2] - 1]} {c[1]} acquisition" for c in campaigns],
                "brand_id": [c[2] for c in campaigns],
            }
        ),
    )
    for platform, _ in AD_PLATFORMS:
        report, day_column = _platform_report(
            platform, all_reports.filter(pl.col("platform") == platform)
        )
        writer.daily("ads", f"{platform}_reports", report, day_column)
    fr = pl.concat(follows).sort("sec", "platform", "campaign_id", "openid", maintain_order=True)
    follow_events = fr.select(
        pl.Series("event_id", _ids("FE", fr.height, 9)),
        "platform",
        "campaign_id",
        "openid",
        "event_type",
        pl.Series("occurred_at", _timestamps(start, fr["sec"].to_numpy())),
    )
    writer.daily("ads", "follow_events", follow_events, "occurred_at")

    # --- monthly targets per guide (a CSV drop per month in real life) ---------------------
    months = sorted({(start + dt.timedelta(days=d)).replace(day=1) for d in range(days)})
    relative = guide_weight / guide_weight.mean()
    friends_per_guide_month = c_time.size / scale.guides / max(1.0, days / 30)
    gmv_per_guide_month = (
        float(paid_amount.sum() + rl_paid.sum()) / scale.guides / max(1.0, days / 30)
    )
    targets = pl.concat(
        [
            pl.DataFrame(
                {
                    "month": month,
                    "guide_id": guide_ids,
                    "target_new_friends": np.maximum(
                        1, np.round(relative * friends_per_guide_month * 1.1)
                    ).astype(np.int64),
                    "target_gmv": np.round(
                        relative * gmv_per_guide_month * rng.uniform(0.9, 1.3, scale.guides), -2
                    ),
                }
            )
            for month in months
        ]
    )
    writer.daily("targets", "guide_monthly_targets", targets, "month")

    # --- live boosts: guides bring viewers to their brand's sessions (助力) ---------------
    boost_session, boost_guide = [], []
    brand_guides = [guide_ids[guide_brand == b] for b in brand_ids]
    for index, b in enumerate(s_brand):
        candidates = brand_guides[b - 1]
        if candidates.size == 0:
            continue
        count = min(candidates.size, int(rng.poisson(3)))
        chosen = rng.choice(candidates, count, replace=False)
        boost_session.extend([index] * count)
        boost_guide.extend(chosen.tolist())
    boost_session_arr = np.array(boost_session, dtype=np.int64)
    boosts = pl.DataFrame(
        {
            "boost_id": _ids("LB", len(boost_guide), 8),
            "session_id": session_ids[boost_session_arr] if boost_guide else [],
            "guide_id": np.array(boost_guide, dtype=np.int64),
            # Heavy-tailed: a few guides pass the 300-point reward cap.
            "boost_points": np.maximum(1, rng.lognormal(4.0, 1.0, len(boost_guide))).astype(
                np.int64
            ),
            "recorded_at": _timestamps(
                start, s_day[boost_session_arr] * SECONDS_PER_DAY + 22 * 3600
            ),
        }
    )
    writer.daily("live", "boosts", boosts, "recorded_at")

    # --- mall guide bindings (专属导购) and transfers when a guide leaves ----------------------
    bound = (registered >= 0) & (rng.random(n) < 0.5)
    bd_idx = np.flatnonzero(bound)
    bd_time = registered[bd_idx] + rng.integers(60, 3600, bd_idx.size)
    bd_keep = bd_time < horizon
    bd_idx, bd_time = bd_idx[bd_keep], bd_time[bd_keep]
    bd_guide = home_guide[bd_idx]
    # A few guides leave; a colleague of the same store inherits their bound customers from
    # the leaving day on (earlier sales stay with the leaver).
    n_leavers = max(3, scale.guides // 10)
    leavers = rng.choice(guide_ids, n_leavers, replace=False)
    leave_at = np.full(scale.guides + 1, -1, dtype=np.int64)
    successor = np.zeros(scale.guides + 1, dtype=np.int64)
    for g, when_left in zip(leavers, rng.integers(horizon // 3, horizon, n_leavers), strict=True):
        colleagues = guide_ids[(guide_store == guide_store[g - 1]) & (guide_ids != g)]
        if colleagues.size:
            leave_at[g] = when_left
            successor[g] = colleagues[rng.integers(0, colleagues.size)]
    moved = (leave_at[bd_guide] >= 0) & (bd_time < leave_at[bd_guide])
    bg_member = np.concatenate([member_ids[bd_idx], member_ids[bd_idx[moved]]])
    bg_guide = np.concatenate([bd_guide, successor[bd_guide[moved]]])
    bg_type = np.concatenate([np.full(bd_idx.size, "bind"), np.full(int(moved.sum()), "transfer")])
    bg_time = np.concatenate([bd_time, leave_at[bd_guide[moved]]])
    bg_sort = np.argsort(bg_time, kind="stable")
    writer.daily(
        "mall",
        "guide_bindings",
        pl.DataFrame(
            {
                "binding_id": _ids("GB", bg_time.size, 9),
                "member_id": bg_member[bg_sort],
                "guide_id": bg_guide[bg_sort],
                "binding_type": bg_type[bg_sort],
                "bound_at": _timestamps(start, bg_time[bg_sort]),
            }
        ),
        "bound_at",
    )

    # --- community groups (社群) run by community operators --------------------------------
    n_operators = n_brands * 2
    operator_brand = np.tile(brand_ids, 2)
    writer.snapshot(
        "master",
        "community_operators",
        pl.DataFrame(
            {
                "operator_id": np.arange(1, n_operators + 1),
                "operator_code": _ids("CO", n_operators, 4),
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
    group_ids = _ids("GR", n_groups, 6)
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
                "created_at": _timestamps(start, group_created),
            }
        ),
        "created_at",
    )
    # Some members join one group of their home brand; prospects join too; some leave.
    brand_groups = [np.flatnonzero(group_brand == b) for b in brand_ids]
    joiners = np.flatnonzero(rng.random(n) < 0.3)
    member_group = np.full(n, -1, dtype=np.int64)
    member_group[joiners] = [
        brand_groups[b - 1][rng.integers(0, brand_groups[b - 1].size)] for b in home_brand[joiners]
    ]
    n_guests = n // 50
    guest_group = rng.integers(0, n_groups, n_guests)
    j_group = np.concatenate([member_group[joiners], guest_group])
    j_user = np.concatenate(
        [
            np.char.add("wm_", np.char.zfill(member_ids[joiners].astype(str), 10)),
            np.char.add("wg_", np.char.zfill(np.arange(1, n_guests + 1).astype(str), 10)),
        ]
    )
    j_union = np.concatenate([union_id[joiners], np.full(n_guests, None)])
    j_from = np.maximum(
        group_created[j_group],
        np.concatenate([np.maximum(registered[joiners], 0), np.zeros(n_guests, np.int64)]),
    )
    j_time = j_from + (rng.random(j_group.size) * (horizon - j_from)).astype(np.int64)
    j_left = rng.random(j_group.size) < 0.2
    l_time_all = j_time + rng.integers(3600, 90 * SECONDS_PER_DAY, j_group.size)
    j_leave = np.where(j_left & (l_time_all < horizon), l_time_all, -1)
    member_join = np.full(n, -1, dtype=np.int64)
    member_leave = np.full(n, -1, dtype=np.int64)
    member_join[joiners] = j_time[: joiners.size]
    member_leave[joiners] = j_leave[: joiners.size]
    left = j_leave >= 0
    ce_group = np.concatenate([j_group, j_group[left]])
    ce_user = np.concatenate([j_user, j_user[left]])
    ce_union = np.concatenate([j_union, j_union[left]])
    ce_type = np.concatenate([np.full(j_group.size, "join"), np.full(int(left.sum()), "leave")])
    ce_time = np.concatenate([j_time, j_leave[left]])
    ce_sort = np.argsort(ce_time, kind="stable")
    writer.daily(
        "wecom",
        "community_member_events",
        pl.DataFrame(
            {
                "event_id": _ids("GE", ce_time.size, 9),
                "group_id": group_ids[ce_group[ce_sort]],
                "external_user_id": ce_user[ce_sort],
                "union_id": pl.Series(ce_union[ce_sort].tolist(), dtype=pl.String),
                "event_type": ce_type[ce_sort],
                "occurred_at": _timestamps(start, ce_time[ce_sort]),
            }
        ),
        "occurred_at",
    )
    # WeCom's daily group-chat statistics: members at end of day, who spoke, messages.
    delta = np.zeros((n_groups, days + 1), dtype=np.int64)
    np.add.at(delta, (j_group, j_time // SECONDS_PER_DAY), 1)
    np.add.at(delta, (j_group[left], j_leave[left] // SECONDS_PER_DAY), -1)
    members_eod = np.cumsum(delta, axis=1)[:, :days]
    g_idx, g_day = np.nonzero(members_eod > 0)
    speakers = rng.binomial(members_eod[g_idx, g_day], 0.06)
    writer.daily(
        "wecom",
        "community_daily_stats",
        pl.DataFrame(
            {
                "group_id": group_ids[g_idx],
                "stat_date": pl.Series(
                    [start + dt.timedelta(days=int(d)) for d in g_day], dtype=pl.Date
                ),
                "member_count": members_eod[g_idx, g_day],
                "speaker_count": speakers,
                "message_count": speakers * rng.integers(1, 6, g_idx.size),
            }
        ).sort("stat_date", "group_id"),
        "stat_date",
    )
    # --- second accounts and shared phones: what identity resolution has to untangle -------
    # Some people open a second mall account in another brand's mini-program (new UnionID and
    # OpenID, same phone); their later orders of that brand are placed from it.
    n_brands_ok = n_brands > 1
    second = np.flatnonzero((rng.random(n) < 0.05) & n_brands_ok)
    second_brand = (
        (home_brand[second] - 1 + rng.integers(1, max(n_brands, 2), second.size)) % n_brands
    ) + 1
    second_at = np.maximum(registered[second], 0) + rng.integers(
        SECONDS_PER_DAY, 120 * SECONDS_PER_DAY, second.size
    )
    kept = second_at < horizon
    second, second_brand, second_at = second[kept], second_brand[kept], second_at[kept]
    second_ids = np.arange(n + 1, n + 1 + second.size)
    # Store phones typed in for walk-in customers: one number shared by many accounts.
    n_shared = 3 * 8
    shared_store = rng.integers(1, scale.stores + 1, n_shared)
    shared_phone = np.char.add(
        "1", np.char.zfill(rng.integers(3_000_000_000, 9_999_999_999, 3).astype(str), 10)
    )[np.repeat(np.arange(3), 8)]
    shared_at = rng.integers(0, horizon, n_shared)
    shared_ids = np.arange(n + 1 + second.size, n + 1 + second.size + n_shared)
    extra_ids = np.concatenate([second_ids, shared_ids])
    extra_at = np.concatenate([second_at, shared_at])
    extra = pl.DataFrame(
        {
            "member_id": extra_ids,
            "union_id": np.char.add("ou_x", np.char.zfill(extra_ids.astype(str), 9)),
            "openid": np.char.add("op_x", np.char.zfill(extra_ids.astype(str), 9)),
            "phone": np.concatenate([phones[second], shared_phone]),
            "member_name": _names(rng, extra_ids.size),
            "card_no": pl.Series([None] * extra_ids.size, dtype=pl.String),
            "register_brand_id": np.concatenate([second_brand, store_brand[shared_store - 1]]),
            "register_store_id": np.concatenate(
                [
                    np.array(
                        [
                            brand_stores[b - 1][rng.integers(0, brand_stores[b - 1].size)]
                            for b in second_brand
                        ],
                        dtype=np.int64,
                    ),
                    shared_store,
                ]
            ),
            "registered_at": _timestamps(start, extra_at),
        }
    )
    writer.daily(
        "mall",
        "members",
        pl.concat([members_file, extra.with_columns(pl.col("registered_at").alias("updated_at"))]),
        "updated_at",
    )
    account_of = np.zeros(n, dtype=np.int64)
    account_at = np.full(n, horizon, dtype=np.int64)
    account_brand = np.zeros(n, dtype=np.int64)
    account_of[second], account_at[second], account_brand[second] = (
        second_ids,
        second_at,
        second_brand,
    )
    o_index = o_member - 1
    from_second = (
        (account_of[o_index] > 0)
        & (o_brand == account_brand[o_index])
        & (o_time >= account_at[o_index])
    )
    o_member = np.where(from_second, account_of[o_index], o_member)
    o_account_registered = np.where(from_second, account_at[o_index], registered[o_index])
    orders = orders.with_columns(pl.Series("member_id", o_member))

    # Mall orders through a community group's link or code: buyers inside a group at the time.
    in_group = (
        (member_group[o_index] >= 0)
        & (member_join[o_index] <= o_time)
        & ((member_leave[o_index] < 0) | (member_leave[o_index] > o_time))
        & (group_brand[np.maximum(member_group[o_index], 0)] == o_brand)
    )
    via_group = in_group & (rng.random(n_orders) < 0.6)
    orders = orders.with_columns(
        pl.Series(
            "community_group_id",
            np.where(via_group, group_ids[np.maximum(member_group[o_index], 0)], None).tolist(),
            dtype=pl.String,
        )
    ).select(
        "order_id",
        "member_id",
        "brand_id",
        "share_guide_id",
        "community_group_id",
        "status",
        "created_at",
        "paid_at",
        "updated_at",
    )
    # Late-arriving orders: a few land in the extract of a later day than they were placed
    # (only ones with no refund or coupon yet, which would arrive later still).
    has_refund = np.zeros(n_orders, dtype=bool)
    has_refund[line_order[r_idx]] = True
    late_days = np.where(
        (aux.random(n_orders) < LATE_ORDER_SHARE) & ~has_refund,
        aux.integers(1, 4, n_orders),
        0,
    )
    extract_day = pl.Series(
        "__extract_day", (o_time // SECONDS_PER_DAY + late_days) * SECONDS_PER_DAY
    )
    writer.daily(
        "mall",
        "orders",
        orders.with_columns(_timestamps(start, extract_day.to_numpy()).alias("__extract_day")),
        "__extract_day",
        drop=("__extract_day",),
    )
    writer.daily(
        "mall",
        "order_lines",
        order_lines.with_columns(
            _timestamps(start, extract_day.to_numpy()[line_order]).alias("__extract_day")
        ),
        "__extract_day",
        drop=("__extract_day",),
    )

    # --- coupons: claimed through guides, ads and live rooms; most never redeemed ---------
    paid = np.flatnonzero(~cancelled & (late_days == 0))  # a late order's coupon: later
    redeemed = paid[rng.random(paid.size) < 0.25]
    paid_time = o_time[redeemed] + pay_delay[redeemed]
    path = rng.choice(3, redeemed.size, p=[0.4, 0.35, 0.25])  # within 1 h, reminded, other
    claim_lag = np.select(
        [path == 0, path == 1],
        [
            rng.integers(60, 3600, redeemed.size),
            rng.integers(2 * SECONDS_PER_DAY, 10 * SECONDS_PER_DAY, redeemed.size),
        ],
        rng.integers(2 * 3600, 10 * SECONDS_PER_DAY, redeemed.size),
    )
    # Nobody claims a coupon before registering.
    rd_claim = np.maximum(paid_time - claim_lag, np.maximum(o_account_registered[redeemed], 0))
    n_unused = redeemed.size * 3
    un_member = rng.integers(0, n, n_unused)
    un_from = np.maximum(registered[un_member], 0)
    un_claim = un_from + (rng.random(n_unused) * (horizon - un_from)).astype(np.int64)
    cp_person = np.concatenate([o_index[redeemed], un_member])
    cp_account = np.concatenate([o_member[redeemed], member_ids[un_member]])
    cp_brand = np.concatenate([o_brand[redeemed], home_brand[un_member]])
    cp_claim = np.concatenate([rd_claim, un_claim])
    n_coupons = cp_claim.size
    cp_source = rng.choice(np.array(["guide", "ad", "live"]), n_coupons, p=[0.6, 0.25, 0.15])
    brand_campaigns = [np.array([c[0] for c in campaigns if c[2] == b]) for b in brand_ids]
    cp_campaign = np.array(
        [
            f"CMP{brand_campaigns[b - 1][rng.integers(0, brand_campaigns[b - 1].size)]:04d}"
            if src == "ad"
            else None
            for b, src in zip(cp_brand, cp_source, strict=True)
        ],
        dtype=object,
    )
    cp_order = np.argsort(cp_claim, kind="stable")
    coupon_ids = np.empty(n_coupons, dtype=object)
    coupon_ids[cp_order] = _ids("CP", n_coupons, 9)
    writer.daily(
        "mall",
        "coupons",
        pl.DataFrame(
            {
                "coupon_id": coupon_ids[cp_order].astype(str),
                "member_id": cp_account[cp_order],
                "brand_id": cp_brand[cp_order],
                "source_channel": cp_source[cp_order],
                "guide_id": pl.Series(
                    np.where(cp_source == "guide", home_guide[cp_person], 0)[cp_order]
                ).replace(0, None),
                "campaign_id": pl.Series(cp_campaign[cp_order].tolist(), dtype=pl.String),
                "discount_amount": rng.choice([20.0, 50.0, 100.0], n_coupons)[cp_order],
                "claimed_at": _timestamps(start, cp_claim[cp_order]),
            }
        ),
        "claimed_at",
    )
    # Reminders: every coupon redeemed after one, and a share of the unused ones.
    rm_rd = path == 1
    rm_time_rd = paid_time[rm_rd] - rng.integers(3600, 2 * SECONDS_PER_DAY, int(rm_rd.sum()))
    rm_time_rd = np.maximum(rm_time_rd, rd_claim[rm_rd] + 1)
    rm_un = rng.random(n_unused) < 0.4
    rm_time_un = un_claim[rm_un] + 3 * SECONDS_PER_DAY
    rm_coupon = np.concatenate(
        [coupon_ids[: redeemed.size][rm_rd], coupon_ids[redeemed.size :][rm_un]]
    )
    rm_time = np.concatenate([rm_time_rd, rm_time_un])
    rm_keep = rm_time < horizon
    rm_coupon, rm_time = rm_coupon[rm_keep], rm_time[rm_keep]
    rm_sort = np.argsort(rm_time, kind="stable")
    writer.daily(
        "mall",
        "coupon_reminders",
        pl.DataFrame(
            {
                "reminder_id": _ids("CR", rm_time.size, 9),
                "coupon_id": rm_coupon[rm_sort].astype(str),
                "sent_at": _timestamps(start, rm_time[rm_sort]),
            }
        ),
        "sent_at",
    )
    rd_sort = np.argsort(paid_time, kind="stable")
    writer.daily(
        "mall",
        "coupon_redemptions",
        pl.DataFrame(
            {
                "coupon_id": coupon_ids[: redeemed.size][rd_sort].astype(str),
                "order_id": order_ids[redeemed][rd_sort],
                "redeemed_at": _timestamps(start, paid_time[rd_sort]),
            }
        ),
        "redeemed_at",
    )

    # --- how each WeCom contact was added: by the guide, by the store's QR code, in a live room
    contact_way = rng.choice(
        np.array(["guide", "store_qr", "live_room"]), c_time.size, p=[0.6, 0.3, 0.1]
    )
    e_way = np.concatenate([contact_way, np.full(int(d_keep.sum()), None)])
    contact_events = contact_events.with_columns(
        pl.Series("add_way", e_way[e_sort].tolist(), dtype=pl.String)
    ).select(
        "event_id",
        "guide_id",
        "external_user_id",
        "union_id",
        "event_type",
        "add_way",
        "occurred_at",
    )
    # WeCom hands contact events over as a JSON Lines export.
    writer.daily("wecom", "contact_events", contact_events, "occurred_at", json_lines=True)

    manifest = {
        "scale": asdict(scale) | {"start": start.isoformat(), "days": days},
        "seed": seed,
        "entities": writer.manifest,
    }
    if defects is None:
        defects = scale.defects
    if defects:
        rates = defects if isinstance(defects, DefectRates) else DefectRates()
        manifest["defects"] = inject_defects(out, seed, rates)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    return manifest


def digest(out: Path) -> str:
    """One hash over every file written, for byte-identity checks."""
    h = hashlib.sha256()
    for path in sorted(Path(out).rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(out)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()
