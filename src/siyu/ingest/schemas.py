"""The declared shape of every source entity: what a file must hold to land in ``raw``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # one of KINDS
    nullable: bool = False


# Sources whose real systems hand their data over through an HTTP JSON API (cursor pages);
# every other source drops files (POS day files, WeCom exports, master data, targets).
HTTP_API_SOURCES = frozenset({"mall", "ads", "live"})


@dataclass(frozen=True)
class EntitySchema:
    source: str
    entity: str
    columns: tuple[Column, ...]
    description: str

    @property
    def delivered_over_http(self) -> bool:
        """True when the source's own system serves this entity over its HTTP API."""
        return self.source in HTTP_API_SOURCES

    @property
    def table(self) -> str:
        return f"{self.source}__{self.entity}"

    @property
    def qualified_table(self) -> str:
        return f"raw.{self.table}"


# kind -> PostgreSQL type of the raw column
KINDS = {
    "int": "bigint",
    "money": "numeric(18,2)",
    "decimal": "numeric(18,2)",  # a measure with 2 decimals that is not money (%, minutes)
    "text": "text",
    "timestamp": "timestamp",
    "date": "date",
}


def _c(spec: str) -> Column:
    """'name:kind' or 'name:kind?' (nullable)."""
    name, kind = spec.split(":")
    return Column(name, kind.rstrip("?"), kind.endswith("?"))


def _schema(source: str, entity: str, description: str, *specs: str) -> EntitySchema:
    return EntitySchema(source, entity, tuple(_c(s) for s in specs), description)


SCHEMAS: tuple[EntitySchema, ...] = (
    _schema(
        "master",
        "brands",
        "Brands of the group.",
        "brand_id:int",
        "brand_code:text",
        "brand_name:text",
        "category:text",
    ),
    _schema(
        "master",
        "stores",
        "Physical stores, each of one brand.",
        "store_id:int",
        "brand_id:int",
        "store_name:text",
        "city:text",
        "region:text",
    ),
    _schema(
        "master",
        "guides",
        "Store shopping guides (导购) and their home store.",
        "guide_id:int",
        "guide_code:text",
        "home_store_id:int",
        "brand_id:int",
    ),
    _schema(
        "master",
        "products",
        "Sellable SKUs with list price.",
        "sku_id:text",
        "spu_id:text",
        "brand_id:int",
        "list_price:money",
    ),
    _schema(
        "mall",
        "members",
        "Mini-program mall member accounts (personal data in clear).",
        "member_id:int",
        "union_id:text?",
        "openid:text?",
        "phone:text?",
        "member_name:text?",
        "card_no:text?",
        "register_brand_id:int",
        "register_store_id:int?",
        "registered_at:timestamp",
        "updated_at:timestamp",
    ),
    _schema(
        "mall",
        "orders",
        "Mall order headers.",
        "order_id:text",
        "member_id:int",
        "brand_id:int",
        "share_guide_id:int?",
        "community_group_id:text?",
        "status:text",
        "created_at:timestamp",
        "paid_at:timestamp?",
        "updated_at:timestamp",
    ),
    _schema(
        "mall",
        "order_lines",
        "Mall order lines with paid amount.",
        "order_line_id:text",
        "order_id:text",
        "sku_id:text",
        "quantity:int",
        "unit_price:money",
        "paid_amount:money",
        "created_at:timestamp",
    ),
    _schema(
        "mall",
        "refunds",
        "Refunds of mall order lines, dated when refunded.",
        "refund_id:text",
        "order_line_id:text",
        "refund_amount:money",
        "refunded_at:timestamp",
    ),
    _schema(
        "pos",
        "receipts",
        "Offline POS receipts.",
        "receipt_id:text",
        "store_id:int",
        "guide_id:int?",
        "member_card_no:text?",
        "sold_at:timestamp",
    ),
    _schema(
        "pos",
        "receipt_lines",
        "Offline POS receipt lines.",
        "receipt_line_id:text",
        "receipt_id:text",
        "sku_id:text",
        "quantity:int",
        "paid_amount:money",
        "sold_at:timestamp",
    ),
    _schema(
        "ads",
        "tencent_ads_reports",
        "Tencent Ads daily campaign report, in Tencent's shape (cost in fen).",
        "date:date",
        "campaign_id:text",
        "campaign_name:text",
        "view_count:int",
        "valid_click_count:int",
        "follow_count:int",
        "cost:int",
    ),
    _schema(
        "ads",
        "ocean_engine_reports",
        "Ocean Engine (巨量引擎) daily campaign report, in its shape (stat_datetime, cost in RMB).",
        "stat_datetime:timestamp",
        "campaign_id:text",
        "campaign_name:text",
        "show_cnt:int",
        "click_cnt:int",
        "convert_cnt:int",
        "stat_cost:money",
    ),
    _schema(
        "ads",
        "baidu_feed_reports",
        "Baidu feed ads daily campaign report, in Baidu's shape (cost in RMB).",
        "date:date",
        "campaign_id:text",
        "campaign_name:text",
        "impression:int",
        "click:int",
        "conversion:int",
        "cost:money",
    ),
    _schema(
        "ads",
        "follow_events",
        "Follow and unfollow events of ad-acquired followers.",
        "event_id:text",
        "platform:text",
        "campaign_id:text",
        "openid:text",
        "event_type:text",
        "occurred_at:timestamp",
    ),
    _schema(
        "live",
        "sessions",
        "Live-stream sessions.",
        "session_id:text",
        "brand_id:int",
        "title:text",
        "started_at:timestamp",
        "ended_at:timestamp",
        "viewers:int",
        "peak_concurrent:int",
    ),
    _schema(
        "live",
        "live_orders",
        "Orders placed from a live room.",
        "live_order_id:text",
        "session_id:text",
        "member_id:int",
        "sku_id:text",
        "quantity:int",
        "paid_amount:money",
        "paid_at:timestamp",
    ),
    _schema(
        "wecom",
        "contact_events",
        "WeCom contact added / deleted events of guides.",
        "event_id:text",
        "guide_id:int",
        "external_user_id:text",
        "union_id:text?",
        "event_type:text",
        "add_way:text?",
        "occurred_at:timestamp",
    ),
    _schema(
        "live",
        "boosts",
        "Boost points (助力) guides earned bringing viewers to a live session.",
        "boost_id:text",
        "session_id:text",
        "guide_id:int",
        "boost_points:int",
        "recorded_at:timestamp",
    ),
    _schema(
        "targets",
        "guide_monthly_targets",
        "Monthly targets per guide (new friends, GMV), one file per month.",
        "month:date",
        "guide_id:int",
        "target_new_friends:int",
        "target_gmv:money",
    ),
)

