{#- Members per brand, last purchase date and RFM recency × frequency cell
    (fct_member_brand_summary, scored members only): what the Members dashboard's RFM grid
    reads, so its query adds up at most brands × lookback days × 25 rows, whatever the
    number of members. -#}

with

member_brands as (

    select * from {{ ref('fct_member_brand_summary') }}

),

cells as (

    select
        brand_id,
        brand_name,
        last_purchase_date,
        recency_score,
        frequency_score,
        count(*) as members
    from member_brands
    where recency_score is not null
    group by 1, 2, 3, 4, 5

)

select * from cells
