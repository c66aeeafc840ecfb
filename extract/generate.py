"""A deterministic demo source world: the files five sources and master data would deliver.

Layout written under OUT: ``<source>/<entity>/<YYYY-MM-DD>.csv`` for daily extracts and
``master/<entity>/<entity>.csv`` for master data. Timestamps are local Beijing time (the
sources' own convention), so business dates are their date part. Same seed, same bytes.

The world is made in three steps so that any size fits in memory: master data (brands,
stores, guides, products, live sessions, community groups), then the members in chunks of
``Scale.chunk_members`` (each chunk buys, refunds, is added on WeCom, joins groups, claims
coupons, with its own random stream, and appends its rows to the day files), then what spans
all members (walk-in receipts, ad campaigns with their reports and follows, live viewers and
boosts, targets, group statistics). ID sequences run across chunks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import polars as pl
from tqdm import tqdm

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


def _ids(prefix: str, n: int, width: int = 8, first: int = 1) -> np.ndarray:
    """``prefix`` + zero-padded numbers ``first`` .. ``first + n - 1``."""
    if n == 0:
        return np.array([], dtype=str)
    return np.char.add(prefix, np.char.zfill(np.arange(first, first + n).astype(str), width))


def _prefixed(prefix: str, numbers: np.ndarray, width: int = 10) -> np.ndarray:
    """``prefix`` + each of ``numbers`` zero-padded to ``width``."""
    return np.char.add(prefix, np.char.zfill(np.asarray(numbers).astype(str), width))


def _timestamps(start: dt.date, seconds: np.ndarray) -> pl.Series:
    """Local timestamps (second precision) at ``seconds`` after midnight of ``start``."""
    base = dt.datetime.combine(start, dt.time())
    offsets = pl.Series(np.asarray(seconds, dtype=np.int64) * 1000).cast(pl.Duration("ms"))
    return (offsets + base).cast(pl.Datetime("ms"))


def _phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` random mainland mobile numbers (11 digits starting with 1)."""
    return _prefixed("1", rng.integers(3_000_000_000, 9_999_999_999, n), 10)


def _extra_accounts(
    start: dt.date,
    ids: np.ndarray,
    phone: np.ndarray,
    names: np.ndarray,
    brand: np.ndarray,
    store: np.ndarray,
    at: np.ndarray,
) -> pl.DataFrame:
    """Mall accounts beyond a person's own (second accounts, shared store phones): their own
    UnionID and OpenID, no card, registered (and extracted) at ``at``."""
    return pl.DataFrame(
        {
            "member_id": ids,
            "union_id": _prefixed("ou_x", ids, 9),
            "openid": _prefixed("op_x", ids, 9),
            "phone": phone,
            "member_name": names,
            "card_no": pl.Series([None] * ids.size, dtype=pl.String),
            "register_brand_id": brand,
            "register_store_id": store,
            "registered_at": _timestamps(start, at),
        }
    ).with_columns(pl.col("registered_at").alias("updated_at"))


def _nullable(values: np.ndarray) -> pl.Series:
    """Strings with None where ``values`` holds None."""
    return pl.Series(values.tolist(), dtype=pl.String)


