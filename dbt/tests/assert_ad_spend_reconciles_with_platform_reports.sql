{{ config(meta={'dagster': {'ref': {'name': 'fct_acquisition_cohorts'}}}) }}
{#- Per day and platform, the spend in the cohorts equals the platforms' own reports. -#}

with

cohorts as (

    select
        acquisition_date as date_day,
        acquisition_channel,
        sum(spend) as spend
    from {{ ref('fct_acquisition_cohorts') }}
    where acquisition_channel like 'ad:%'
    group by acquisition_date, acquisition_channel

),

reports as (

    -- Straight from each platform's own staged report, not from the union.
    {% for platform in ['tencent_ads', 'ocean_engine', 'baidu_feed'] %}
        select
            report_date as date_day,
            'ad:{{ platform }}' as acquisition_channel,
            sum(spend) as spend
        from {{ ref('stg_ads__' ~ platform ~ '_reports') }}
        group by report_date
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    coalesce(cohorts.date_day, reports.date_day) as date_day,
    coalesce(cohorts.acquisition_channel, reports.acquisition_channel) as acquisition_channel,
    cohorts.spend as cohort_spend,
    reports.spend as reported_spend
from cohorts
full outer join reports
    on
        cohorts.date_day = reports.date_day
        and cohorts.acquisition_channel = reports.acquisition_channel
where coalesce(cohorts.spend, -1) <> coalesce(reports.spend, -1)
