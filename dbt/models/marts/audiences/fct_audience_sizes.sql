{#- How many members each activation audience holds, per brand, lifecycle segment and offer
    tier, as of the as-of date: the row counts of the lists `siyu audience export` writes, so
    a CRM owner sees how big a campaign will be before exporting it. The churn-warning list is
    counted under the member's home brand and has no offer tier. -#}

with

winback as (

    select * from {{ ref('audience_winback') }}

),

churn_warning as (

    select * from {{ ref('audience_churn_warning') }}

),

unioned as (

    select
        'audience_winback' as audience,
        brand_id,
        lifecycle_segment,
        offer_tier,
        as_of_date
    from winback
    union all
    select
        'audience_churn_warning' as audience,
        home_brand_id as brand_id,
        lifecycle_segment,
        'none' as offer_tier,
        as_of_date
    from churn_warning

),

sized as (

    select
        audience,
        brand_id,
        lifecycle_segment,
        offer_tier,
        as_of_date,
        count(*) as members
    from unioned
    group by audience, brand_id, lifecycle_segment, offer_tier, as_of_date

)

select * from sized
