"""Scale presets and fixed vocabulary of the demo source world."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """How big a generated world is."""

    name: str
    brands: int
    stores: int
    guides: int
    members: int
    days: int
    start: dt.date
    skus_per_brand: int
    walk_in_receipts_per_store_day: float
    defects: bool = False  # inject source defects (extract.defects) unless told otherwise
    chunk_members: int = 250_000  # members generated (and held in memory) at a time
    ad_spend_per_campaign_day: float = 0.0  # mean RMB a day; 0 grows it with the members
    # Members who joined at the till (a POS card, their phone in the store's member registry)
    # and never opened the mini-program: they buy in stores only.
    store_only_share: float = 0.3


PRESETS: dict[str, Scale] = {
    "tiny": Scale(
        name="tiny",
        brands=3,
        stores=10,
        guides=30,
        members=2_000,
        days=60,
        start=dt.date(2025, 10, 1),
        skus_per_brand=40,
        walk_in_receipts_per_store_day=0.3,
    ),
    "demo": Scale(
        name="demo",
        brands=6,
        stores=300,
        guides=1_500,
        members=200_000,
        days=730,
        start=dt.date(2024, 11, 1),
        skus_per_brand=400,
        walk_in_receipts_per_store_day=0.3,
        defects=True,
    ),
    # The size of a group like Bosideng's: for benchmarks, streamed in member chunks.
    "bosideng": Scale(
        name="bosideng",
        brands=24,
        stores=3_600,
        guides=12_000,
        members=15_000_000,
        days=730,
        start=dt.date(2024, 11, 1),
        skus_per_brand=400,
        walk_in_receipts_per_store_day=0.3,
        chunk_members=500_000,
        ad_spend_per_campaign_day=600.0,
    ),
}

# (code, name, category): the first brand is the group's down-jacket flagship.
BRANDS: list[tuple[str, str, str]] = [
    ("BSD", "Boreal Down", "down_jacket"),
    ("XJ", "Xuejing", "womenswear"),
    ("HG", "Harbor Gent", "menswear"),
    ("KD", "Kite Kids", "kidswear"),
    ("UC", "Urban Casual", "casual"),
    ("SP", "Stride Sport", "sportswear"),
    ("LN", "Linen Lane", "womenswear"),
    ("MT", "Mountain Trail", "outdoor"),
    ("SF", "Snow Fox", "down_jacket"),
    ("BG", "Bengal Goose", "down_jacket"),
    ("JS", "Jasmine Story", "womenswear"),
    ("KL", "Koli", "womenswear"),
    ("BB", "Bubu", "womenswear"),
    ("KR", "Kirin Lady", "womenswear"),
    ("TM", "Tailor Mark", "menswear"),
    ("NV", "North Vale", "menswear"),
    ("LT", "Little Tide", "kidswear"),
    ("PB", "Panda Bear", "kidswear"),
    ("DN", "Denim Nine", "casual"),
    ("CT", "City Thread", "casual"),
    ("RN", "Run Nine", "sportswear"),
    ("YG", "Yoga Grove", "sportswear"),
    ("SL", "Silk Lane", "womenswear"),
    ("PK", "Peak Ridge", "outdoor"),
]

CITIES: list[tuple[str, str]] = [
    ("Shanghai", "East"),
    ("Hangzhou", "East"),
    ("Nanjing", "East"),
    ("Suzhou", "East"),
    ("Beijing", "North"),
    ("Tianjin", "North"),
    ("Shenyang", "North"),
    ("Harbin", "North"),
    ("Guangzhou", "South"),
    ("Shenzhen", "South"),
    ("Xiamen", "South"),
    ("Chengdu", "West"),
    ("Chongqing", "West"),
    ("Xi'an", "West"),
    ("Wuhan", "Central"),
    ("Changsha", "Central"),
]

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华")

AD_PLATFORMS: list[tuple[str, float]] = [
    # platform, mean cost per follow (RMB)
    ("tencent_ads", 6.0),
    ("ocean_engine", 8.5),
    ("baidu_feed", 11.0),
]

CHANNEL_WEIGHTS = {"mall": 0.42, "pos": 0.48, "live": 0.10}
