{#- The coupon funnel per claim day × issuing channel × brand (kpis.md "coupon redemption
    rate"): coupons claimed, redeemed, redeemed within the quick window after the claim (var
    coupon_quick_redemption_minutes, default 60, inclusive), reminded, redeemed after a
    reminder, the discount they cost and the GMV of the orders they were redeemed on. Each
    coupon counts on its claim day, so the funnel fills in as redemptions arrive. -#}

{%- set quick_minutes = var('coupon_quick_redemption_minutes') -%}

with

brands as (

    select * from {{ ref('stg_master__brands') }}

),

coupons as (

    select * from {{ ref('stg_mall__coupons') }}

),

reminders as (

    select * from {{ ref('stg_mall__coupon_reminders') }}

),

redemptions as (

    select * from {{ ref('stg_mall__coupon_redemptions') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_unioned') }}
    where channel = 'mall'

),

order_gmv as (

    select
        order_key as order_id,
        sum(paid_amount) as gmv
    from order_lines
    group by order_key

),

first_reminders as (

    select
        coupon_id,
        min(sent_at) as first_reminded_at
    from reminders
    group by coupon_id

),

coupon_outcomes as (

    select
        coupons.coupon_id,
        coupons.claimed_date,
        coupons.source_channel,
        coupons.brand_id,
        coupons.discount_amount,
        redemptions.coupon_id is not null as is_redeemed,
        coalesce(
            {{ dbt.datediff('coupons.claimed_at', 'redemptions.redeemed_at', 'second') }}
            <= {{ quick_minutes * 60 }},
            false
        ) as is_redeemed_quickly,
        first_reminders.coupon_id is not null as is_reminded,
        coalesce(first_reminders.first_reminded_at < redemptions.redeemed_at, false)
            as is_redeemed_after_reminder,
        coalesce(order_gmv.gmv, 0) as redeemed_order_gmv
    from coupons
    left join redemptions
        on coupons.coupon_id = redemptions.coupon_id
    left join first_reminders
        on coupons.coupon_id = first_reminders.coupon_id
    left join order_gmv
        on redemptions.order_id = order_gmv.order_id

),

final as (

    select
        claimed_date,
        source_channel,
        brand_id,
        count(*) as coupons_claimed,
        sum(case when is_redeemed then 1 else 0 end) as coupons_redeemed,
        sum(case when is_redeemed_quickly then 1 else 0 end) as redeemed_within_quick_window,
        sum(case when is_reminded then 1 else 0 end) as coupons_reminded,
        sum(case when is_redeemed_after_reminder then 1 else 0 end) as redeemed_after_reminder,
        cast(sum(discount_amount) as decimal(18, 2)) as discount_claimed,
        cast(sum(case when is_redeemed then discount_amount else 0 end) as decimal(18, 2))
            as discount_cost,
        cast(sum(redeemed_order_gmv) as decimal(18, 2)) as redeemed_order_gmv
    from coupon_outcomes
    group by claimed_date, source_channel, brand_id

),

with_brand_name as (

    {{ with_brand_name('final') }}

)

select * from with_brand_name