SCHEMAS += (
    _schema(
        "master",
        "ad_campaigns",
        "Ad campaigns of every platform with the brand they advertise (kept by the group).",
        "platform:text",
        "campaign_id:text",
        "campaign_name:text",
        "brand_id:int",
    ),
    _schema(
        "master",
        "community_operators",
        "Community operators (社群运营): staff who run customer groups, not store guides.",
        "operator_id:int",
        "operator_code:text",
        "brand_id:int",
    ),
    _schema(
        "mall",
        "guide_bindings",
        "A member bound to a guide in the mall (专属导购): on registration, or on a transfer "
        "when the guide leaves.",
        "binding_id:text",
        "member_id:int",
        "guide_id:int",
        "binding_type:text",
        "bound_at:timestamp",
    ),
    _schema(
        "mall",
        "coupons",
        "Coupons claimed by members, with the channel that issued them.",
        "coupon_id:text",
        "member_id:int",
        "brand_id:int",
        "source_channel:text",
        "guide_id:int?",
        "campaign_id:text?",
        "discount_amount:money",
        "claimed_at:timestamp",
    ),
    _schema(
        "mall",
        "coupon_reminders",
        "Reminders sent to members holding an unused coupon.",
        "reminder_id:text",
        "coupon_id:text",
        "sent_at:timestamp",
    ),
    _schema(
        "mall",
        "coupon_redemptions",
        "Coupons redeemed on a mall order.",
        "coupon_id:text",
        "order_id:text",
        "redeemed_at:timestamp",
    ),
    _schema(
        "wecom",
        "community_groups",
        "Customer groups (社群) of a brand, each run by a community operator.",
        "group_id:text",
        "brand_id:int",
        "operator_id:int",
        "group_name:text",
        "created_at:timestamp",
    ),
    _schema(
        "wecom",
        "community_member_events",
        "People joining and leaving customer groups.",
        "event_id:text",
        "group_id:text",
        "external_user_id:text",
        "union_id:text?",
        "event_type:text",
        "occurred_at:timestamp",
    ),
    _schema(
        "pos",
        "member_cards",
        "The stores' member registry (POS/CRM): membership cards with the phone given at the "
        "till (personal data in clear), brand, store and level; a daily drop of new and "
        "changed cards.",
        "card_no:text",
        "phone:text?",
        "brand_id:int",
        "store_id:int",
        "level:text",
        "registered_at:timestamp",
        "updated_at:timestamp",
    ),
    _schema(
        "wecom",
        "community_daily_stats",
        "WeCom's daily group-chat statistics per group: members, speakers, messages.",
        "group_id:text",
        "stat_date:date",
        "member_count:int",
        "speaker_count:int",
        "message_count:int",
    ),
    _schema(
        "tasks",
        "tasks",
        "HQ's tasks to guides (SFE): add friends, share a product, bring viewers to a live "
        "session, win back an audience; each with a target per guide, a start and a deadline. "
        "A daily drop of the tasks published that day.",
        "task_id:text",
        "brand_id:int",
        "task_type:text",
        "title:text",
        "sku_id:text?",
        "session_id:text?",
        "target_per_guide:int",
        "starts_at:timestamp",
        "due_at:timestamp",
        "published_at:timestamp",
    ),
    _schema(
        "tasks",
        "task_assignments",
        "Which guides a task was dispatched to, with each guide's own target.",
        "task_id:text",
        "guide_id:int",
        "target:int",
        "assigned_at:timestamp",
    ),
    _schema(
        "tasks",
        "task_completions",
        "Completion events the task platform records: one per friend added, product shared, "
        "viewer brought or customer won back, with the customer when the platform knows them.",
        "completion_id:text",
        "task_id:text",
        "guide_id:int",
        "external_user_id:text?",
        "completed_at:timestamp",
    ),
    _schema(
        "wecom",
        "contact_transfers",
        "WeCom customer transfers (客户继承): a guide's external contact handed over to a "
        "colleague, on the job (在职继承, the customer may refuse) or when the guide resigns "
        "(离职继承); one row per transfer once its result is final (a JSON Lines export of "
        "the transfer-result API). The customer keeps the contact; on success the service "
        "relationship moves to the takeover guide at taken_over_at.",
        "transfer_id:text",
        "transfer_type:text",
        "handover_guide_id:int",
        "takeover_guide_id:int",
        "external_user_id:text",
        "union_id:text?",
        "transfer_status:text",
        "requested_at:timestamp",
        "taken_over_at:timestamp?",
        "finished_at:timestamp",
    ),
    _schema(
        "wecom",
        "guide_service_daily",
        "WeCom's daily customer-contact behaviour per guide (联系客户统计, the behaviour-data "
        "API): contact requests and new contacts, one-to-one chats and messages, the share of "
        "chats answered within the natural day and the mean minutes to the first answer "
        "(group chats excluded), and customers who deleted or blocked the guide.",
        "guide_id:int",
        "stat_date:date",
        "new_apply_cnt:int",
        "new_contact_cnt:int",
        "chat_cnt:int",
        "message_cnt:int",
        "reply_percentage:decimal?",
        "avg_reply_time:decimal?",
        "negative_feedback_cnt:int",
    ),
    _schema(
        "rules",
        "commission_rates",
        "HQ's commission rate book (提成规则): the rate a guide earns, keyed by brand, "
        "channel (online / offline) and sale scope (same_brand / cross_brand), in force from "
        "valid_from until the next version of the same key. HQ drops a CSV whenever it "
        "changes a rate, usually before the season it applies to; every delivery is kept.",
        "rule_id:text",
        "rule_version:int",
        "brand_id:int",
        "channel:text",
        "sale_scope:text",
        "rate_pct:decimal",
        "valid_from:date",
    ),
    _schema(
        "rules",
        "lifecycle_thresholds",
        "HQ's lifecycle thresholds per brand (会员生命周期阈值), in days since the last "
        "purchase: fixed days, or gap_percentiles to derive them from the brand's own "
        "inter-purchase gaps; in force from valid_from until the brand's next version.",
        "brand_id:int",
        "threshold_rule:text",
        "new_days:int",
        "active_days:int?",
        "sleeping_days:int?",
        "pre_churn_days:int?",
        "valid_from:date",
    ),
)