def _span_events(
    at: np.ndarray,
    ends: np.ndarray,
    ended_at: np.ndarray,
    kinds: tuple[str, str],
    columns: dict[str, np.ndarray],
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Events of spans (a contact added then deleted, a follow then an unfollow, ...): one
    event of ``kinds[0]`` per span at ``at``, one of ``kinds[1]`` at ``ended_at`` for the spans
    indexed by ``ends``; each with its span's ``columns``. Returns the columns and
    ``event_type``, and the seconds, in time order."""
    seconds = np.concatenate([at, ended_at])
    kind = np.concatenate([np.full(at.size, kinds[0]), np.full(ends.size, kinds[1])])
    order = np.argsort(seconds, kind="stable")
    events = {name: np.concatenate([v, v[ends]])[order] for name, v in columns.items()}
    return events | {"event_type": kind[order]}, seconds[order]


@dataclass(frozen=True)
class _Lookup:
    """The values of each key 1..K, for vectorised random picks of one value per key."""

    values: np.ndarray
    first: np.ndarray
    count: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray, values: np.ndarray, n_keys: int) -> _Lookup:
        order = np.argsort(keys, kind="stable")
        count = np.bincount(keys, minlength=n_keys + 1)
        first = np.concatenate([[0], np.cumsum(count)[:-1]])
        return cls(values[order], first, count)

    def pick(self, rng: np.random.Generator, keys: np.ndarray, missing: int = 0) -> np.ndarray:
        """One random value of each key in ``keys`` (``missing`` for a key without values)."""
        count = self.count[keys]
        index = self.first[keys] + (rng.random(keys.size) * count).astype(np.int64)
        if self.values.size == 0:
            return np.full(keys.size, missing, dtype=np.int64)
        return np.where(count > 0, self.values[np.minimum(index, self.values.size - 1)], missing)


class _Sequences:
    """ID sequences that run on across member chunks."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, name: str, count: int) -> int:
        """The first of ``count`` new numbers (1-based) of sequence ``name``."""
        first = self._next.get(name, 1)
        self._next[name] = first + count
        return first


class WorldWriter:
    """Writes entity frames into per-day files, appending chunk after chunk, and counts rows."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.manifest: dict[str, dict[str, int]] = {}
        self._started: set[Path] = set()

    def daily(
        self,
        source: str,
        entity: str,
        frame: pl.DataFrame,
        day_column: str,
        drop: tuple[str, ...] = (),
        json_lines: bool = False,
    ) -> None:
        """Rows into one file per day of ``day_column`` (the extract's day); ``drop`` helpers.

        A day file written earlier in this run gets the rows appended (no second header).
        ``json_lines``: write a JSON Lines export (``.jsonl``) instead of CSV.
        """
        folder = self.out / source / entity
        folder.mkdir(parents=True, exist_ok=True)
        frame = frame.with_columns(pl.col(day_column).dt.date().alias("__day"))
        for (day,), part in frame.sort("__day", maintain_order=True).group_by(
            "__day", maintain_order=True
        ):
            part = part.drop("__day", *drop)
            path = folder / f"{day.isoformat()}.{'jsonl' if json_lines else 'csv'}"
            first = path not in self._started
            self._started.add(path)
            with path.open("wb" if first else "ab") as handle:
                if json_lines:
                    part.with_columns(
                        pl.col(pl.Datetime).dt.strftime(DATETIME_FORMAT)
                    ).write_ndjson(handle)
                else:
                    part.write_csv(handle, include_header=first, datetime_format=DATETIME_FORMAT)
        entry = self.manifest.setdefault(f"{source}__{entity}", {"rows": 0})
        entry["rows"] += frame.height

    def snapshot(self, source: str, entity: str, frame: pl.DataFrame) -> None:
        folder = self.out / source / entity
        folder.mkdir(parents=True, exist_ok=True)
        frame.write_csv(folder / f"{entity}.csv", datetime_format=DATETIME_FORMAT)
        self.manifest[f"{source}__{entity}"] = {"rows": frame.height}


@dataclass
class _Master:
    """Master data and everything the member chunks share."""

    scale: Scale
    start: dt.date
    days: int
    brand_ids: np.ndarray
    brand_codes: np.ndarray
    brand_category: np.ndarray
    store_ids: np.ndarray
    store_brand: np.ndarray
    stores_of_brand: _Lookup
    guide_ids: np.ndarray
    guide_store: np.ndarray
    guide_brand: np.ndarray
    guide_weight: np.ndarray
    guides_of_store: _Lookup
    guides_of_brand: _Lookup
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
    groups_of_brand: _Lookup

    @property
    def horizon(self) -> int:
        return self.days * SECONDS_PER_DAY

    @property
    def guide_p(self) -> np.ndarray:
        return self.guide_weight / self.guide_weight.sum()


@dataclass
class _Totals:
    """What the member chunks add up for the parts written after them."""

    buyers_per_session: np.ndarray
    group_delta: np.ndarray  # [group, day] joins minus leaves
    contacts: int = 0
    sales: float = 0.0


def _master(
    scale: Scale, start: dt.date, days: int, rng: np.random.Generator, writer: WorldWriter
) -> _Master:
    """Brands, stores, guides, products, live sessions, leaving guides, community groups."""
    horizon = days * SECONDS_PER_DAY
    n_brands = scale.brands
    if n_brands > len(BRANDS):
        raise ValueError(f"at most {len(BRANDS)} brands are defined, the scale asks {n_brands}")
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
    sku_codes = _ids("SKU", n_skus, 7)
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

    # Each brand streams every third evening, 20:00-22:00.
    session_brand = np.concatenate([np.full(len(range(b % 3, days, 3)), b) for b in brand_ids])
    session_day = np.concatenate([np.arange(b % 3, days, 3) for b in brand_ids])
    session_of = np.full((n_brands + 1, days + 3), -1, dtype=np.int64)
    session_of[session_brand, session_day] = np.arange(session_brand.size)

    # A few guides leave; a colleague of the same store inherits their bound customers from
    # the leaving day on (earlier sales stay with the leaver).
    n_leavers = min(scale.guides, max(3, scale.guides // 10))
    leavers = rng.choice(guide_ids, n_leavers, replace=False)
    leave_at = np.full(scale.guides + 1, -1, dtype=np.int64)
    successor = np.zeros(scale.guides + 1, dtype=np.int64)
    for g, when_left in zip(leavers, rng.integers(horizon // 3, horizon, n_leavers), strict=True):
        colleagues = guide_ids[(guide_store == guide_store[g - 1]) & (guide_ids != g)]
        if colleagues.size:
            leave_at[g] = when_left
            successor[g] = colleagues[rng.integers(0, colleagues.size)]

    # Community groups (社群) run by community operators.
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
    return _Master(
        scale=scale,
        start=start,
        days=days,
        brand_ids=brand_ids,
        brand_codes=brand_codes,
        brand_category=brand_category,
        store_ids=store_ids,
        store_brand=store_brand,
        stores_of_brand=_Lookup.of(store_brand, store_ids, n_brands),
        guide_ids=guide_ids,
        guide_store=guide_store,
        guide_brand=guide_brand,
        guide_weight=guide_weight,
        guides_of_store=_Lookup.of(guide_store, guide_ids, scale.stores),
        guides_of_brand=_Lookup.of(guide_brand, guide_ids, n_brands),
        sku_price=sku_price,
        sku_codes=sku_codes,
        session_ids=_ids("LS", session_brand.size, 6),
        session_brand=session_brand,
        session_day=session_day,
        session_of=session_of,
        leave_at=leave_at,
        successor=successor,
        group_ids=group_ids,
        group_brand=group_brand,
        group_created=group_created,
        groups_of_brand=_Lookup.of(group_brand, np.arange(n_groups), n_brands),
    )


def _pick_skus(
    m: _Master, rng: np.random.Generator, brands: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    sku_index = (brands - 1) * m.scale.skus_per_brand + rng.integers(
        0, m.scale.skus_per_brand, brands.size
    )
    return sku_index, m.sku_price[sku_index]


def _lines_for(rng: np.random.Generator, count: int) -> np.ndarray:
    return 1 + rng.binomial(2, 0.25, count)


def _write_receipts(
    m: _Master,
    rng: np.random.Generator,
    seq: _Sequences,
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
    receipt_ids = _ids("PR", n_receipts, 9, seq.take("PR", n_receipts))
    writer.daily(
        "pos",
        "receipts",
        pl.DataFrame(
            {
                "receipt_id": receipt_ids,
                "store_id": store,
                "guide_id": pl.Series(guide).replace(0, None),
                "member_card_no": _nullable(card),
                "sold_at": _timestamps(m.start, seconds),
            }
        ),
        "sold_at",
    )
    line_receipt = np.repeat(np.arange(n_receipts), _lines_for(rng, n_receipts))
    sku, price = _pick_skus(m, rng, m.store_brand[store[line_receipt] - 1])
    qty = 1 + rng.binomial(1, 0.1, line_receipt.size)
    paid = np.round(
        price * qty * rng.choice([1.0, 0.9, 0.8], line_receipt.size, p=[0.6, 0.3, 0.1]), 2
    )
    writer.daily(
        "pos",
        "receipt_lines",
        pl.DataFrame(
            {
                "receipt_line_id": _ids(
                    "PL", line_receipt.size, 10, seq.take("PL", line_receipt.size)
                ),
                "receipt_id": receipt_ids[line_receipt],
                "sku_id": m.sku_codes[sku],
                "quantity": qty,
                "paid_amount": paid,
                "sold_at": _timestamps(m.start, seconds[line_receipt]),
            }
        ),
        "sold_at",
    )
    return float(paid.sum())


def _member_chunk(
    m: _Master,
    lo: int,
    hi: int,
    rng: np.random.Generator,
    seq: _Sequences,
    totals: _Totals,
    writer: WorldWriter,
) -> None:
    """Members ``lo + 1`` .. ``hi`` and everything they do, appended to the day files."""
    start, days, horizon = m.start, m.days, m.horizon
    n_brands = m.scale.brands
    n = hi - lo
    member_ids = np.arange(lo + 1, hi + 1)

    # --- members ---------------------------------------------------------------------------
    # A quarter of the members existed before the window; the rest register inside it.
    registered = np.where(
        rng.random(n) < 0.25,
        -rng.integers(1, 365 * SECONDS_PER_DAY, n),
        rng.integers(0, horizon, n),
    )
    home_guide = rng.choice(m.guide_ids, n, p=m.guide_p)
    home_store = m.guide_store[home_guide - 1]
    home_brand = m.guide_brand[home_guide - 1]
    phones = _phones(rng, n)
    card_no = np.where(rng.random(n) < 0.8, _ids("C", n, 9, lo + 1), None)
    union_id = _ids("ou_", n, 10, lo + 1)
    openid = _ids("op_", n, 10, lo + 1)
    window_start = dt.datetime.combine(start, dt.time())
    members = pl.DataFrame(
        {
            "member_id": member_ids,
            "union_id": union_id,
            "openid": openid,
            "phone": phones,
            "member_name": _names(rng, n),
            "card_no": _nullable(card_no),
            "register_brand_id": home_brand,
            "register_store_id": home_store,
            "registered_at": _timestamps(start, registered),
        }
    ).with_columns(
        # Members registered before the window arrive with the first day's extract.
        pl.max_horizontal(pl.col("registered_at"), pl.lit(window_start)).alias("updated_at")
    )

    # Some people open a second mall account in another brand's mini-program (new UnionID and
    # OpenID, same phone); their later orders of that brand are placed from it.
    second = np.flatnonzero((rng.random(n) < 0.05) & (n_brands > 1))
    second_brand = (
        (home_brand[second] - 1 + rng.integers(1, max(n_brands, 2), second.size)) % n_brands
    ) + 1
    second_at = np.maximum(registered[second], 0) + rng.integers(
        SECONDS_PER_DAY, 120 * SECONDS_PER_DAY, second.size
    )
    kept = second_at < horizon
    second, second_brand, second_at = second[kept], second_brand[kept], second_at[kept]
    # Accounts beyond the people's own numbers, in one sequence with the shared-phone ones.
    second_ids = m.scale.members + seq.take("account", second.size) + np.arange(second.size)
    second_names = _names(rng, second.size)
    second_accounts = _extra_accounts(
        start,
        second_ids,
        phones[second],
        second_names,
        second_brand,
        m.stores_of_brand.pick(rng, second_brand),
        second_at,
    )
    writer.daily("mall", "members", pl.concat([members, second_accounts]), "updated_at")
    account_of = np.zeros(n, dtype=np.int64)
    account_at = np.full(n, horizon, dtype=np.int64)
    account_brand = np.zeros(n, dtype=np.int64)
    account_of[second], account_at[second], account_brand[second] = (
        second_ids,
        second_at,
        second_brand,
    )

    # --- purchases: buy till you die --------------------------------------------------------
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
        alive[idx[~within]] = False
        idx = idx[within]
        if idx.size == 0:
            break
        buyer_idx.append(idx)
        buy_time.append(t[idx].copy())
        alive[idx[rng.random(idx.size) < dropout[idx]]] = False
    buyer = np.concatenate(buyer_idx) if buyer_idx else np.array([], dtype=np.int64)
    when = np.concatenate(buy_time).astype(np.int64) if buy_time else np.array([], dtype=np.int64)
    # Brand of each purchase: the home brand, or another brand of the group.
    other = rng.integers(1, max(n_brands, 2), buyer.size)
    other_brand = ((home_brand[buyer] - 1 + other) % n_brands) + 1
    brand = np.where(rng.random(buyer.size) < cross_brand[buyer], other_brand, home_brand[buyer])
    # Seasonality by thinning.
    keep = rng.random(buyer.size) < _seasonality(
        when // SECONDS_PER_DAY, start, m.brand_category[brand - 1]
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
    keep_pos = ~quiet | (rng.random(buyer.size) < CNY_STORE_TRAFFIC)
    buyer, when, brand, channel = (
        buyer[keep_pos],
        when[keep_pos],
        brand[keep_pos],
        channel[keep_pos],
    )

    # --- community groups: some members join one group of their home brand; some leave ------
    joiners = np.flatnonzero(rng.random(n) < 0.3)
    member_group = np.full(n, -1, dtype=np.int64)
    member_group[joiners] = m.groups_of_brand.pick(rng, home_brand[joiners], missing=-1)
    joiners = joiners[member_group[joiners] >= 0]
    n_guests = n // 50  # prospects join too
    guest_group = rng.integers(0, m.group_ids.size, n_guests)
    j_group = np.concatenate([member_group[joiners], guest_group])
    j_user = np.concatenate(
        [
            _prefixed("wm_", member_ids[joiners]),
            _ids("wg_", n_guests, 10, seq.take("wg", n_guests)),
        ]
    )
    j_union = np.concatenate([union_id[joiners], np.full(n_guests, None)])
    j_from = np.maximum(
        m.group_created[j_group],
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
    events, seconds = _span_events(
        j_time,
        np.flatnonzero(left),
        j_leave[left],
        ("join", "leave"),
        {"group": j_group, "user": j_user, "union": j_union},
    )
    writer.daily(
        "wecom",
        "community_member_events",
        pl.DataFrame(
            {
                "event_id": _ids("GE", seconds.size, 9, seq.take("GE", seconds.size)),
                "group_id": m.group_ids[events["group"]],
                "external_user_id": events["user"],
                "union_id": _nullable(events["union"]),
                "event_type": events["event_type"],
                "occurred_at": _timestamps(start, seconds),
            }
        ),
        "occurred_at",
    )
    np.add.at(totals.group_delta, (j_group, j_time // SECONDS_PER_DAY), 1)
    np.add.at(totals.group_delta, (j_group[left], j_leave[left] // SECONDS_PER_DAY), -1)

    # --- mall orders ------------------------------------------------------------------------
    mall = channel == "mall"
    n_orders = int(mall.sum())
    o_index = buyer[mall]
    o_brand = brand[mall]
    o_time = when[mall]
    shared = rng.random(n_orders) < 0.45
    o_share_guide = np.where(shared, home_guide[o_index], 0)
    cancelled = rng.random(n_orders) < 0.05
    order_ids = _ids("MO", n_orders, 9, seq.take("MO", n_orders))
    pay_delay = rng.integers(5, 900, n_orders)
    # Orders of a second account's brand after it was opened are placed from it.
    from_second = (
        (account_of[o_index] > 0)
        & (o_brand == account_brand[o_index])
        & (o_time >= account_at[o_index])
    )
    o_member = np.where(from_second, account_of[o_index], member_ids[o_index])
    o_account_registered = np.where(from_second, account_at[o_index], registered[o_index])
    # Orders through a community group's link or code: buyers inside a group at the time.
    in_group = (
        (member_group[o_index] >= 0)
        & (member_join[o_index] <= o_time)
        & ((member_leave[o_index] < 0) | (member_leave[o_index] > o_time))
        & (m.group_brand[np.maximum(member_group[o_index], 0)] == o_brand)
    )
    via_group = in_group & (rng.random(n_orders) < 0.6)
    lines_per = _lines_for(rng, n_orders)
    line_order = np.repeat(np.arange(n_orders), lines_per)
    sku_index, price = _pick_skus(m, rng, o_brand[line_order])
    qty = 1 + rng.binomial(1, 0.15, line_order.size)
    discount = np.round(
        rng.choice([1.0, 0.9, 0.8, 0.7], line_order.size, p=[0.5, 0.25, 0.15, 0.1]), 2
    )
    paid_amount = np.round(price * qty * discount, 2)
    n_lines = line_order.size
    order_line_ids = _ids("ML", n_lines, 10, seq.take("ML", n_lines))

    refunded = (rng.random(n_lines) < 0.08) & ~cancelled[line_order]
    r_idx = np.flatnonzero(refunded)
    r_time = o_time[line_order[r_idx]] + rng.integers(1, 15, r_idx.size) * SECONDS_PER_DAY
    r_in = r_time < horizon
    r_idx, r_time = r_idx[r_in], r_time[r_in]
    full = rng.random(r_idx.size) < 0.8
    r_sort = np.argsort(r_time, kind="stable")
    r_idx, r_time, full = r_idx[r_sort], r_time[r_sort], full[r_sort]
    writer.daily(
        "mall",
        "refunds",
        pl.DataFrame(
            {
                "refund_id": _ids("RF", r_idx.size, 9, seq.take("RF", r_idx.size)),
                "order_line_id": order_line_ids[r_idx],
                "refund_amount": np.where(
                    full, paid_amount[r_idx], np.round(paid_amount[r_idx] * 0.5, 2)
                ),
                "refunded_at": _timestamps(start, r_time),
            }
        ),
        "refunded_at",
    )
    # Late-arriving orders: a few land in the extract of a later day than they were placed
    # (only ones with no refund or coupon yet, which would arrive later still).
    has_refund = np.zeros(n_orders, dtype=bool)
    has_refund[line_order[r_idx]] = True
    late_days = np.where(
        (rng.random(n_orders) < LATE_ORDER_SHARE) & ~has_refund,
        rng.integers(1, 4, n_orders),
        0,
    )
    extract_day = (o_time // SECONDS_PER_DAY + late_days) * SECONDS_PER_DAY
    writer.daily(
        "mall",
        "orders",
        pl.DataFrame(
            {
                "order_id": order_ids,
                "member_id": o_member,
                "brand_id": o_brand,
                "share_guide_id": pl.Series(o_share_guide).replace(0, None),
                "community_group_id": _nullable(
                    np.where(via_group, m.group_ids[np.maximum(member_group[o_index], 0)], None)
                ),
                "status": np.where(cancelled, "cancelled", "paid"),
                "created_at": _timestamps(start, o_time),
                "paid_at": _timestamps(start, o_time + pay_delay),
                "updated_at": _timestamps(start, o_time),
                "__extract_day": _timestamps(start, extract_day),
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
                "order_line_id": order_line_ids,
                "order_id": order_ids[line_order],
                "sku_id": m.sku_codes[sku_index],
                "quantity": qty,
                "unit_price": price,
                "paid_amount": paid_amount,
                "created_at": _timestamps(start, o_time[line_order]),
                "__extract_day": _timestamps(start, extract_day[line_order]),
            }
        ),
        "__extract_day",
        drop=("__extract_day",),
    )
    totals.sales += float(paid_amount.sum())

    # --- POS receipts of members: same-brand purchases in the home store, others in a store of
    # that brand ------------------------------------------------------------------------------
    pos = channel == "pos"
    p_index, p_brand = buyer[pos], brand[pos]
    p_store = np.where(
        p_brand == home_brand[p_index], home_store[p_index], m.stores_of_brand.pick(rng, p_brand)
    )
    totals.sales += _write_receipts(m, rng, seq, writer, p_store, when[pos], card_no[p_index])

    # --- live orders: each snapped to its brand's session on or after the purchase day ------
    live = channel == "live"
    l_index, l_brand, l_day = buyer[live], brand[live], when[live] // SECONDS_PER_DAY
    l_session_day = l_day + ((l_brand % 3) - l_day) % 3
    ok = l_session_day < days
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
    l_sku, l_price = _pick_skus(m, rng, l_brand)
    l_qty = 1 + rng.binomial(1, 0.1, l_sku.size)
    writer.daily(
        "live",
        "live_orders",
        pl.DataFrame(
            {
                "live_order_id": _ids("LO", l_sku.size, 9, seq.take("LO", l_sku.size)),
                "session_id": m.session_ids[l_session],
                "member_id": member_ids[l_index],
                "sku_id": m.sku_codes[l_sku],
                "quantity": l_qty,
                "paid_amount": np.round(l_price * l_qty * 0.85, 2),
                "paid_at": _timestamps(start, l_time),
            }
        ),
        "paid_at",
    )
    totals.buyers_per_session += np.bincount(l_session, minlength=m.session_ids.size)

    # --- WeCom contact events ---------------------------------------------------------------
    # Most members in the window are added by their guide around registration; some delete.
    added = (registered >= 0) & (rng.random(n) < 0.7)
    a_idx = np.flatnonzero(added)
    a_time = registered[a_idx] + rng.integers(0, 3 * 3600, a_idx.size)
    a_keep = a_time < horizon
    a_idx, a_time = a_idx[a_keep], a_time[a_keep]
    # Prospects: contacts who never became members (no union id bound).
    n_prospects = n // 5
    pr_guide = rng.choice(m.guide_ids, n_prospects, p=m.guide_p)
    pr_time = rng.integers(0, horizon, n_prospects)
    c_guide = np.concatenate([home_guide[a_idx], pr_guide])
    c_user = np.concatenate(
        [
            _prefixed("wm_", member_ids[a_idx]),
            _ids("wp_", n_prospects, 10, seq.take("wp", n_prospects)),
        ]
    )
    c_union = np.concatenate([union_id[a_idx], np.full(n_prospects, None)])
    c_time = np.concatenate([a_time, pr_time])
    # How each contact was added: by the guide, by the store's QR code, in a live room.
    c_way = rng.choice(np.array(["guide", "store_qr", "live_room"]), c_time.size, p=[0.6, 0.3, 0.1])
    deleted = rng.random(c_time.size) < 0.1
    d_time = c_time[deleted] + rng.integers(1, 60, int(deleted.sum())) * SECONDS_PER_DAY
    d_keep = d_time < horizon
    events, seconds = _span_events(
        c_time,
        np.flatnonzero(deleted)[d_keep],
        d_time[d_keep],
        ("add", "delete"),
        {"guide": c_guide, "user": c_user, "union": c_union, "way": c_way.astype(object)},
    )
    # WeCom hands contact events over as a JSON Lines export.
    writer.daily(
        "wecom",
        "contact_events",
        pl.DataFrame(
            {
                "event_id": _ids("CE", seconds.size, 9, seq.take("CE", seconds.size)),
                "guide_id": events["guide"],
                "external_user_id": events["user"],
                "union_id": _nullable(events["union"]),
                "event_type": events["event_type"],
                "add_way": _nullable(np.where(events["event_type"] == "add", events["way"], None)),
                "occurred_at": _timestamps(start, seconds),
            }
        ),
        "occurred_at",
        json_lines=True,
    )
    totals.contacts += int(c_time.size)

    # --- mall guide bindings (专属导购) and transfers when a guide leaves -------------------
    bound = (registered >= 0) & (rng.random(n) < 0.5)
    bd_idx = np.flatnonzero(bound)
    bd_time = registered[bd_idx] + rng.integers(60, 3600, bd_idx.size)
    bd_keep = bd_time < horizon
    bd_idx, bd_time = bd_idx[bd_keep], bd_time[bd_keep]
    bd_guide = home_guide[bd_idx]
    moved = (m.leave_at[bd_guide] >= 0) & (bd_time < m.leave_at[bd_guide])
    events, seconds = _span_events(
        bd_time,
        np.flatnonzero(moved),
        m.leave_at[bd_guide[moved]],
        ("bind", "transfer"),
        {"member": member_ids[bd_idx], "guide": bd_guide},
    )
    transfer = events["event_type"] == "transfer"
    writer.daily(
        "mall",
        "guide_bindings",
        pl.DataFrame(
            {
                "binding_id": _ids("GB", seconds.size, 9, seq.take("GB", seconds.size)),
                "member_id": events["member"],
                "guide_id": np.where(transfer, m.successor[events["guide"]], events["guide"]),
                "binding_type": events["event_type"],
                "bound_at": _timestamps(start, seconds),
            }
        ),
        "bound_at",
    )

    # --- coupons: claimed through guides, ads and live rooms; most never redeemed -----------
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
    # Campaigns are numbered brand by brand, one per platform (see _ads).
    cp_campaign_no = (cp_brand - 1) * len(AD_PLATFORMS) + rng.integers(
        1, len(AD_PLATFORMS) + 1, n_coupons
    )
    cp_campaign = np.where(cp_source == "ad", _prefixed("CMP", cp_campaign_no, 4), None)
    cp_order = np.argsort(cp_claim, kind="stable")
    coupon_ids = np.empty(n_coupons, dtype=object)
    coupon_ids[cp_order] = _ids("CP", n_coupons, 9, seq.take("CP", n_coupons))
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
                "campaign_id": _nullable(cp_campaign[cp_order]),
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
                "reminder_id": _ids("CR", rm_time.size, 9, seq.take("CR", rm_time.size)),
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


def _walk_ins(
    m: _Master, rng: np.random.Generator, seq: _Sequences, totals: _Totals, writer: WorldWriter
) -> None:
    """Receipts of walk-in customers without a membership card."""
    days, scale = m.days, m.scale
    n_walk = int(rng.poisson(scale.walk_in_receipts_per_store_day * scale.stores * days))
    w_store = rng.integers(1, scale.stores + 1, n_walk)
    w_time = rng.integers(0, days, n_walk) * SECONDS_PER_DAY + rng.integers(
        10 * 3600, 22 * 3600, n_walk
    )
    w_keep = ~_cny_week(w_time // SECONDS_PER_DAY, m.start) | (
        rng.random(n_walk) < CNY_STORE_TRAFFIC
    )
    totals.sales += _write_receipts(
        m, rng, seq, writer, w_store[w_keep], w_time[w_keep], np.full(int(w_keep.sum()), None)
    )


def _shared_phone_accounts(
    m: _Master, rng: np.random.Generator, seq: _Sequences, writer: WorldWriter
) -> None:
    """Store phones typed in for walk-in customers: one number shared by many accounts."""
    n_shared = 3 * 8
    store = rng.integers(1, m.scale.stores + 1, n_shared)
    phone = _phones(rng, 3)[np.repeat(np.arange(3), 8)]
    at = rng.integers(0, m.horizon, n_shared)
    ids = m.scale.members + seq.take("account", n_shared) + np.arange(n_shared)
    names = _names(rng, n_shared)
    accounts = _extra_accounts(m.start, ids, phone, names, m.store_brand[store - 1], store, at)
    writer.daily("mall", "members", accounts, "updated_at")


def _live_sessions(
    m: _Master, rng: np.random.Generator, seq: _Sequences, totals: _Totals, writer: WorldWriter
) -> None:
    """Sessions with viewers and peak concurrency from their buyers; guides' boosts (助力)."""
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
                "started_at": _timestamps(m.start, day_seconds + 20 * 3600),
                "ended_at": _timestamps(m.start, day_seconds + 22 * 3600),
                "viewers": viewers,
                "peak_concurrent": np.maximum(
                    1, (viewers * rng.uniform(0.1, 0.3, n_sessions)).astype(np.int64)
                ),
            }
        ),
        "started_at",
    )
    boost_session, boost_guide = [], []
    of_brand = m.guides_of_brand
    for index, b in enumerate(m.session_brand):
        candidates = of_brand.values[of_brand.first[b] : of_brand.first[b] + of_brand.count[b]]
        count = min(candidates.size, int(rng.poisson(3)))
        if count:
            boost_session.extend([index] * count)
            boost_guide.extend(rng.choice(candidates, count, replace=False).tolist())
    session = np.array(boost_session, dtype=np.int64)
    writer.daily(
        "live",
        "boosts",
        pl.DataFrame(
            {
                "boost_id": _ids("LB", session.size, 8, seq.take("LB", session.size)),
                "session_id": m.session_ids[session],
                "guide_id": np.array(boost_guide, dtype=np.int64),
                # Heavy-tailed: a few guides pass the 300-point reward cap.
                "boost_points": np.maximum(1, rng.lognormal(4.0, 1.0, session.size)).astype(
                    np.int64
                ),
                "recorded_at": _timestamps(m.start, day_seconds[session] + 22 * 3600),
            }
        ),
        "recorded_at",
    )


