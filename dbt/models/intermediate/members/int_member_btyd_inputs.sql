{#- Per member who has bought by the as-of date, the standard BTYD inputs (kpis.md, in days):
    frequency = repeat purchase days after the first, recency = days from the first to the last
    purchase, T = days from the first purchase to the as-of date. First purchases are always
    taken over the full history. The BG/NBD asset fits on these. -#}

with

order_lines as (

    select * from {{ ref('int_order_lines_resolved') }}

),

purchase_days as (

    select
        member_key,
        count(distinct paid_date) as purchase_days,
        min(paid_date) as first_purchase_date,
        max(paid_date) as last_purchase_date,
        sum(net_amount) as net_sales
    from order_lines
    group by member_key

),

final as (

    select
        member_key,
        purchase_days - 1 as frequency,
        {{ dbt.datediff('first_purchase_date', 'last_purchase_date', 'day') }} as recency,  -- noqa: LT05
        {{ dbt.datediff('first_purchase_date', as_of_date(), 'day') }} as t,  -- noqa: LT05
        cast(net_sales / purchase_days as decimal(18, 2)) as average_purchase_day_value,
        {{ as_of_date() }} as as_of_date
    from purchase_days

)

select * from final
