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
            as days_since_last_purchase,
        purchases.lookback_purchase_days,
        purchases.lookback_net_sales
    from related
    left join purchases
        on related.member_key = purchases.member_key and related.brand_id = purchases.brand_id

),

scored as (

    select
        summarised.*,
        case
            when lookback_purchase_days is not null then
                ntile(5) over (
                    partition by brand_id, lookback_purchase_days is not null
                    order by days_since_last_purchase desc, member_key asc
                )
        end as recency_score,
        case
            when lookback_purchase_days is not null then
                ntile(5) over (
                    partition by brand_id, lookback_purchase_days is not null
                    order by lookback_purchase_days, member_key
                )
        end as frequency_score,
        case
            when lookback_purchase_days is not null then
                ntile(5) over (
                    partition by brand_id, lookback_purchase_days is not null
                    order by lookback_net_sales, member_key
                )
        end as monetary_score
    from summarised

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
