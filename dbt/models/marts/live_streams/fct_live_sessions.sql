{#- One row per live session: audience, buyers and GMV of orders placed from the live room,
    and the guides' boosts with their capped rewards. -#}

with

brands as (

    select * from {{ ref('stg_master__brands') }}

),

sessions as (

    select * from {{ ref('stg_live__sessions') }}

),

live_orders as (

    select * from {{ ref('stg_live__live_orders') }}

),

boosts as (

    select * from {{ ref('int_live_boosts_rewarded') }}

),

boosts_per_session as (

    select
        session_id,
        count(*) as boosting_guides,
        sum(boost_points) as boost_points,
        sum(boost_reward) as boost_rewards
    from boosts
    group by session_id

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
        cast(coalesce(orders_per_session.live_gmv, 0) as decimal(18, 2)) as live_gmv,
        coalesce(boosts_per_session.boosting_guides, 0) as boosting_guides,
        coalesce(boosts_per_session.boost_points, 0) as boost_points,
        cast(coalesce(boosts_per_session.boost_rewards, 0) as decimal(18, 2)) as boost_rewards
    from sessions
    left join orders_per_session
        on sessions.session_id = orders_per_session.session_id
    left join boosts_per_session
        on sessions.session_id = boosts_per_session.session_id

),

with_brand_name as (

    {{ with_brand_name('final') }}

)

select * from with_brand_name