BY_TABLE: dict[str, EntitySchema] = {s.table: s for s in SCHEMAS}


@dataclass(frozen=True)
class Rule:
    """A row rule beyond type and nullability; a row breaking it is quarantined.

    kind "positive": the column must be > 0; "non_negative": >= 0; "one_of": a non-empty
    value must be one of ``values``. kind "reference": a non-empty value must exist in
    ``reference`` (``<raw table>.<column>``, loaded earlier: master data).
    """

    kind: str
    column: str
    reference: str | None = None
    values: tuple[str, ...] = ()

    @property
    def target(self) -> tuple[str, str] | None:
        """(raw table, column) a reference rule looks values up in; None for other rules."""
        if self.kind != "reference" or not self.reference:
            return None
        table, column = self.reference.split(".")
        return table, column


RULES: dict[str, tuple[Rule, ...]] = {
    # A line paid entirely by a coupon, or a gift with purchase, is a real purchase at 0.00:
    # amounts may be 0, never negative; quantities are at least 1.
    "mall__order_lines": (
        Rule("non_negative", "paid_amount"),
        Rule("non_negative", "unit_price"),
        Rule("positive", "quantity"),
    ),
    "mall__refunds": (Rule("positive", "refund_amount"),),
    "pos__receipt_lines": (Rule("non_negative", "paid_amount"), Rule("positive", "quantity")),
    "live__live_orders": (Rule("non_negative", "paid_amount"), Rule("positive", "quantity")),
    "pos__member_cards": (Rule("reference", "store_id", "master__stores.store_id"),),
    "pos__receipts": (
        Rule("reference", "store_id", "master__stores.store_id"),
        Rule("reference", "guide_id", "master__guides.guide_id"),
    ),
    "mall__orders": (
        Rule("reference", "brand_id", "master__brands.brand_id"),
        Rule("reference", "share_guide_id", "master__guides.guide_id"),
    ),
    "wecom__contact_events": (Rule("reference", "guide_id", "master__guides.guide_id"),),
    "tasks__tasks": (
        Rule("reference", "brand_id", "master__brands.brand_id"),
        Rule("positive", "target_per_guide"),
    ),
    "tasks__task_assignments": (
        Rule("reference", "guide_id", "master__guides.guide_id"),
        Rule("positive", "target"),
    ),
    "tasks__task_completions": (Rule("reference", "guide_id", "master__guides.guide_id"),),
    "wecom__contact_transfers": (
        Rule("reference", "handover_guide_id", "master__guides.guide_id"),
        Rule("reference", "takeover_guide_id", "master__guides.guide_id"),
    ),
    "wecom__guide_service_daily": (
        Rule("reference", "guide_id", "master__guides.guide_id"),
        Rule("non_negative", "chat_cnt"),
        Rule("non_negative", "reply_percentage"),
        Rule("non_negative", "avg_reply_time"),
    ),
    "rules__commission_rates": (
        Rule("reference", "brand_id", "master__brands.brand_id"),
        Rule("one_of", "channel", values=("online", "offline")),
        Rule("one_of", "sale_scope", values=("same_brand", "cross_brand")),
        Rule("non_negative", "rate_pct"),
    ),
    "rules__lifecycle_thresholds": (
        Rule("reference", "brand_id", "master__brands.brand_id"),
        Rule("one_of", "threshold_rule", values=("fixed", "gap_percentiles")),
        Rule("positive", "new_days"),
    ),
}


def rules_for(table: str) -> tuple[Rule, ...]:
    return RULES.get(table, ())


def schema_for(source: str, entity: str) -> EntitySchema:
    try:
        return BY_TABLE[f"{source}__{entity}"]
    except KeyError:
        raise KeyError(
            f"no schema declared for source {source!r} entity {entity!r}; known: {sorted(BY_TABLE)}"
        ) from None
