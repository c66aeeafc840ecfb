"""Ad platforms: a campaign per brand and platform, its daily reports in each platform's own
shape, and the follow / unfollow events of the followers it bought."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from siyu.demo_world.common import (
    SECONDS_PER_DAY,
    Sequences,
    ids,
    prefixed,
    span_events,
    timestamps,
)
from siyu.demo_world.master import Master
from siyu.demo_world.presets import AD_PLATFORMS
from siyu.demo_world.writer import WorldWriter


def platform_report(platform: str, reports: pl.DataFrame) -> tuple[pl.DataFrame, str]:
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


def _follows(
    m: Master,
    rng: np.random.Generator,
    seq: Sequences,
    writer: WorldWriter,
    campaign: tuple[str, str],
    n_follows: np.ndarray,
) -> None:
    """Follow events of a campaign's followers (members already, or new social ids), and the
    unfollows of some of them."""
    platform, campaign_id = campaign
    total = int(n_follows.sum())
    f_sec = np.repeat(np.arange(m.days), n_follows) * SECONDS_PER_DAY + rng.integers(
        0, SECONDS_PER_DAY, total
    )
    f_openid = np.where(
        rng.random(total) < 0.3,
        prefixed("op_", rng.integers(1, m.scale.members + 1, total)),
        ids("op_ad_", total, 10, seq.take("follower", total)),
    )
    unfollow = rng.random(total) < 0.15
    u_sec = f_sec[unfollow] + rng.integers(3600, 20 * SECONDS_PER_DAY, int(unfollow.sum()))
    uk = u_sec < m.horizon
    events, seconds = span_events(
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
                "event_id": ids("FE", seconds.size, 9, seq.take("FE", seconds.size)),
                "platform": platform,
                "campaign_id": campaign_id,
                "openid": events["openid"],
                "event_type": events["event_type"],
                "occurred_at": timestamps(m.start, seconds),
            }
        ),
        "occurred_at",
    )


def _campaign_report(
    rng: np.random.Generator, cost: float, mean_spend: float, days: int
) -> dict[str, np.ndarray]:
    daily_spend = rng.gamma(4.0, mean_spend / 4.0, days).round(2)
    n_follows = rng.poisson(daily_spend / (cost * rng.uniform(0.8, 1.25, days)))
    impressions = (daily_spend * rng.uniform(80, 120, days)).astype(np.int64)
    clicks = (impressions * rng.uniform(0.01, 0.03, days)).astype(np.int64)
    return {
        "impressions": impressions,
        "clicks": clicks,
        "follows": n_follows,
        "spend": daily_spend,
    }


def ads(m: Master, rng: np.random.Generator, seq: Sequences, writer: WorldWriter) -> None:
    """A campaign per brand and platform: reports and follow events; the campaign list."""
    mean_spend = m.scale.ad_spend_per_campaign_day or 30.0 + m.scale.members * 0.002
    report_dates = pl.Series([m.start + dt.timedelta(days=d) for d in range(m.days)])
    campaigns: list[tuple[str, str, int, str]] = []
    reports: dict[str, list[pl.DataFrame]] = {platform: [] for platform, _ in AD_PLATFORMS}
    for b in m.brand_ids:
        for platform, cost in AD_PLATFORMS:
            campaign_id = f"CMP{len(campaigns) + 1:04d}"
            name = f"{m.brand_codes[b - 1]} {platform} acquisition"
            campaigns.append((platform, campaign_id, int(b), name))
            report = _campaign_report(rng, cost, mean_spend, m.days)
            reports[platform].append(
                pl.DataFrame(
                    {"campaign_id": campaign_id, "campaign_name": name, "report_date": report_dates}
                    | report
                )
            )
            _follows(m, rng, seq, writer, (platform, campaign_id), report["follows"])
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
        report, day_column = platform_report(platform, pl.concat(frames))
        writer.daily("ads", f"{platform}_reports", report, day_column)
