{#- Per acquisition channel × campaign × brand × acquisition day (kpis.md): followers acquired,
    retained after the retention window, spend, GMV attributed within the attribution window
    and first-purchase conversions. Organic channels sit beside paid ones with spend 0.
    Ratios (cost per follower, ROI, output per follower) are computed from these sums. -#}

{%- set retention_days = var('acquisition_retention_days') -%}
{%- set attribution_days = var('attribution_window_days') -%}

with

brands as (

    select * from {{ ref('stg_master__brands') }}

),

followers as (

    select * from {{ ref('int_followers_acquired') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_unioned') }}

),

ad_spend as (

    select * from {{ ref('fct_ad_spend_daily') }}

),

follower_outcomes as (

    -- Retained: still reachable once the retention window has passed (a loss exactly at
    -- the end of the window is a loss). Attributed: paid lines from the acquisition up to,
    -- not including, the end of the attribution window.
    select
        followers.acquisition_id,
        followers.acquisition_channel,
        followers.campaign_id,
        followers.brand_id,
        followers.acquired_date,
        case
            when
                followers.lost_at is null
                or followers.lost_at
                > {{ dbt.dateadd('day', retention_days, 'followers.acquired_at') }}
                then 1
            else 0
        end as is_retained,
        coalesce(sum(order_lines.paid_amount), 0) as attributed_gmv,
        case when count(order_lines.order_line_key) > 0 then 1 else 0 end as is_converted
    from followers
    left join order_lines
        on
            followers.member_id = order_lines.member_id
            and followers.acquired_at <= order_lines.paid_at
            and order_lines.paid_at
            < {{ dbt.dateadd('day', attribution_days, 'followers.acquired_at') }}
    group by
        followers.acquisition_id,
        followers.acquisition_channel,
        followers.campaign_id,
        followers.brand_id,
        followers.acquired_date,
        followers.acquired_at,
        followers.lost_at

),

cohorts as (

    select
        acquisition_channel,
        campaign_id,
        brand_id,
        acquired_date as acquisition_date,
        count(*) as followers_acquired,
        sum(is_retained) as followers_retained,
        sum(attributed_gmv) as attributed_gmv,
        sum(is_converted) as converted_followers
    from follower_outcomes
    group by 1, 2, 3, 4  -- noqa: AM06

),

spend as (

    select
        {{ dbt.concat(["'ad:'", "platform"]) }} as acquisition_channel,
        campaign_id,
        brand_id,
        date_day as acquisition_date,
        sum(spend) as spend
    from ad_spend
    group by 1, 2, 3, 4  -- noqa: AM06

),

final as (

    select
        coalesce(cohorts.acquisition_channel, spend.acquisition_channel) as acquisition_channel,
        coalesce(cohorts.campaign_id, spend.campaign_id) as campaign_id,
        coalesce(cohorts.brand_id, spend.brand_id) as brand_id,
        coalesce(cohorts.acquisition_date, spend.acquisition_date) as acquisition_date,
        coalesce(cohorts.followers_acquired, 0) as followers_acquired,
        coalesce(cohorts.followers_retained, 0) as followers_retained,
        cast(coalesce(spend.spend, 0) as decimal(18, 2)) as spend,
        cast(coalesce(cohorts.attributed_gmv, 0) as decimal(18, 2)) as attributed_gmv,
        coalesce(cohorts.converted_followers, 0) as converted_followers
    from cohorts
    full outer join spend
        on
            cohorts.acquisition_channel = spend.acquisition_channel
            and cohorts.campaign_id = spend.campaign_id
            and cohorts.brand_id = spend.brand_id
            and cohorts.acquisition_date = spend.acquisition_date

),

with_brand_name as (

    {{ with_brand_name('final') }}

)

select * from with_brand_name
