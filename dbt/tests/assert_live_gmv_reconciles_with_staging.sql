{{ config(meta={'dagster': {'ref': {'name': 'fct_live_sessions'}}}) }}
{#- Σ live GMV over sessions equals Σ of the live orders in staging, per session date. -#}

with

mart as (

    select
        session_date,
        sum(live_gmv) as live_gmv
    from {{ ref('fct_live_sessions') }}
    group by session_date

),

staged as (

    select
        sessions.session_date,
        sum(orders.paid_amount) as live_gmv
    from {{ ref('stg_live__live_orders') }} as orders
    inner join {{ ref('stg_live__sessions') }} as sessions
        on orders.session_id = sessions.session_id
    group by sessions.session_date

)

select
    mart.session_date,
    mart.live_gmv,
    staged.live_gmv as staging_live_gmv
from mart
left join staged on mart.session_date = staged.session_date
where mart.live_gmv <> coalesce(staged.live_gmv, 0)
