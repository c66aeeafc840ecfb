{{ config(meta={'dagster': {'ref': {'name': 'fct_community_daily'}}}) }}
{#- Per day, group GMV equals the GMV of the paid staged mall lines whose order carries a
    community group. -#}

with

mart as (

    select
        date_day,
        sum(gmv) as gmv
    from {{ ref('fct_community_daily') }}
    group by date_day
    having sum(gmv) <> 0

),

staged as (

    select
        orders.paid_date as date_day,
        sum(order_lines.paid_amount) as gmv
    from {{ ref('stg_mall__order_lines') }} as order_lines
    inner join {{ ref('stg_mall__orders') }} as orders
        on order_lines.order_id = orders.order_id
    where orders.order_status = 'paid' and orders.community_group_id is not null
    group by orders.paid_date

)

select
    coalesce(mart.date_day, staged.date_day) as date_day,
    mart.gmv as mart_gmv,
    staged.gmv as staged_gmv
from mart
full outer join staged
    on mart.date_day = staged.date_day
where coalesce(mart.gmv, -1) <> coalesce(staged.gmv, -1)
