{#- Every paid order line that carries a member identifier, whatever the channel, up to the
    as-of date (macro as_of_date), with the member it resolves to through the identity graph:
    a mall or live line by its mall account, a POS line by its membership card (a store-only
    member with no mall account is a member, and a buyer, like any other); refunds up to that
    date netted back to the line (member views net refunds back to the order, kpis.md), and
    its value at list price (for the average discount). -#}

with

order_lines as (

    select * from {{ ref('int_order_lines_unioned') }}
    where member_id is not null or member_card_no is not null

),

-- the identities imported once per join: PostgreSQL materialises a CTE read twice (a copy of
-- every identifier) and inlines one read once
card_identities as (

    select * from {{ ref('int_member_identities') }}

),

account_identities as (

    select * from {{ ref('int_member_identities') }}

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

identified as (

    -- The identifier each line carries, as the identity graph names it.
    select
        order_lines.*,
        case
            when order_lines.member_card_no is not null
                then {{ dbt.concat(["'card_no:'", "order_lines.member_card_no"]) }}
        end as card_identifier_key,
        case
            when order_lines.member_id is not null
                then {{ dbt.concat([
                    "'mall_account:'",
                    "cast(order_lines.member_id as " ~ dbt.type_string() ~ ")",
                ]) }}
        end as account_identifier_key
    from order_lines

),

final as (

    select
        identified.order_line_key,
        coalesce(by_card.member_key, by_account.member_key) as member_key,
        identified.member_id,
        identified.member_card_no,
        identified.channel,
        identified.is_online,
        identified.order_key,
        identified.brand_id,
        identified.store_id,
        identified.paid_at,
        identified.paid_date,
        identified.quantity,
        identified.paid_amount,
        cast(coalesce(refunded.refund_amount, 0) as decimal(18, 2)) as refund_amount,
        cast(identified.paid_amount - coalesce(refunded.refund_amount, 0) as decimal(18, 2))
            as net_amount,
        cast(products.list_price * identified.quantity as decimal(18, 2)) as list_amount
    from identified
    left join card_identities as by_card
        on identified.card_identifier_key = by_card.identifier_key
    left join account_identities as by_account
        on identified.account_identifier_key = by_account.identifier_key
    left join refunded
        on identified.order_line_key = refunded.order_line_key
    left join products
        on identified.sku_id = products.sku_id
    where
        identified.paid_date <= {{ as_of_date() }}
        and coalesce(by_card.member_key, by_account.member_key) is not null

)

select * from final
