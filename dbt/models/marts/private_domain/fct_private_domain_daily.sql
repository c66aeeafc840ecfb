{#- Per business day and brand: the private-domain headline numbers of kpis.md. Only summable
    measures are stored; ratios (member sales share = member_net_sales / net_sales) are
    computed at query time. Everything member-shaped counts people after identity resolution
    (kpis.md, member): buyers, member sales, new members and the repurchase window include a
    store-only POS card member, and a person with two accounts or cards counts once. -#}

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

refunds as (

    select * from {{ ref('stg_mall__refunds') }}

),

mall_order_lines as (

    select * from {{ ref('stg_mall__order_lines') }}

),

mall_orders as (

    select * from {{ ref('stg_mall__orders') }}

),

credited_lines as (

    select * from {{ ref('int_order_lines_credited') }}

),

resolved_lines as (

    -- The order lines of members, each with its person (every channel, account and card).
    select * from {{ ref('int_order_lines_resolved') }}

),

identities as (

    select * from {{ ref('int_member_identities') }}

),

member_cards as (

    select * from {{ ref('stg_pos__member_cards') }}

),

repurchase_spans as (

    select * from {{ ref('int_repurchase_spans_merged') }}

),

touchpoint_spans as (

    select * from {{ ref('int_touchpoint_spans_merged') }}

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

offline_lines_in_relationship as (

    -- Offline lines whose buyer had a service guide (WeCom contact or mall binding) when
    -- paying, whichever of the person's cards the receipt carries (int_order_lines_credited).
    select order_line_key
    from credited_lines
    where not is_online and service_guide_id is not null

),

sales as (

    select
        order_lines.paid_date as date_day,
        order_lines.brand_id,
        sum(case when order_lines.is_online then order_lines.paid_amount else 0 end)
            as mini_program_gmv,
        sum(case when not order_lines.is_online then order_lines.paid_amount else 0 end)
            as offline_gmv,
        sum(
            case
                when order_lines.is_online or related.order_line_key is not null
                    then order_lines.paid_amount
                else 0
            end
        ) as private_domain_gmv
    from order_lines
    left join offline_lines_in_relationship as related
        on order_lines.order_line_key = related.order_line_key
    group by 1, 2

),

member_sales as (

    select
        paid_date as date_day,
        brand_id,
        count(distinct member_key) as buyers,
        sum(paid_amount) as member_gmv
    from resolved_lines
    group by 1, 2

),

refunded as (

    -- Refunds are dated on their own refund date in daily views; all are mall members' lines.
    select
        refunds.refunded_date as date_day,
        mall_orders.brand_id,
        sum(refunds.refund_amount) as refunds
    from refunds
    inner join mall_order_lines
        on refunds.order_line_id = mall_order_lines.order_line_id
    inner join mall_orders
        on mall_order_lines.order_id = mall_orders.order_id
    group by 1, 2

),

reachability_changes as (

    -- +1 the day a person becomes reachable, -1 the day they no longer are.
    {{ span_changes('touchpoint_spans', 'reachable_from', 'reachable_until', ['brand_id']) }}

),

reachability as (

    select
        date_day,
        brand_id,
        sum(change) as private_domain_users_change
    from reachability_changes
    group by 1, 2

),

window_buyer_changes as (

-- The same counting for buyers and repeat buyers of the trailing window.
    {{ span_changes(
        'repurchase_spans', 'counts_from', 'counts_until', ['brand_id', 'span_kind']
    ) }}

),

window_buyers as (

    select
        date_day,
        brand_id,
        sum(case when span_kind = 'buyer' then change else 0 end) as window_buyers_change,
        sum(case when span_kind = 'repeat_buyer' then change else 0 end)
            as window_repeat_buyers_change
    from window_buyer_changes
    group by 1, 2

),

registered as (

    -- Every membership a person took out: mall accounts and POS member cards.
    select
        identities.member_key,
        members.register_brand_id as brand_id,
        members.registered_date
    from members
    inner join identities
        on
            identities.identifier_key = {{ dbt.concat([
                "'mall_account:'",
                "cast(members.member_id as " ~ dbt.type_string() ~ ")",
            ]) }}
    union all
    select
        identities.member_key,
        member_cards.brand_id,
        member_cards.registered_date
    from member_cards
    inner join identities
        on identities.identifier_key = {{ dbt.concat(["'card_no:'", "member_cards.card_no"]) }}

),

first_registrations as (

    -- A person becomes a member of a brand once: at their first account or card of it.
    select
        member_key,
        brand_id,
        min(registered_date) as registered_date
    from registered
    group by 1, 2

),

registrations as (

    -- Members registered before the first day count from the first day on.
    select
        case
            when first_registrations.registered_date < bounds.first_day then bounds.first_day
            else first_registrations.registered_date
        end as date_day,
        first_registrations.brand_id,
        count(*) as new_members
    from first_registrations
    cross join bounds
    where first_registrations.registered_date <= bounds.last_day
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
        coalesce(member_sales.buyers, 0) as buyers,
        cast(coalesce(sales.mini_program_gmv, 0) as decimal(18, 2)) as mini_program_gmv,
        cast(coalesce(sales.offline_gmv, 0) as decimal(18, 2)) as offline_gmv,
        cast(coalesce(sales.private_domain_gmv, 0) as decimal(18, 2)) as private_domain_gmv,
        cast(coalesce(refunded.refunds, 0) as decimal(18, 2)) as refunds,
        cast(
            coalesce(sales.mini_program_gmv, 0) + coalesce(sales.offline_gmv, 0)
            - coalesce(refunded.refunds, 0) as decimal(18, 2)
        ) as net_sales,
        cast(
            coalesce(member_sales.member_gmv, 0) - coalesce(refunded.refunds, 0) as decimal(18, 2)
        ) as member_net_sales,
        sum(coalesce(reachability.private_domain_users_change, 0)) over (
            partition by grid.brand_id
            order by grid.date_day
            rows between unbounded preceding and current row
        ) as private_domain_users,
        sum(coalesce(window_buyers.window_buyers_change, 0)) over (
            partition by grid.brand_id
            order by grid.date_day
            rows between unbounded preceding and current row
        ) as window_buyers,
        sum(coalesce(window_buyers.window_repeat_buyers_change, 0)) over (
            partition by grid.brand_id
            order by grid.date_day
            rows between unbounded preceding and current row
        ) as window_repeat_buyers,
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
    left join member_sales
        on grid.date_day = member_sales.date_day and grid.brand_id = member_sales.brand_id
    left join registrations
        on grid.date_day = registrations.date_day and grid.brand_id = registrations.brand_id
    left join refunded
        on grid.date_day = refunded.date_day and grid.brand_id = refunded.brand_id
    left join reachability
        on grid.date_day = reachability.date_day and grid.brand_id = reachability.brand_id
    left join window_buyers
        on grid.date_day = window_buyers.date_day and grid.brand_id = window_buyers.brand_id

)

select * from final
