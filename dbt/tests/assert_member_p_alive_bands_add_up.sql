{{ config(meta={'dagster': {'ref': {'name': 'fct_member_p_alive_bands'}}}) }}
{#- fct_member_p_alive_bands counts every member of dim_members with a P(alive) once, per home
    brand. A row is a brand whose two sides differ. -#}

with

differences as (

    select
        home_brand_id as brand_id,
        count(*) as lines,
        0 as amount,
        0 as credited
    from {{ ref('dim_members') }}
    where p_alive_band is not null
    group by home_brand_id

    union all

    select
        home_brand_id as brand_id,
        -sum(members) as lines,
        0 as amount,
        0 as credited
    from {{ ref('fct_member_p_alive_bands') }}
    group by home_brand_id

)

select
    brand_id,
    sum(lines) as lines_differing,
    sum(amount) as amount_differing,
    sum(credited) as credited_differing
from differences
group by brand_id
having sum(lines) <> 0 or sum(amount) <> 0 or sum(credited) <> 0
