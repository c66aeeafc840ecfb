{{ config(
    severity='warn',
    meta={'dagster': {'ref': {'name': 'int_commission_lines_priced'}}},
) }}
{#- Every credited order line finds the rule in force on its payment date in HQ's rate book
    (brand, channel, sale scope). A line without one earns no commission line: it is listed
    here, with its brand, channel and scope, so HQ can add the missing rule. -#}

with

credited_lines as (

    select * from {{ ref('int_order_lines_credited') }}
    where credited_guide_id is not null

),

priced_lines as (

    select * from {{ ref('int_commission_lines_priced') }}
    where line_kind = 'sale'

),

unpriced as (

    select
        credited_lines.order_line_key,
        credited_lines.brand_id,
        case when credited_lines.is_online then 'online' else 'offline' end as channel,
        credited_lines.is_cross_brand,
        credited_lines.paid_date
    from credited_lines
    left join priced_lines
        on credited_lines.order_line_key = priced_lines.order_line_key
    where priced_lines.order_line_key is null

)

select * from unpriced
