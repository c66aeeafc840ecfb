{#- What a CRM needs to pick an offer, per member × brand bought (as of the as-of date):
    historical AOV (net sales / orders), average discount off list price, the member's
    current service guide, and a suggested offer tier by AOV (vars offer_tier_1_min_aov,
    offer_tier_2_min_aov): tier_1 = a 100 RMB coupon, tier_2 = 50 RMB, tier_3 = 20 RMB. -#}

with

order_lines as (

    select * from {{ ref('int_order_lines_resolved') }}

),

service_guides as (

    select * from {{ ref('int_member_service_guides') }}

),

bought as (

    select
        member_key,
        brand_id,
        count(distinct order_key) as orders,
        sum(net_amount) as net_sales,
        sum(paid_amount) as paid_amount,
        sum(list_amount) as list_amount
    from order_lines
    group by member_key, brand_id

),

final as (

    select
        bought.member_key,
        bought.brand_id,
        service_guides.service_guide_id,
        bought.orders,
        cast(bought.net_sales / bought.orders as decimal(18, 2)) as average_order_value,
        cast(
            case
                when bought.list_amount > 0 then 1 - bought.paid_amount / bought.list_amount
            end as decimal(8, 4)
        ) as average_discount,
        case
            when bought.net_sales / bought.orders >= {{ var('offer_tier_1_min_aov') }}
                then 'tier_1'
            when bought.net_sales / bought.orders >= {{ var('offer_tier_2_min_aov') }}
                then 'tier_2'
            else 'tier_3'
        end as offer_tier
    from bought
    left join service_guides
        on bought.member_key = service_guides.member_key

)

select * from final
