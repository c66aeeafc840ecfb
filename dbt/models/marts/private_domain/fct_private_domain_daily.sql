{#- Per business day and brand: the private-domain headline numbers of kpis.md. Only summable
    measures are stored; ratios are computed at query time. -#}

with

order_lines as (

    select * from {{ ref('int_order_lines_unioned') }}

),

contact_events as (

    select * from {{ ref('stg_wecom__contact_events') }}

),

guides as (

    select * from {{ ref('stg_master__guides') }}

),

members as (

    select * from {{ ref('stg_mall__members') }}

),

brands as (

    select * from {{ ref('stg_master__brands') }}

),

activity_dates as (

    select paid_date as activity_date from order_lines
    union all
    select occurred_date as activity_date from contact_events

),

bounds as (

    select
        min(activity_date) as first_day,
        max(activity_date) as last_day
    from activity_dates

),

calendar as (

    {{ date_spine('(select first_day from bounds)', '(select last_day from bounds)') }}

),

grid as (

    select
        calendar.date_day,
        brands.brand_id,
        brands.brand_name
    from calendar
    cross join brands

),

friends as (

    select
        contact_events.occurred_date as date_day,
        guides.home_brand_id as brand_id,
        sum(case when contact_events.event_type = 'add' then 1 else 0 end) as new_friends,
        sum(case when contact_events.event_type = 'delete' then 1 else 0 end) as deleted_friends
    from contact_events
    inner join guides
        on contact_events.guide_id = guides.guide_id
    group by 1, 2

),

sales as (

    select
        paid_date as date_day,
        brand_id,
        count(distinct member_id) as buyers,
        sum(case when is_online then paid_amount else 0 end) as mini_program_gmv,
        sum(case when not is_online then paid_amount else 0 end) as offline_gmv
    from order_lines
    group by 1, 2

),

registrations as (

    -- Members registered before the first day count from the first day on.
    select
        case
            when members.registered_date < bounds.first_day then bounds.first_day
            else members.registered_date
        end as date_day,
        members.register_brand_id as brand_id,
        count(*) as new_members
    from members
    cross join bounds
    where members.registered_date <= bounds.last_day
    group by 1, 2

),

final as (

    select
        grid.date_day,
        grid.brand_id,
        grid.brand_name,
        coalesce(friends.new_friends, 0) as new_friends,
        coalesce(friends.deleted_friends, 0) as deleted_friends,
        coalesce(friends.new_friends, 0) - coalesce(friends.deleted_friends, 0) as net_new_friends,
        coalesce(sales.buyers, 0) as buyers,
        cast(coalesce(sales.mini_program_gmv, 0) as decimal(18, 2)) as mini_program_gmv,
        cast(coalesce(sales.offline_gmv, 0) as decimal(18, 2)) as offline_gmv,
        coalesce(registrations.new_members, 0) as new_members,
        sum(coalesce(registrations.new_members, 0)) over (
            partition by grid.brand_id
            order by grid.date_day
            rows between unbounded preceding and current row
        ) as members
    from grid
    left join friends
        on grid.date_day = friends.date_day and grid.brand_id = friends.brand_id
    left join sales
        on grid.date_day = sales.date_day and grid.brand_id = sales.brand_id
    left join registrations
        on grid.date_day = registrations.date_day and grid.brand_id = registrations.brand_id

)

select * from final
