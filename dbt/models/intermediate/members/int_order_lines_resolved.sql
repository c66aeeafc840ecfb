{#- Every paid order line of a known mall account up to the as-of date (macro as_of_date),
    with the member it resolves to, refunds up to that date netted back to the line (member
    views net refunds back to the order, kpis.md), and its value at list price (for the
    average discount). -#}

with

order_lines as (

    select * from {{ ref('int_order_lines_unioned') }}
    where member_id is not null

),

accounts as (

    select * from {{ ref('int_member_accounts') }}

),

refunds as (

    select * from {{ ref('stg_mall__refunds') }}

),

products as (

    select * from {{ ref('stg_master__products') }}

),

refunded as (

    select
        {{ dbt.concat(["'mall:'", "order_line_id"]) }} as order_line_key,
        sum(refund_amount) as refund_amount
    from refunds
    where refunded_date <= {{ as_of_date() }}
    group by order_line_id

),

final as (

    select
        order_lines.order_line_key,
        accounts.member_key,
        order_lines.member_id,
        order_lines.channel,
        order_lines.is_online,
        order_lines.order_key,
        order_lines.brand_id,
        order_lines.store_id,
        order_lines.paid_at,
        order_lines.paid_date,
        order_lines.quantity,
        order_lines.paid_amount,
        cast(coalesce(refunded.refund_amount, 0) as decimal(18, 2)) as refund_amount,
        cast(order_lines.paid_amount - coalesce(refunded.refund_amount, 0) as decimal(18, 2))
            as net_amount,
        cast(products.list_price * order_lines.quantity as decimal(18, 2)) as list_amount
    from order_lines
    inner join accounts
        on order_lines.member_id = accounts.member_id
    left join refunded
        on order_lines.order_line_key = refunded.order_line_key
    left join products
        on order_lines.sku_id = products.sku_id
    where order_lines.paid_date <= {{ as_of_date() }}

)

select * from final
