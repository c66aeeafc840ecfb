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

    select
        report_date as date_day,
        {{ dbt.concat(["'ad:'", "platform"]) }} as acquisition_channel,
        sum(spend) as spend
    from {{ ref('stg_ads__campaign_daily_reports') }}
    group by report_date, platform

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
