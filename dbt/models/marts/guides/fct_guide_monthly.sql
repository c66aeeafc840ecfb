{#- Per guide and calendar month, fct_guide_daily added up: WeCom friends added, deleted and
    transferred, the contacts at the month's start and end, chats, answered chats and
    first-reply minutes, contact conversion and credited GMV. About 30 times fewer rows than
    the daily fact, for the dashboards' monthly and all-time charts (friend churn per month,
    friends and reply rate per region), which scanned every guide-day. Brand, store and region
    are those of the guide's last day in the month. -#}

with

guide_daily as (

    select * from {{ ref('fct_guide_daily') }}

),

-- the same model read a second time, for each month's last day: PostgreSQL would otherwise
-- materialise a CTE read twice, a copy of every guide-day
guide_day_attributes as (

    select
        guide_id,
        date_day,
        brand_id,
        brand_name,
        store_id,
        region,
        active_contacts
    from {{ ref('fct_guide_daily') }}

),

guide_days as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start
    from guide_daily

),

monthly as (

    select
        guide_id,
        month_start,
        count(*) as days_active,
        max(date_day) as last_data_day,
        sum(new_friends) as new_friends,
        sum(deleted_friends) as deleted_friends,
        sum(net_friends) as net_friends,
        sum(transferred_in_friends) as transferred_in_friends,
        sum(transferred_out_friends) as transferred_out_friends,
        -- the first of the month only: a guide who started mid-month has no stock at its start
        sum(case when date_day = month_start then contacts_at_day_start end)
            as contacts_at_month_start,
        sum(chats) as chats,
        sum(replied_chats) as replied_chats,
        sum(first_reply_minutes_total) as first_reply_minutes_total,
        sum(contacts_converted) as contacts_converted,
        sum(gmv) as gmv,
        sum(gmv_online) as gmv_online,
        sum(gmv_offline) as gmv_offline,
        sum(gmv_cross_brand) as gmv_cross_brand,
        sum(boost_reward) as boost_reward
    from guide_days
    group by guide_id, month_start

),

final as (

    select
        monthly.guide_id,
        monthly.month_start,
        month_end.brand_id,
        month_end.brand_name,
        month_end.store_id,
        month_end.region,
        monthly.days_active,
        monthly.last_data_day,
        monthly.new_friends,
        monthly.deleted_friends,
        monthly.net_friends,
        monthly.transferred_in_friends,
        monthly.transferred_out_friends,
        monthly.contacts_at_month_start,
        month_end.active_contacts as contacts_at_month_end,
        monthly.chats,
        monthly.replied_chats,
        monthly.first_reply_minutes_total,
        monthly.contacts_converted,
        monthly.gmv,
        monthly.gmv_online,
        monthly.gmv_offline,
        monthly.gmv_cross_brand,
        monthly.boost_reward
    from monthly
    inner join guide_day_attributes as month_end
        on
            monthly.guide_id = month_end.guide_id
            and monthly.last_data_day = month_end.date_day

)

select * from final
