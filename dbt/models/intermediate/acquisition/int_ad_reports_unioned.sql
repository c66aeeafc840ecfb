{#- Every ad platform's daily campaign report in one shape (each staging model has already
    renamed its platform's columns and units), with the platform and the campaign's brand
    from the group's campaign mapping. -#}

with

tencent_ads as (

    select * from {{ ref('stg_ads__tencent_ads_reports') }}

),

ocean_engine as (

    select * from {{ ref('stg_ads__ocean_engine_reports') }}

),

baidu_feed as (

    select * from {{ ref('stg_ads__baidu_feed_reports') }}

),

ad_campaigns as (

    select * from {{ ref('stg_master__ad_campaigns') }}

),

unioned as (

    {% for platform in ['tencent_ads', 'ocean_engine', 'baidu_feed'] %}
        select
            '{{ platform }}' as platform,
            campaign_id,
            campaign_name,
            report_date,
            impressions,
            clicks,
            follows,
            cast(spend as decimal(18, 2)) as spend
        from {{ platform }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        unioned.platform,
        unioned.campaign_id,
        unioned.campaign_name,
        ad_campaigns.brand_id,
        unioned.report_date,
        unioned.impressions,
        unioned.clicks,
        unioned.follows,
        unioned.spend
    from unioned
    left join ad_campaigns
        on
            unioned.platform = ad_campaigns.platform
            and unioned.campaign_id = ad_campaigns.campaign_id

)

select * from final
