{#- Per guide and business day, every day from the guide's first activity to the data's last
    day: WeCom friends added, deleted and transferred in or out (WeCom customer transfers), the
    contacts at the start and end of the day, WeCom's service statistics (chats, answered
    chats, first-reply minutes), credited sales split
    online / offline / cross-brand, and contact conversion within the attribution window
    (contacts added that day who paid within it). Incremental: a run rebuilds the days of the
    look-back window (macros/incremental.sql), or from the first older day whose credited GMV
    changed, carrying each guide's active contacts and first day over from the days before
    it. -#}

{{
    config(
        materialized='incremental',
        unique_key=['guide_id', 'date_day'],
        incremental_strategy=incremental_strategy(),
        partition_by=incremental_partition_by(['date_day']),
        on_schema_change='fail',
    )
}}

{%- set window_days = var('attribution_window_days') -%}
{#- A guide's counts of one day fit a 4-byte integer: the grid has a row per guide and day,
    the largest table of the warehouse, where each 8-byte bigint would cost 4 more bytes a
    row. -#}
{%- set count_type = dbt.type_int() -%}
{%- if is_incremental() -%}
    {#- The look-back window, or further back to the first day whose credited GMV changed
        (a corrected order of a closed month). -#}
    {%- set changed = earliest_changed_day(
        "select guide_id as row_key, date_day, gmv as measure from " ~ this ~ " where gmv <> 0",
        "select credited_guide_id as row_key, paid_date as date_day, sum(paid_amount) as measure
        from " ~ ref('int_order_lines_credited') ~ " where credited_guide_id is not null
        group by credited_guide_id, paid_date",
    ) -%}
    {%- set since = "least(" ~ incremental_window_start('date_day') ~ ", " ~ changed ~ ")" -%}
{%- else -%}
    {%- set since = "cast('1900-01-01' as date)" -%}
{%- endif %}

with

brands as (

    select * from {{ ref('stg_master__brands') }}

),

credited_lines as (

    select * from {{ ref('int_order_lines_credited') }}
    where credited_guide_id is not null and paid_date >= {{ since }}

),

contacts as (

    select * from {{ ref('int_followers_acquired') }}
    where
        guide_id is not null  -- WeCom contacts, however added
        and acquired_date >= {{ since }}

),

contact_events as (

    select * from {{ ref('stg_wecom__contact_events') }}
    where occurred_date >= {{ since }}

),

transfers as (

    select * from {{ ref('stg_wecom__contact_transfers') }}
    where is_taken_over and taken_over_date >= {{ since }}

),

service_stats as (

    select * from {{ ref('stg_wecom__guide_service_daily') }}
    where stat_date >= {{ since }}

),

order_lines as (

    select * from {{ ref('int_order_lines_unioned') }}
    where paid_date >= {{ since }}

),

boosts as (

    select * from {{ ref('int_live_boosts_rewarded') }}
    where session_date >= {{ since }}

),

guides as (

    select * from {{ ref('stg_master__guides') }}

),

stores as (

    select * from {{ ref('stg_master__stores') }}

),

carried as (

    -- Per guide, from the days before the window: the first day and the active contacts.
    {% if is_incremental() %}
        select
            guide_id,
            min(date_day) as first_day,
            sum(
                case
                    when date_day < {{ since }}
                        then net_friends + transferred_in_friends - transferred_out_friends
                    else 0
                end
            ) as active_contacts_before
        from {{ this }}
        group by guide_id
    {% else %}
        select
            cast(null as {{ dbt.type_bigint() }}) as guide_id,
            cast(null as date) as first_day,
            cast(null as {{ dbt.type_bigint() }}) as active_contacts_before
        where 1 = 0
    {% endif %}

),

boosts_per_day as (

    select
        guide_id,
        session_date as date_day,
        sum(boost_points) as live_boost_points,
        sum(boost_reward) as boost_reward
    from boosts
    group by guide_id, session_date

),

contact_changes as (

    select
        guide_id,
        occurred_date as date_day,
        case when event_type = 'add' then 1 else 0 end as added,
        case when event_type = 'delete' then 1 else 0 end as deleted,
        0 as transferred_in,
        0 as transferred_out
    from contact_events
    union all
    select
        takeover_guide_id as guide_id,
        taken_over_date as date_day,
        0 as added,
        0 as deleted,
        1 as transferred_in,
        0 as transferred_out
    from transfers
    union all
    select
        handover_guide_id as guide_id,
        taken_over_date as date_day,
        0 as added,
        0 as deleted,
        0 as transferred_in,
        1 as transferred_out
    from transfers

),

friends as (

    select
        guide_id,
        date_day,
        sum(added) as new_friends,
        sum(deleted) as deleted_friends,
        sum(transferred_in) as transferred_in_friends,
        sum(transferred_out) as transferred_out_friends,
        sum(added - deleted + transferred_in - transferred_out) as contact_change
    from contact_changes
    group by guide_id, date_day

),

sales as (

    select
        credited_guide_id as guide_id,
        paid_date as date_day,
        count(distinct order_key) as credited_orders,
        count(distinct member_id) as buyers,
        sum(paid_amount) as gmv,
        sum(case when is_online then paid_amount else 0 end) as gmv_online,
        sum(case when not is_online then paid_amount else 0 end) as gmv_offline,
        sum(case when is_cross_brand then paid_amount else 0 end) as gmv_cross_brand
    from credited_lines
    group by credited_guide_id, paid_date

),

contact_conversions as (

    select
        contacts.guide_id,
        contacts.acquired_date as date_day,
        count(distinct contacts.acquisition_id) as contacts_converted
    from contacts
    inner join order_lines
        on
            contacts.member_id = order_lines.member_id
            and contacts.acquired_at <= order_lines.paid_at
            and order_lines.paid_at < {{ dbt.dateadd('day', window_days, 'contacts.acquired_at') }}
    group by contacts.guide_id, contacts.acquired_date

),

activity_days as (

    select
        guide_id,
        date_day
    from friends
    union
    select
        guide_id,
        date_day
    from sales
    union
    select
        guide_id,
        date_day
    from boosts_per_day
    union
    select
        guide_id,
        stat_date as date_day
    from service_stats

),

bounds as (

    select
        {% if is_incremental() %}{{ since }}{% else %}min(date_day){% endif %} as first_day,
        max(date_day) as last_day
    from activity_days

),

calendar as (

    {{ date_spine('(select first_day from bounds)', '(select last_day from bounds)') }}

),

guide_starts as (

    select
        guide_id,
        min(first_day) as first_day
    from (
        select
            guide_id,
            date_day as first_day
        from activity_days
        union all
        select
            guide_id,
            first_day
        from carried
    ) as guide_first_days
    group by guide_id

),

guide_days as (

    select
        guide_starts.guide_id,
        calendar.date_day
    from guide_starts
    inner join calendar
        on guide_starts.first_day <= calendar.date_day

),

final as (

    select
        guide_days.guide_id,
        guide_days.date_day,
        guides.home_brand_id as brand_id,
        guides.home_store_id as store_id,
        stores.region,
        cast(coalesce(friends.new_friends, 0) as {{ count_type }}) as new_friends,
        cast(coalesce(friends.deleted_friends, 0) as {{ count_type }}) as deleted_friends,
        cast(
            coalesce(friends.new_friends, 0) - coalesce(friends.deleted_friends, 0)
            as {{ count_type }}
        ) as net_friends,
        cast(coalesce(friends.transferred_in_friends, 0) as {{ count_type }})
            as transferred_in_friends,
        cast(coalesce(friends.transferred_out_friends, 0) as {{ count_type }})
            as transferred_out_friends,
        coalesce(carried.active_contacts_before, 0)
        + coalesce(sum(friends.contact_change) over (
            partition by guide_days.guide_id
            order by guide_days.date_day
            rows between unbounded preceding and 1 preceding
        ), 0) as contacts_at_day_start,
        coalesce(carried.active_contacts_before, 0)
        + sum(coalesce(friends.contact_change, 0)) over (
            partition by guide_days.guide_id
            order by guide_days.date_day
            rows between unbounded preceding and current row
        ) as active_contacts,
        cast(coalesce(service_stats.chats, 0) as {{ count_type }}) as chats,
        cast(coalesce(service_stats.replied_chats, 0) as {{ count_type }}) as replied_chats,
        service_stats.reply_rate,
        service_stats.avg_first_reply_minutes,
        cast(coalesce(service_stats.first_reply_minutes_total, 0) as decimal(18, 2))
            as first_reply_minutes_total,
        cast(coalesce(contact_conversions.contacts_converted, 0) as {{ count_type }})
            as contacts_converted,
        cast(coalesce(sales.credited_orders, 0) as {{ count_type }}) as credited_orders,
        cast(coalesce(sales.buyers, 0) as {{ count_type }}) as buyers,
        cast(coalesce(sales.gmv, 0) as decimal(18, 2)) as gmv,
        cast(coalesce(sales.gmv_online, 0) as decimal(18, 2)) as gmv_online,
        cast(coalesce(sales.gmv_offline, 0) as decimal(18, 2)) as gmv_offline,
        cast(coalesce(sales.gmv_cross_brand, 0) as decimal(18, 2)) as gmv_cross_brand,
        coalesce(boosts_per_day.live_boost_points, 0) as live_boost_points,
        cast(coalesce(boosts_per_day.boost_reward, 0) as decimal(18, 2)) as boost_reward
    from guide_days
    left join friends
        on guide_days.guide_id = friends.guide_id and guide_days.date_day = friends.date_day
    left join sales
        on guide_days.guide_id = sales.guide_id and guide_days.date_day = sales.date_day
    left join boosts_per_day
        on
            guide_days.guide_id = boosts_per_day.guide_id
            and guide_days.date_day = boosts_per_day.date_day
    left join contact_conversions
        on
            guide_days.guide_id = contact_conversions.guide_id
            and guide_days.date_day = contact_conversions.date_day
    left join service_stats
        on
            guide_days.guide_id = service_stats.guide_id
            and guide_days.date_day = service_stats.stat_date
    left join carried
        on guide_days.guide_id = carried.guide_id
    left join guides
        on guide_days.guide_id = guides.guide_id
    left join stores
        on guides.home_store_id = stores.store_id

),

with_brand_name as (

    {{ with_brand_name('final') }}

)

select * from with_brand_name
