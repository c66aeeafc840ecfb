{#- Brand A × brand B over the trailing window (var cross_brand_window_days, default 365,
    ending on the as-of date): buyers of A, and buyers of both A and B. Affinity A→B =
    buyers_of_both / buyers_of_a (kpis.md), computed from the sums. -#}

{%- set window_days = var('cross_brand_window_days') -%}

with

order_lines as (

    select * from {{ ref('int_order_lines_resolved') }}

),

brands as (

    select * from {{ ref('stg_master__brands') }}

),

window_buyers as (

    select distinct
        member_key,
        brand_id
    from order_lines
    where paid_date > {{ dbt.dateadd('day', -window_days, as_of_date()) }}

),

brand_buyers as (

    select
        brand_id,
        count(*) as buyers
    from window_buyers
    group by brand_id

),

both_brands as (

    select
        brand_a.brand_id as brand_a_id,
        brand_b.brand_id as brand_b_id,
        count(*) as buyers_of_both
    from window_buyers as brand_a
    inner join window_buyers as brand_b
        on brand_a.member_key = brand_b.member_key and brand_a.brand_id <> brand_b.brand_id
    group by brand_a.brand_id, brand_b.brand_id

),

brand_pairs as (

    select
        brand_a.brand_id as brand_a_id,
        brand_b.brand_id as brand_b_id,
        brand_a.buyers as buyers_of_a
    from brand_buyers as brand_a
    cross join brand_buyers as brand_b
    where brand_a.brand_id <> brand_b.brand_id

),

final as (

    select
        brand_pairs.brand_a_id,
        brand_pairs.brand_b_id,
        brand_pairs.buyers_of_a,
        coalesce(both_brands.buyers_of_both, 0) as buyers_of_both,
        {{ as_of_date() }} as as_of_date,
        {{ window_days }} as window_days
    from brand_pairs
    left join both_brands
        on
            brand_pairs.brand_a_id = both_brands.brand_a_id
            and brand_pairs.brand_b_id = both_brands.brand_b_id

),

named as (

    -- Brand names for the heatmap's axes; brand_name is brand A's, the one the dashboards'
    -- brand filter and a brand user's rows go by.
    select
        final.*,
        brand_a.brand_name,
        brand_b.brand_name as other_brand_name
    from final
    left join brands as brand_a
        on final.brand_a_id = brand_a.brand_id
    left join brands as brand_b
        on final.brand_b_id = brand_b.brand_id

)

select * from named
