{#- The commission ledger (fct_commission_lines) summed per brand, accrual date, line status
    and sales channel: what the Guides dashboard's commission and credited-sales charts read,
    so their queries add up at most brands × days × 3 × 3 rows, whatever the number of
    members and lines. -#}

with

commission_lines as (

    select * from {{ ref('fct_commission_lines') }}

),

summed as (

    select
        brand_id,
        brand_name,
        accrual_date,
        accrual_month,
        line_status,
        case
            when is_cross_brand then 'cross-brand'
            when is_online then 'online'
            else 'offline'
        end as sales_channel,
        count(*) as commission_lines,
        sum(commission_amount) as commission_amount,
        sum(case when line_kind = 'sale' then base_amount else 0 end) as credited_sales
    from commission_lines
    group by 1, 2, 3, 4, 5, 6

)

select * from summed
