{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_community_daily'}}}) }}
{#- Members counted from join / leave events equal WeCom's own end-of-day statistics on every
    day it reports. A warning, not an error: while a day's events are late the counts differ
    (the rows returned name the days), and they agree again once the day lands. -#}

select
    date_day,
    group_id,
    members,
    reported_members
from {{ ref('fct_community_daily') }}
where reported_members is not null and reported_members <> members
