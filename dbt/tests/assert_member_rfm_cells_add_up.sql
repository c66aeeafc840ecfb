{{ config(meta={'dagster': {'ref': {'name': 'fct_member_rfm_cells'}}}) }}
{#- fct_member_rfm_cells counts every scored member × brand row of fct_member_brand_summary
    once, per brand. A row is a brand whose two sides differ. -#}

with

differences as (

    select
        brand_id,
        count(*) as lines,
        0 as amount,
        0 as credited
    from {{ ref('fct_member_brand_summary') }}
    where recency_score is not null
    group by brand_id

    union all

    select
        brand_id,
        -sum(members) as lines,
        0 as amount,
        0 as credited
    from {{ ref('fct_member_rfm_cells') }}
    group by brand_id

)

select
    brand_id,
    sum(lines) as lines_differing,
    sum(amount) as amount_differing,
    sum(credited) as credited_differing
from differences
group by brand_id
having sum(lines) <> 0 or sum(amount) <> 0 or sum(credited) <> 0