def _ads(m: _Master, rng: np.random.Generator, seq: _Sequences, writer: WorldWriter) -> None:
    """A campaign per brand and platform: daily reports in each platform's shape, and the
    follow / unfollow events of the followers they bought (members or new social ids)."""
    days, n = m.days, m.scale.members
    mean_spend = m.scale.ad_spend_per_campaign_day or 30.0 + n * 0.002
    report_dates = pl.Series([m.start + dt.timedelta(days=d) for d in range(days)])
    campaigns: list[tuple[str, str, int, str]] = []
    reports: dict[str, list[pl.DataFrame]] = {platform: [] for platform, _ in AD_PLATFORMS}
    for b in m.brand_ids:
        for platform, cost in AD_PLATFORMS:
            campaign_id = f"CMP{len(campaigns) + 1:04d}"
            name = f"{m.brand_codes[b - 1]} {platform} acquisition"
            campaigns.append((platform, campaign_id, int(b), name))
            daily_spend = rng.gamma(4.0, mean_spend / 4.0, days).round(2)
            n_follows = rng.poisson(daily_spend / (cost * rng.uniform(0.8, 1.25, days)))
            impressions = (daily_spend * rng.uniform(80, 120, days)).astype(np.int64)
            clicks = (impressions * rng.uniform(0.01, 0.03, days)).astype(np.int64)
            reports[platform].append(
                pl.DataFrame(
                    {
                        "campaign_id": campaign_id,
                        "campaign_name": name,
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
            # Some followers are members already (their OpenID), the rest new social ids.
            f_openid = np.where(
                rng.random(total) < 0.3,
                _prefixed("op_", rng.integers(1, n + 1, total)),
                _ids("op_ad_", total, 10, seq.take("follower", total)),
            )
            unfollow = rng.random(total) < 0.15
            u_sec = f_sec[unfollow] + rng.integers(3600, 20 * SECONDS_PER_DAY, int(unfollow.sum()))
            uk = u_sec < m.horizon
            events, seconds = _span_events(
                f_sec,
                np.flatnonzero(unfollow)[uk],
                u_sec[uk],
                ("follow", "unfollow"),
                {"openid": f_openid},
            )
            writer.daily(
                "ads",
                "follow_events",
                pl.DataFrame(
                    {
                        "event_id": _ids("FE", seconds.size, 9, seq.take("FE", seconds.size)),
                        "platform": platform,
                        "campaign_id": campaign_id,
                        "openid": events["openid"],
                        "event_type": events["event_type"],
                        "occurred_at": _timestamps(m.start, seconds),
                    }
                ),
                "occurred_at",
            )
    writer.snapshot(
        "master",
        "ad_campaigns",
        pl.DataFrame(
            {
                "platform": [c[0] for c in campaigns],
                "campaign_id": [c[1] for c in campaigns],
                "campaign_name": [c[3] for c in campaigns],
                "brand_id": [c[2] for c in campaigns],
            }
        ),
    )
    for platform, frames in reports.items():
        report, day_column = _platform_report(platform, pl.concat(frames))
        writer.daily("ads", f"{platform}_reports", report, day_column)


def _targets(m: _Master, rng: np.random.Generator, totals: _Totals, writer: WorldWriter) -> None:
    """Monthly targets per guide (a CSV drop per month in real life), scaled by their weight."""
    scale, days = m.scale, m.days
    months = sorted({(m.start + dt.timedelta(days=d)).replace(day=1) for d in range(days)})
    relative = m.guide_weight / m.guide_weight.mean()
    friends_per_guide_month = totals.contacts / scale.guides / max(1.0, days / 30)
    gmv_per_guide_month = totals.sales / scale.guides / max(1.0, days / 30)
    targets = pl.concat(
        [
            pl.DataFrame(
                {
                    "month": month,
                    "guide_id": m.guide_ids,
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


def _community_stats(
    m: _Master, rng: np.random.Generator, totals: _Totals, writer: WorldWriter
) -> None:
    """WeCom's daily group-chat statistics: members at end of day, who spoke, messages."""
    members_eod = np.cumsum(totals.group_delta, axis=1)[:, : m.days]
    g_idx, g_day = np.nonzero(members_eod > 0)
    speakers = rng.binomial(members_eod[g_idx, g_day], 0.06)
    writer.daily(
        "wecom",
        "community_daily_stats",
        pl.DataFrame(
            {
                "group_id": m.group_ids[g_idx],
                "stat_date": pl.Series(np.datetime64(m.start) + g_day.astype("timedelta64[D]")),
                "member_count": members_eod[g_idx, g_day],
                "speaker_count": speakers,
                "message_count": speakers * rng.integers(1, 6, g_idx.size),
            }
        ).sort("stat_date", "group_id"),
        "stat_date",
    )


def generate(
    scale: Scale | str,
    seed: int,
    out: Path,
    start: dt.date | None = None,
    days: int | None = None,
    defects: bool | DefectRates | None = None,
    chunk_members: int | None = None,
    progress: bool = False,
) -> dict:
    """Generate a world and write it under ``out`` (replacing what was there).

    ``defects``: None follows the preset (on in demo, off in tiny), True uses the default
    rates, False none, or the rates to use. ``chunk_members``: members per chunk (the preset's
    by default); ``progress``: draw a progress bar on stderr.
    """
    if isinstance(scale, str):
        if scale not in PRESETS:
            raise ValueError(f"unknown scale {scale!r}; choose one of {sorted(PRESETS)}")
        scale = PRESETS[scale]
    start = start or scale.start
    days = days or scale.days
    chunk = max(1, chunk_members or scale.chunk_members)
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    writer = WorldWriter(out)
    seq = _Sequences()
    m = _master(scale, start, days, np.random.default_rng(seed), writer)
    totals = _Totals(
        buyers_per_session=np.zeros(m.session_ids.size, dtype=np.int64),
        group_delta=np.zeros((m.group_ids.size, days + 1), dtype=np.int64),
    )
    bounds = list(range(0, scale.members, chunk)) + [scale.members]
    with tqdm(
        total=scale.members,
        unit=" members",
        unit_scale=True,
        desc=f"generate {scale.name}",
        disable=not progress,
        mininterval=1.0,
    ) as bar:
        for index, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
            rng = np.random.default_rng([seed, 10, index])
            _member_chunk(m, lo, hi, rng, seq, totals, writer)
            bar.update(hi - lo)
        bar.set_postfix_str("walk-ins, ads, live, targets, groups")
        _walk_ins(m, np.random.default_rng([seed, 11]), seq, totals, writer)
        _shared_phone_accounts(m, np.random.default_rng([seed, 12]), seq, writer)
        _live_sessions(m, np.random.default_rng([seed, 13]), seq, totals, writer)
        _ads(m, np.random.default_rng([seed, 14]), seq, writer)
        _targets(m, np.random.default_rng([seed, 15]), totals, writer)
        _community_stats(m, np.random.default_rng([seed, 16]), totals, writer)

        manifest = {
            "scale": asdict(scale) | {"start": start.isoformat(), "days": days},
            "seed": seed,
            "entities": dict(sorted(writer.manifest.items())),
        }
        if defects is None:
            defects = scale.defects
        if defects:
            bar.set_postfix_str("defects")
            rates = defects if isinstance(defects, DefectRates) else DefectRates()
            manifest["defects"] = inject_defects(out, seed, rates)
        bar.set_postfix_str("done")
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
