{#- Spend, impressions, clicks and follows per platform × campaign × brand × day, in one shape
    for every ad platform. -#}

with

brands as (

    select * from {{ ref('stg_master__brands') }}

),

reports as (

    select * from {{ ref('int_ad_reports_unioned') }}

),

final as (

    select
        report_date as date_day,
        platform,
        campaign_id,
        campaign_name,
        brand_id,
        cast(spend as decimal(18, 2)) as spend,
        impressions,
        clicks,
        follows as reported_follows
    from reports

),

with_brand_name as (

    {{ with_brand_name('final') }}

)

select * from with_brand_name
