"""Monthly targets per guide (a CSV drop per month in real life).

Friends targets scale with the guide's weight (who adds contacts). A guide's sales come partly
from the customers they add (weight) and mostly from their store's counter, shared by its
guides, so the GMV target is part weight and part an even share of the sales per guide: a
guide with a small contact book still sells at the till (a weight-only target put the demo's
attainments in the thousands of percent; this one puts its median near 90 %)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from siyu.demo_world.master import Master
from siyu.demo_world.wecom import Totals
from siyu.demo_world.writer import WorldWriter


def targets(m: Master, rng: np.random.Generator, totals: Totals, writer: WorldWriter) -> None:
    scale, days = m.scale, m.days
    months = sorted({(m.start + dt.timedelta(days=d)).replace(day=1) for d in range(days)})
    relative = m.guide_weight / m.guide_weight.mean()
    friends_per_guide_month = totals.contacts / scale.guides / max(1.0, days / 30)
    gmv_per_guide_month = totals.sales / scale.guides / max(1.0, days / 30)
    frame = pl.concat(
        [
            pl.DataFrame(
                {
                    "month": month,
                    "guide_id": m.guide_ids,
                    "target_new_friends": np.maximum(
                        1, np.round(relative * friends_per_guide_month * 1.1)
                    ).astype(np.int64),
                    "target_gmv": np.round(
                        (0.2 * relative + 0.45)
                        * gmv_per_guide_month
                        * rng.uniform(0.9, 1.3, scale.guides),
                        -2,
                    ),
                }
            )
            for month in months
        ]
    )
    writer.daily("targets", "guide_monthly_targets", frame, "month")
