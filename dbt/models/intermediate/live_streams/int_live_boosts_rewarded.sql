{#- Boost points per guide and live session with the guide's reward (kpis.md): min(points ×
    RMB per point, cap) per session. -#}

with

boosts as (

    select * from {{ ref('stg_live__boosts') }}

),

sessions as (

    select * from {{ ref('stg_live__sessions') }}

),

per_guide_session as (

    select
        session_id,
        guide_id,
        sum(boost_points) as boost_points
    from boosts
    group by session_id, guide_id

),

final as (

    select
        per_guide_session.session_id,
        per_guide_session.guide_id,
        sessions.brand_id,
        sessions.session_date,
        per_guide_session.boost_points,
        cast(
            case
                when
                    per_guide_session.boost_points * {{ var('boost_rmb_per_point') }}
                    > {{ var('boost_reward_cap') }}
                    then {{ var('boost_reward_cap') }}
                else per_guide_session.boost_points * {{ var('boost_rmb_per_point') }}
            end as decimal(18, 2)
        ) as boost_reward
    from per_guide_session
    inner join sessions
        on per_guide_session.session_id = sessions.session_id

)

select * from final
