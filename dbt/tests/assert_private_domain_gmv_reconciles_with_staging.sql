{{ config(meta={'dagster': {'ref': {'name': 'fct_private_domain_daily'}}}) }}
{#- Per day, the GMV in fct_private_domain_daily equals the paid lines in staging. -#}

with

mart as (

    select
        date_day,
        sum(mini_program_gmv) as mini_program_gmv,
        sum(offline_gmv) as offline_gmv
    from {{ ref('fct_private_domain_daily') }}
    group by date_day

),

mall as (

    select
        orders.paid_date as date_day,
        sum(order_lines.paid_amount) as gmv
    from {{ ref('stg_mall__order_lines') }} as order_lines
    inner join {{ ref('stg_mall__orders') }} as orders
        on order_lines.order_id = orders.order_id
    where orders.order_status = 'paid'
    group by orders.paid_date

),

live as (

    select
        paid_date as date_day,
        sum(paid_amount) as gmv
    from {{ ref('stg_live__live_orders') }}
    group by paid_date

),

pos as (

    select
        receipts.sold_date as date_day,
        sum(order_lines.paid_amount) as gmv
    from {{ ref('stg_pos__receipt_lines') }} as order_lines
    inner join {{ ref('stg_pos__receipts') }} as receipts
        on order_lines.receipt_id = receipts.receipt_id
    group by receipts.sold_date

),

compared as (

    select
        mart.date_day,
        mart.mini_program_gmv,
        coalesce(mall.gmv, 0) + coalesce(live.gmv, 0) as staging_mini_program_gmv,
        mart.offline_gmv,
        coalesce(pos.gmv, 0) as staging_offline_gmv
    from mart
    left join mall on mart.date_day = mall.date_day
    left join live on mart.date_day = live.date_day
    left join pos on mart.date_day = pos.date_day

)

select *
from compared
where
    mini_program_gmv <> staging_mini_program_gmv
    or offline_gmv <> staging_offline_gmv
