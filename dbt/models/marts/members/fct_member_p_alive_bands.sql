{#- Members per home brand, last purchase date and tenth of BG/NBD P(alive) (dim_members,
    members with a P(alive) only): what the Members dashboard's churn-risk chart reads, so
    its query adds up at most brands × days × 10 rows, whatever the number of members. -#}

with

members as (

    select * from {{ ref('dim_members') }}

),

bands as (

    select
        home_brand_id,
        brand_name,
        last_purchase_date,
        p_alive_band,
        count(*) as members
    from members
    where p_alive_band is not null
    group by 1, 2, 3, 4

)

select * from bands
