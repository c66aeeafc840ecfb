"""HQ's rule book (a CSV drop whenever HQ changes a rule): commission rates per brand, channel
and sale scope, and lifecycle thresholds per brand.

The year's rates are in force from 1 January of the world's first year and delivered on its
first day. A new season's rates take effect on the first of a month (a year after the world
starts, or its last month if it is shorter) and are delivered two weeks ahead: same-brand
online sales earn more from then on. Lifecycle thresholds follow the brand's category: a
down-jacket brand buys once a season and stays active a year, kidswear buys often, menswear
derives its thresholds from its own purchase gaps; other categories keep the defaults.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from siyu.demo_world.master import Master
from siyu.demo_world.writer import WorldWriter

# (channel, sale scope) -> rate in percent, per season's rate book
FIRST_RATES = {
    ("online", "same_brand"): 3.00,
    ("online", "cross_brand"): 4.00,
    ("offline", "same_brand"): 2.00,
    ("offline", "cross_brand"): 3.00,
}
NEW_SEASON_RATES = {**FIRST_RATES, ("online", "same_brand"): 3.50}
NOTICE_DAYS = 14

# category -> (threshold_rule, new, active, sleeping, pre-churn days)
THRESHOLDS: dict[str, tuple[str, int, int | None, int | None, int | None]] = {
    "down_jacket": ("fixed", 30, 365, 540, 730),
    "womenswear": ("fixed", 30, 180, 365, 540),
    "menswear": ("gap_percentiles", 30, None, None, None),
    "kidswear": ("fixed", 30, 120, 240, 365),
}


def _new_season(m: Master) -> dt.date | None:
    """The first of the month the new season's rates take effect, if the world reaches it."""
    last = m.start + dt.timedelta(days=m.days - 1)
    a_year_on = m.start.replace(year=m.start.year + 1).replace(day=1)
    effective = min(a_year_on, last.replace(day=1))
    return effective if effective > m.start else None


def _rate_book(
    m: Master, version: int, rates: dict, valid_from: dt.date, delivered: dt.date
) -> pl.DataFrame:
    rows = [
        {
            "rule_id": f"B{brand}-{channel}-{scope.split('_')[0]}-v{version}",
            "rule_version": version,
            "brand_id": int(brand),
            "channel": channel,
            "sale_scope": scope,
            "rate_pct": f"{rate:.2f}",
            "valid_from": valid_from,
            "delivered_on": delivered,
        }
        for brand in m.brand_ids
        for (channel, scope), rate in rates.items()
    ]
    return pl.DataFrame(rows)


def rule_book(m: Master, writer: WorldWriter) -> None:
    first_day = m.start.replace(month=1, day=1)
    books = [_rate_book(m, 1, FIRST_RATES, first_day, m.start)]
    new_season = _new_season(m)
    if new_season is not None:
        delivered = max(m.start, new_season - dt.timedelta(days=NOTICE_DAYS))
        books.append(_rate_book(m, 2, NEW_SEASON_RATES, new_season, delivered))
    writer.daily(
        "rules", "commission_rates", pl.concat(books), "delivered_on", drop=("delivered_on",)
    )
    thresholds = [
        {
            "brand_id": int(brand),
            "threshold_rule": rule,
            "new_days": new,
            "active_days": active,
            "sleeping_days": sleeping,
            "pre_churn_days": pre_churn,
            "valid_from": first_day,
            "delivered_on": m.start,
        }
        for brand, category in zip(m.brand_ids, m.brand_category, strict=True)
        if category in THRESHOLDS
        for rule, new, active, sleeping, pre_churn in [THRESHOLDS[category]]
    ]
    writer.daily(
        "rules",
        "lifecycle_thresholds",
        pl.DataFrame(
            thresholds,
            schema_overrides={
                c: pl.Int64 for c in ("active_days", "sleeping_days", "pre_churn_days")
            },
        ),
        "delivered_on",
        drop=("delivered_on",),
    )
