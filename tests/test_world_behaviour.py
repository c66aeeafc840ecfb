"""The generated demo world behaves like a real group (issue: a source world that behaves).

Each test reads the generated files only, as a source system would deliver them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from siyu.demo_world.generate import CNY_EVES, generate
from tests.conftest import read_entity


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-world")
    generate("demo", 42, out, defects=False)  # the defects have their own tests
    return out


def _read(world: Path, source: str, entity: str) -> pl.DataFrame:
    return read_entity(world, source, entity)


def _day(column: str) -> pl.Expr:
    return pl.col(column).str.slice(0, 10).str.to_date()


@pytest.fixture(scope="module")
def people(demo: Path) -> pl.DataFrame:
    """Mall accounts with the person they belong to (second accounts share a phone)."""
    return _read(demo, "mall", "members").select("member_id", "card_no", person="phone")


@pytest.fixture(scope="module")
def purchases(demo: Path, people: pl.DataFrame) -> pl.DataFrame:
    """Every paid purchase of every channel: person (or null), brand, channel, day, amount."""
    orders = _read(demo, "mall", "orders").filter(pl.col("status") == "paid")
    lines = _read(demo, "mall", "order_lines").join(orders, on="order_id")
    mall = lines.join(people, on="member_id", how="left").select(
        "person",
        "brand_id",
        pl.lit("mall").alias("channel"),
        day=_day("paid_at"),
        amount=pl.col("paid_amount").cast(pl.Float64),
    )
    sessions = _read(demo, "live", "sessions").select("session_id", "brand_id")
    live = (
        _read(demo, "live", "live_orders")
        .join(sessions, on="session_id")
        .join(people, on="member_id", how="left")
        .select(
            "person",
            "brand_id",
            pl.lit("live").alias("channel"),
            day=_day("paid_at"),
            amount=pl.col("paid_amount").cast(pl.Float64),
        )
    )
    stores = _read(demo, "master", "stores").select("store_id", "brand_id")
    receipts = _read(demo, "pos", "receipts").join(stores, on="store_id")
    pos = (
        _read(demo, "pos", "receipt_lines")
        .join(receipts, on="receipt_id", suffix="_receipt")
        .join(
            people.drop_nulls("card_no").select("card_no", "person"),
            left_on="member_card_no",
            right_on="card_no",
            how="left",
        )
        .select(
            "person",
            "brand_id",
            pl.lit("pos").alias("channel"),
            day=_day("sold_at"),
            amount=pl.col("paid_amount").cast(pl.Float64),
        )
    )
    return pl.concat([mall, live, pos])


def test_down_jackets_peak_in_winter_with_double_11_and_618_spikes(
    purchases: pl.DataFrame,
) -> None:
    monthly = (
        purchases.filter(pl.col("brand_id") == "1")
        .group_by(month=pl.col("day").dt.month())
        .agg(gmv=pl.col("amount").sum())
    )
    gmv = dict(monthly.iter_rows())
    winter = sum(gmv[m] for m in (10, 11, 12, 1)) / 4
    summer = sum(gmv[m] for m in (5, 6, 7, 8)) / 4
    assert winter > 2.5 * summer
    daily = purchases.group_by("day").agg(gmv=pl.col("amount").sum())
    for month, day in ((11, 11), (6, 18)):
        spike = daily.filter((pl.col("day").dt.month() == month) & (pl.col("day").dt.day() == day))[
            "gmv"
        ]
        rest = daily.filter(
            (pl.col("day").dt.month() == month) & (pl.col("day").dt.day().is_between(20, 30))
        )["gmv"]
        assert spike.min() > 1.5 * rest.median(), (month, day)


def test_stores_go_quiet_at_chinese_new_year(demo: Path) -> None:
    receipts = _read(demo, "pos", "receipts").with_columns(day=_day("sold_at"))
    per_day = receipts.group_by("day").len()
    eve = CNY_EVES[2025]
    week = per_day.filter(pl.col("day").is_between(eve, eve + dt.timedelta(days=6)))["len"]
    around = per_day.filter(
        pl.col("day").is_between(eve - dt.timedelta(days=28), eve - dt.timedelta(days=7))
        | pl.col("day").is_between(eve + dt.timedelta(days=14), eve + dt.timedelta(days=35))
    )["len"]
    assert week.mean() < 0.5 * around.mean()


def test_members_buy_till_they_die(purchases: pl.DataFrame) -> None:
    per_person = (
        purchases.drop_nulls("person")
        .group_by("person")
        .agg(days=pl.col("day").n_unique(), first=pl.col("day").min(), last=pl.col("day").max())
    )
    days = per_person["days"]
    # Heterogeneous rates: a long tail of heavy buyers over many one-time buyers.
    assert days.var() > days.mean()
    assert (days == 1).mean() > 0.3 and days.max() >= 10
    # Dropping out: of those who bought in the first half year, many never buy in the last.
    first_half = per_person.filter(pl.col("first") < dt.date(2025, 5, 1))
    gone = (first_half["last"] < dt.date(2026, 5, 1)).mean()
    assert 0.3 < gone < 0.95


def test_cross_brand_buying_at_the_published_levels(purchases: pl.DataFrame) -> None:
    """E-Land: members buying 2+ brands over 86%, cross-purchase rate over 60%."""
    known = purchases.drop_nulls("person")
    mall = known.filter(pl.col("channel") != "pos")  # the group's mini-program mall
    per_person = mall.group_by("person").agg(
        days=pl.col("day").n_unique(), brands=pl.col("brand_id").n_unique()
    )
    repeat = per_person.filter(pl.col("days") >= 2)
    assert 0.80 <= (repeat["brands"] >= 2).mean() <= 0.93
    brands_per_person = known.group_by("person").agg(brands=pl.col("brand_id").n_unique())
    cross = (
        known.select("person", "brand_id")
        .unique()
        .join(brands_per_person, on="person")
        .group_by("brand_id")
        .agg(rate=(pl.col("brands") >= 2).mean())
    )
    assert cross["rate"].min() > 0.55 and cross["rate"].mean() > 0.6


def test_guides_are_skewed_and_some_customers_are_transferred(demo: Path) -> None:
    adds = _read(demo, "wecom", "contact_events").filter(pl.col("event_type") == "add")
    per_guide = adds.group_by("guide_id").len().sort("len", descending=True)["len"]
    top_tenth = per_guide.head(max(1, per_guide.len() // 10)).sum() / per_guide.sum()
    assert top_tenth > 0.4
    bindings = _read(demo, "mall", "guide_bindings")
    guides = _read(demo, "master", "guides").select("guide_id", "home_store_id")
    transfers = bindings.filter(pl.col("binding_type") == "transfer")
    assert transfers.height > 0
    # A transfer hands the customer to a colleague of the same store, later than the bind.
    moved = (
        transfers.join(
            bindings.filter(pl.col("binding_type") == "bind"), on="member_id", suffix="_from"
        )
        .join(guides, on="guide_id")
        .join(guides, left_on="guide_id_from", right_on="guide_id", suffix="_from")
    )
    assert (moved["home_store_id"] == moved["home_store_id_from"]).all()
    assert (moved["bound_at"] > moved["bound_at_from"]).all()
    assert (moved["guide_id"] != moved["guide_id_from"]).all()


def test_wecom_transfers_hand_live_contacts_to_a_store_colleague(demo: Path) -> None:
    transfers = _read(demo, "wecom", "contact_transfers")
    guides = _read(demo, "master", "guides").select("guide_id", "home_store_id")
    events = _read(demo, "wecom", "contact_events")
    assert set(transfers["transfer_type"]) == {"on_job", "resigned"}
    # Only on-the-job transfers can be refused by the customer; most transfers succeed.
    refused = transfers.filter(pl.col("transfer_status") == "refused")
    assert refused.height > 0 and set(refused["transfer_type"]) == {"on_job"}
    ok = transfers.filter(pl.col("transfer_status") == "success")
    assert ok.height > 0.8 * transfers.height
    assert ok["taken_over_at"].null_count() == 0
    assert transfers.filter(pl.col("transfer_status") != "success")[
        "taken_over_at"
    ].null_count() == (transfers.height - ok.height)
    # To a colleague of the same store, of a contact the handover guide added earlier and
    # that the customer never deleted.
    same_store = transfers.join(guides, left_on="handover_guide_id", right_on="guide_id").join(
        guides, left_on="takeover_guide_id", right_on="guide_id", suffix="_to"
    )
    assert (same_store["home_store_id"] == same_store["home_store_id_to"]).all()
    assert (same_store["handover_guide_id"] != same_store["takeover_guide_id"]).all()
    added = events.filter(pl.col("event_type") == "add").select(
        handover_guide_id="guide_id", external_user_id="external_user_id", added_at="occurred_at"
    )
    deleted = events.filter(pl.col("event_type") == "delete").select(
        handover_guide_id="guide_id", external_user_id="external_user_id"
    )
    held = transfers.join(added, on=["handover_guide_id", "external_user_id"])
    assert held.height == transfers.height and (held["added_at"] < held["requested_at"]).all()
    assert transfers.join(deleted, on=["handover_guide_id", "external_user_id"]).height == 0


def test_wecom_service_statistics_agree_with_contact_events(demo: Path) -> None:
    stats = _read(demo, "wecom", "guide_service_daily").with_columns(
        pl.col("new_contact_cnt", "negative_feedback_cnt", "chat_cnt").cast(pl.Int64),
        pl.col("reply_percentage", "avg_reply_time").cast(pl.Float64),
    )
    events = _read(demo, "wecom", "contact_events").with_columns(
        stat_date=_day("occurred_at").cast(pl.Utf8)
    )
    counted = events.group_by("guide_id", "stat_date").agg(
        adds=(pl.col("event_type") == "add").sum(),
        deletes=(pl.col("event_type") == "delete").sum(),
    )
    joined = counted.join(stats, on=["guide_id", "stat_date"], how="left")
    # A guide's day in the statistics has WeCom's own counts of the contact events; only a
    # guide who has left has no statistics.
    with_stats = joined.filter(pl.col("chat_cnt").is_not_null())
    assert with_stats.height > 0.95 * joined.height
    assert (with_stats["adds"] == with_stats["new_contact_cnt"]).all()
    assert (with_stats["deletes"] == with_stats["negative_feedback_cnt"]).all()
    # Guides differ in how many chats they answer, and answered chats have a first-reply time.
    rates = stats.group_by("guide_id").agg(
        rate=(pl.col("chat_cnt") * pl.col("reply_percentage").fill_null(0)).sum()
        / pl.col("chat_cnt").sum()
    )
    assert rates["rate"].max() - rates["rate"].min() > 20
    answered = stats.filter(pl.col("reply_percentage") > 0)
    assert answered["avg_reply_time"].null_count() == 0
    assert stats.filter(pl.col("chat_cnt") == 0)["reply_percentage"].null_count() == (
        stats.filter(pl.col("chat_cnt") == 0).height
    )


def test_hq_tasks_reach_the_brands_guides_who_finish_some_on_time_some_late(
    demo: Path,
) -> None:
    tasks = _read(demo, "tasks", "tasks")
    assignments = _read(demo, "tasks", "task_assignments")
    completions = _read(demo, "tasks", "task_completions")
    guides = _read(demo, "master", "guides").select("guide_id", "brand_id")
    sessions = _read(demo, "live", "sessions").select("session_id", "started_at")
    assert set(tasks["task_type"]) == {"add_friends", "share_product", "live_viewers", "winback"}
    # A live task is due on the day of its session; a share task names a product.
    live = tasks.filter(pl.col("task_type") == "live_viewers").join(sessions, on="session_id")
    assert live.height == tasks.filter(pl.col("task_type") == "live_viewers").height > 0
    assert (live["due_at"].str.slice(0, 10) == live["started_at"].str.slice(0, 10)).all()
    assert tasks.filter(pl.col("task_type") == "share_product")["sku_id"].null_count() == 0
    # Each task goes to guides of its own brand.
    dispatched = assignments.join(tasks.select("task_id", "brand_id"), on="task_id").join(
        guides, on="guide_id", suffix="_guide"
    )
    assert (dispatched["brand_id"] == dispatched["brand_id_guide"]).all()
    # Guides differ: some reach their target, some do not; some of the work is late.
    per_guide = (
        completions.join(tasks.select("task_id", "due_at"), on="task_id")
        .group_by("task_id", "guide_id")
        .agg(done=pl.len(), late=(pl.col("completed_at") > pl.col("due_at")).sum())
        .join(assignments.with_columns(pl.col("target").cast(pl.Int64)), on=["task_id", "guide_id"])
    )
    assert per_guide.height == completions.select("task_id", "guide_id").unique().height
    reached = (per_guide["done"] >= per_guide["target"]).mean()
    assert 0.2 < reached < 0.9
    assert 0.1 < per_guide["late"].sum() / per_guide["done"].sum() < 0.3


def test_hq_rule_book_covers_every_brand_and_announces_a_new_rate_ahead(demo: Path) -> None:
    rates = _read(demo, "rules", "commission_rates")
    brands = _read(demo, "master", "brands")
    files = sorted((demo / "rules" / "commission_rates").glob("*.csv"))
    first_day = dt.date.fromisoformat(files[0].stem)
    # From the first day every brand has a rate for each channel and sale scope.
    first = rates.filter(pl.col("rule_version") == "1")
    assert first.select("brand_id", "channel", "sale_scope").unique().height == 4 * brands.height
    assert (first["valid_from"].str.to_date() <= first_day).all()
    # The new season's rates come in a later file, at least two weeks before they apply,
    # on the first of a month; same-brand online sales earn more from then on.
    later = pl.read_csv(files[-1], infer_schema=False)
    assert len(files) == 2 and later.height == 4 * brands.height
    valid_from = dt.date.fromisoformat(later["valid_from"][0])
    assert valid_from.day == 1 and (valid_from - dt.date.fromisoformat(files[-1].stem)).days >= 14
    raised = later.filter(pl.col("channel") == "online", pl.col("sale_scope") == "same_brand")
    assert (raised["rate_pct"].cast(pl.Float64) > 3.0).all()
    # Lifecycle thresholds follow the category: a down-jacket brand stays active longest.
    thresholds = _read(demo, "rules", "lifecycle_thresholds").join(brands, on="brand_id")
    down = thresholds.filter(pl.col("category") == "down_jacket")["active_days"]
    kids = thresholds.filter(pl.col("category") == "kidswear")["active_days"]
    assert int(down.min()) > int(kids.max())


def test_community_operators_share_codes_beside_guides(demo: Path) -> None:
    orders = _read(demo, "mall", "orders")
    through_groups = orders.drop_nulls("community_group_id")
    assert through_groups.height > 0.01 * orders.height
    # Some of them also carry a guide's share code: the operator does not replace the guide.
    assert through_groups.drop_nulls("share_guide_id").height > 0
    groups = _read(demo, "wecom", "community_groups")
    operators = _read(demo, "master", "community_operators")
    assert set(groups["operator_id"]) <= set(operators["operator_id"])


def test_ad_platforms_differ_in_cost_per_follower_and_followers_unfollow(demo: Path) -> None:
    costs = {
        "tencent_ads": _read(demo, "ads", "tencent_ads_reports").select(
            spend=pl.col("cost").cast(pl.Float64) / 100, follows=pl.col("follow_count")
        ),
        "ocean_engine": _read(demo, "ads", "ocean_engine_reports").select(
            spend=pl.col("stat_cost").cast(pl.Float64), follows=pl.col("convert_cnt")
        ),
        "baidu_feed": _read(demo, "ads", "baidu_feed_reports").select(
            spend=pl.col("cost").cast(pl.Float64), follows=pl.col("conversion")
        ),
    }
    cpf = {
        platform: frame["spend"].sum() / frame["follows"].cast(pl.Int64).sum()
        for platform, frame in costs.items()
    }
    assert cpf["tencent_ads"] < cpf["ocean_engine"] < cpf["baidu_feed"]
    events = _read(demo, "ads", "follow_events")
    assert events["openid"].null_count() == 0
    unfollowed = events.filter(pl.col("event_type") == "unfollow").height
    followed = events.filter(pl.col("event_type") == "follow").height
    assert 0.05 < unfollowed / followed < 0.3


def test_live_sessions_have_viewers_boosts_and_orders(demo: Path) -> None:
    sessions = _read(demo, "live", "sessions").with_columns(
        pl.col("viewers").cast(pl.Int64), pl.col("peak_concurrent").cast(pl.Int64)
    )
    assert (sessions["peak_concurrent"] <= sessions["viewers"]).all()
    assert _read(demo, "live", "boosts").height > sessions.height
    orders = _read(demo, "live", "live_orders")
    assert set(orders["session_id"]) <= set(sessions["session_id"])


def test_coupons_mostly_unused_some_within_the_hour_some_after_a_reminder(demo: Path) -> None:
    coupons = _read(demo, "mall", "coupons")
    redeemed = _read(demo, "mall", "coupon_redemptions").join(coupons, on="coupon_id")
    assert redeemed.height < 0.35 * coupons.height
    lag = pl.col("redeemed_at").str.to_datetime() - pl.col("claimed_at").str.to_datetime()
    assert redeemed.filter(lag <= dt.timedelta(hours=1)).height > 0.1 * redeemed.height
    reminders = (
        _read(demo, "mall", "coupon_reminders").group_by("coupon_id").agg(pl.col("sent_at").min())
    )
    after = redeemed.join(reminders, on="coupon_id").filter(
        pl.col("sent_at") < pl.col("redeemed_at")
    )
    assert after.height > 0.1 * redeemed.height
    assert set(coupons["source_channel"]) == {"guide", "ad", "live"}


def test_wecom_contacts_come_and_go_and_some_are_unknown(demo: Path) -> None:
    events = _read(demo, "wecom", "contact_events")
    adds = events.filter(pl.col("event_type") == "add")
    assert events.filter(pl.col("event_type") == "delete").height > 0.05 * adds.height
    assert adds["union_id"].null_count() > 0.1 * adds.height  # unknown members
    assert set(adds["add_way"]) == {"guide", "store_qr", "live_room"}


def test_refunds_follow_their_order_and_some_orders_arrive_late(demo: Path) -> None:
    lines = _read(demo, "mall", "order_lines").select("order_line_id", "order_id")
    orders = _read(demo, "mall", "orders").select("order_id", ordered=_day("created_at"))
    refunds = (
        _read(demo, "mall", "refunds")
        .join(lines, on="order_line_id")
        .join(orders, on="order_id")
        .with_columns(refunded=_day("refunded_at"))
    )
    assert (refunds["refunded"] > refunds["ordered"]).all()
    late = 0
    for path in sorted((demo / "mall" / "orders").glob("*.csv")):
        created = pl.read_csv(path, columns=["created_at"], infer_schema=False)
        late += created.filter(pl.col("created_at").str.slice(0, 10) < path.stem).height
    assert 0.01 * orders.height < late < 0.06 * orders.height
