"""Monthly targets per guide (a CSV drop per month in real life), scaled by their weight."""

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
                        relative * gmv_per_guide_month * rng.uniform(0.9, 1.3, scale.guides), -2
                    ),
                }
            )
            for month in months
        ]
    )
    writer.daily("targets", "guide_monthly_targets", frame, "month")
