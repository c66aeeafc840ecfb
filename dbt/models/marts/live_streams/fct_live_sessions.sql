{#- One row per live session: audience, buyers and GMV of orders placed from the live room. -#}

with

sessions as (

    select * from {{ ref('stg_live__sessions') }}

),

live_orders as (

    select * from {{ ref('stg_live__live_orders') }}

),

orders_per_session as (

    select
        session_id,
        count(*) as live_orders,
        count(distinct member_id) as buyers,
        sum(paid_amount) as live_gmv
    from live_orders
    group by session_id

),

final as (

    select
        sessions.session_id,
        sessions.brand_id,
        sessions.session_date,
        sessions.title,
        sessions.started_at,
        sessions.ended_at,
        sessions.viewers,
        sessions.peak_concurrent_viewers,
        coalesce(orders_per_session.live_orders, 0) as live_orders,
        coalesce(orders_per_session.buyers, 0) as buyers,
        cast(coalesce(orders_per_session.live_gmv, 0) as decimal(18, 2)) as live_gmv
    from sessions
    left join orders_per_session
        on sessions.session_id = orders_per_session.session_id

)

select * from final
