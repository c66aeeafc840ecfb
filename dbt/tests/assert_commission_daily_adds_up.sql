{{ config(meta={'dagster': {'ref': {'name': 'fct_commission_daily'}}}) }}
{#- fct_commission_daily adds up exactly to the ledger it sums, per brand: lines, commission and
    credited sales. A row is a brand whose two sides differ. -#}

with

differences as (

    select
        brand_id,
        count(*) as lines,
        sum(commission_amount) as amount,
        sum(case when line_kind = 'sale' then base_amount else 0 end) as credited
    from {{ ref('fct_commission_lines') }}
    group by brand_id

    union all

    select
        brand_id,
        -sum(commission_lines) as lines,
        -sum(commission_amount) as amount,
        -sum(credited_sales) as credited
    from {{ ref('fct_commission_daily') }}
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
