{{ config(meta={'dagster': {'ref': {'name': 'fct_coupon_funnel'}}}) }}
{#- GMV on redeemed coupons equals the GMV of the paid staged mall lines of the orders the
    coupons were redeemed on (coupons counted on their claim day, orders on any day). -#}

with

mart as (

    select sum(redeemed_order_gmv) as gmv from {{ ref('fct_coupon_funnel') }}

),

staged as (

    select coalesce(sum(order_lines.paid_amount), 0) as gmv
    from {{ ref('stg_mall__coupon_redemptions') }} as redemptions
    inner join {{ ref('stg_mall__orders') }} as orders
        on redemptions.order_id = orders.order_id
    inner join {{ ref('stg_mall__order_lines') }} as order_lines
        on orders.order_id = order_lines.order_id
    where orders.order_status = 'paid'

)

select
    mart.gmv as mart_gmv,
    staged.gmv as staged_gmv
from mart
cross join staged
where mart.gmv <> staged.gmv
