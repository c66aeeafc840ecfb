{#- The churn warning list (kpis.md): members still new or active whose probability alive
    from the BG/NBD model has fallen below var churn_warning_p_alive (0.3), with their
    service guide, home brand and what they are worth — to reach before they drift off. -#}

with

members as (

    select * from {{ ref('dim_members') }}
    where is_churn_warning

),

final as (

    select
        member_key,
        home_brand_id,
        service_guide_id,
        lifecycle_segment,
        last_purchase_date,
        p_alive,
        expected_purchases_next_horizon,
        lifetime_net_sales,
        case when orders > 0 then cast(lifetime_net_sales / orders as decimal(18, 2)) end
            as average_order_value,
        as_of_date
    from members

)

select * from final
