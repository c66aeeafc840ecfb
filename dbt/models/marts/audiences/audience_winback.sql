{#- Members to win back, per brand: sleeping or pre-churn under the brand's thresholds as of
    the as-of date, with their service guide (who sends the coupon), historical AOV, average
    discount and the suggested offer tier. `siyu audience export audience_winback` writes it
    as CSV for the CRM. -#}

with

brand_summary as (

    select * from {{ ref('fct_member_brand_summary') }}
    where lifecycle_segment in ('sleeping', 'pre_churn')

),

profiles as (

    select * from {{ ref('int_member_offer_profiles') }}

),

final as (

    select
        brand_summary.member_key,
        brand_summary.brand_id,
        brand_summary.lifecycle_segment,
        brand_summary.last_purchase_date,
        brand_summary.days_since_last_purchase,
        profiles.service_guide_id,
        profiles.average_order_value,
        profiles.average_discount,
        profiles.offer_tier,
        brand_summary.as_of_date
    from brand_summary
    inner join profiles
        on
            brand_summary.member_key = profiles.member_key
            and brand_summary.brand_id = profiles.brand_id

)

select * from final
