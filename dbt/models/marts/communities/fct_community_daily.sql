{#- Per customer group and business day, from the group's creation to the data's last day
    (kpis.md, communities): members at the end of the day, joins and leaves, whether the group
    was active (any message), speakers and messages (WeCom's daily group statistics), and the
    GMV and buyers of mall orders through the group's link or operator code. Summable
    measures; members is a stock (add across groups, not days). -#}

with

community_groups as (

    select * from {{ ref('stg_wecom__community_groups') }}

),

member_events as (

    select * from {{ ref('stg_wecom__community_member_events') }}

),

daily_stats as (

    select * from {{ ref('stg_wecom__community_daily_stats') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_unioned') }}
    where community_group_id is not null

),

activity_dates as (

    select occurred_date as activity_date from member_events
    union all
    select stat_date as activity_date from daily_stats
    union all
    select paid_date as activity_date from order_lines

),

bounds as (

    select
        (select min(created_date) from community_groups) as first_day,
        max(activity_date) as last_day
    from activity_dates

),

calendar as (

    {{ date_spine('(select first_day from bounds)', '(select last_day from bounds)') }}

),

group_days as (

    select
        community_groups.group_id,
        community_groups.brand_id,
        community_groups.operator_id,
        calendar.date_day
    from community_groups
    inner join calendar
        on community_groups.created_date <= calendar.date_day

),

movements as (

    select
        group_id,
        occurred_date as date_day,
        sum(case when event_type = 'join' then 1 else 0 end) as joins,
        sum(case when event_type = 'leave' then 1 else 0 end) as leaves
    from member_events
    group by group_id, occurred_date

),

sales as (

    select
        community_group_id as group_id,
        paid_date as date_day,
        count(distinct member_id) as buyers,
        count(distinct order_key) as orders,
        sum(paid_amount) as gmv
    from order_lines
    group by community_group_id, paid_date

),

final as (

    select
        group_days.date_day,
        group_days.group_id,
        group_days.brand_id,
        group_days.operator_id,
        sum(coalesce(movements.joins, 0) - coalesce(movements.leaves, 0)) over (
            partition by group_days.group_id
            order by group_days.date_day
            rows between unbounded preceding and current row
        ) as members,
        coalesce(movements.joins, 0) as joins,
        coalesce(movements.leaves, 0) as leaves,
        case when coalesce(daily_stats.message_count, 0) > 0 then 1 else 0 end as is_active,
        coalesce(daily_stats.speaker_count, 0) as speakers,
        coalesce(daily_stats.message_count, 0) as messages,
        daily_stats.member_count as reported_members,
        coalesce(sales.buyers, 0) as buyers,
        coalesce(sales.orders, 0) as orders,
        cast(coalesce(sales.gmv, 0) as decimal(18, 2)) as gmv
    from group_days
    left join movements
        on group_days.group_id = movements.group_id and group_days.date_day = movements.date_day
    left join daily_stats
        on
            group_days.group_id = daily_stats.group_id
            and group_days.date_day = daily_stats.stat_date
    left join sales
        on group_days.group_id = sales.group_id and group_days.date_day = sales.date_day

)

select * from final
