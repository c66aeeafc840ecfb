{#- One row per member × brand related by the as-of date (kpis.md, lifecycle and RFM):
    orders, purchase days, first and last purchase, GMV, refunds netted back, net sales, the
    lifecycle segment under the brand's thresholds, and RFM scores (quintiles within the
    brand over var rfm_lookback_days) for members who bought in the lookback. -#}

with

brands as (

    select * from {{ ref('stg_master__brands') }}

),

related as (

    select * from {{ ref('int_member_brands_related') }}

),

-- imported again for the RFM scores: PostgreSQL materialises a CTE read twice (a copy of
-- every related pair) and inlines one read once
related_scored as (

    select * from {{ ref('int_member_brands_related') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_resolved') }}

),

thresholds as (

    select * from {{ ref('int_brand_lifecycle_thresholds') }}

),

purchases as (

    -- one pass over the order lines: all history, and the RFM lookback beside it (null when
    -- the member bought nothing of the brand in the lookback)
    select
        member_key,
        brand_id,
        count(distinct order_key) as orders,
        count(distinct paid_date) as purchase_days,
        min(paid_date) as first_purchase_date,
        max(paid_date) as last_purchase_date,
        sum(paid_amount) as gmv,
        sum(refund_amount) as refunds,
        sum(net_amount) as net_sales,
        {{ rfm_lookback_measures() }}
    from order_lines
    group by member_key, brand_id

),

summarised as (

    select
        related.member_key,
        related.brand_id,
        related.first_related_date,
        coalesce(purchases.orders, 0) as orders,
        coalesce(purchases.purchase_days, 0) as purchase_days,
        purchases.first_purchase_date,
        purchases.last_purchase_date,
        cast(coalesce(purchases.gmv, 0) as decimal(18, 2)) as gmv,
        cast(coalesce(purchases.refunds, 0) as decimal(18, 2)) as refunds,
        cast(coalesce(purchases.net_sales, 0) as decimal(18, 2)) as net_sales,
        {{ dbt.datediff('purchases.first_purchase_date', as_of_date(), 'day') }}
            as days_since_first_purchase,
        {{ dbt.datediff('purchases.last_purchase_date', as_of_date(), 'day') }}
            as days_since_last_purchase
    from related
    left join purchases
        on related.member_key = purchases.member_key and related.brand_id = purchases.brand_id

),

rfm_scores as (

    -- Quintiles within the brand among its related members who bought in the lookback,
    -- ranked on those pairs only (most related members did not buy in the lookback).
    select
        purchases.member_key,
        purchases.brand_id,
        ntile(5) over (
            partition by purchases.brand_id
            order by purchases.last_purchase_date asc, purchases.member_key asc
        ) as recency_score,
        ntile(5) over (
            partition by purchases.brand_id
            order by purchases.lookback_purchase_days, purchases.member_key
        ) as frequency_score,
        ntile(5) over (
            partition by purchases.brand_id
            order by purchases.lookback_net_sales, purchases.member_key
        ) as monetary_score
    from purchases
    inner join related_scored
        on
            purchases.member_key = related_scored.member_key
            and purchases.brand_id = related_scored.brand_id
    where purchases.lookback_purchase_days is not null

),

scored as (

    select
        summarised.*,
        rfm_scores.recency_score,
        rfm_scores.frequency_score,
        rfm_scores.monetary_score
    from summarised
    left join rfm_scores
        on
            summarised.member_key = rfm_scores.member_key
            and summarised.brand_id = rfm_scores.brand_id

),

final as (

    select
        scored.member_key,
        scored.brand_id,
        scored.first_related_date,
        scored.orders,
        scored.purchase_days,
        scored.first_purchase_date,
        scored.last_purchase_date,
        scored.gmv,
        scored.refunds,
        scored.net_sales,
        scored.days_since_last_purchase,
        {{ lifecycle_segment(
            'scored.days_since_first_purchase', 'scored.days_since_last_purchase', 'thresholds'
        ) }} as lifecycle_segment,
        scored.recency_score,
        scored.frequency_score,
        scored.monetary_score,
        {{ as_of_date() }} as as_of_date
    from scored
    -- the brand's thresholds in force on the as-of date (HQ's rule book)
    inner join thresholds
        on
            scored.brand_id = thresholds.brand_id
            and {{ as_of_date() }} >= thresholds.valid_from
            and (thresholds.valid_to is null or {{ as_of_date() }} < thresholds.valid_to)

),

with_brand_name as (

    {{ with_brand_name('final') }}

)

select * from with_brand_name
