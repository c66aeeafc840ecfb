{#- Cross-brand purchase over the trailing window (var cross_brand_window_days, ending on the
    as-of date), for the group and per brand (kpis.md): buyers, buyers of 2+ brands (group:
    2+ brand share = multi_brand_buyers / buyers; brand A: cross-purchase rate =
    multi_brand_buyers / buyers, the buyers of A who also bought another brand), and the same
    among repeat buyers (2+ purchase days in the window), the base of the published
    references (86% / 60%). -#}

{%- set window_days = var('cross_brand_window_days') -%}

with

order_lines as (

    select * from {{ ref('int_order_lines_resolved') }}
    where paid_date > {{ dbt.dateadd('day', -window_days, as_of_date()) }}

),

brands as (

    select * from {{ ref('stg_master__brands') }}

),

member_window as (

    select
        member_key,
        count(distinct brand_id) as brands_bought,
        count(distinct paid_date) as purchase_days
    from order_lines
    group by member_key

),

member_brands as (

    select distinct
        member_key,
        brand_id
    from order_lines

),

group_scope as (

    select
        'group' as scope,
        cast(null as {{ dbt.type_bigint() }}) as brand_id,
        count(*) as buyers,
        -- coalesce: an empty window still gives the group row, with zeros
        coalesce(sum(case when brands_bought >= 2 then 1 else 0 end), 0) as multi_brand_buyers,
        coalesce(sum(case when purchase_days >= 2 then 1 else 0 end), 0) as repeat_buyers,
        coalesce(
            sum(case when purchase_days >= 2 and brands_bought >= 2 then 1 else 0 end), 0
        ) as repeat_multi_brand_buyers
    from member_window

),

brand_scope as (

    select
        'brand' as scope,
        member_brands.brand_id,
        count(*) as buyers,
        sum(case when member_window.brands_bought >= 2 then 1 else 0 end) as multi_brand_buyers,
        sum(case when member_window.purchase_days >= 2 then 1 else 0 end) as repeat_buyers,
        sum(
            case
                when member_window.purchase_days >= 2 and member_window.brands_bought >= 2 then 1
                else 0
            end
        ) as repeat_multi_brand_buyers
    from member_brands
    inner join member_window
        on member_brands.member_key = member_window.member_key
    group by member_brands.brand_id

),

unioned as (

    select * from group_scope
    union all
    select * from brand_scope

),

final as (

    select
        unioned.*,
        -- the group row has no brand: it is named for dashboards all the same
        coalesce(brands.brand_name, 'Group') as brand_name,
        {{ as_of_date() }} as as_of_date,
        {{ window_days }} as window_days
    from unioned
    left join brands
        on unioned.brand_id = brands.brand_id

)

select * from final
