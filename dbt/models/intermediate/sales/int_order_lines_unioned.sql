{#- Every paid order line of every channel in one shape: mall and live (online, the
    mini-program) and POS (offline). Orders cancelled before payment are left out, per the
    GMV definition in kpis.md. A POS line carries its membership card, and the mall account
    that card belongs to when it has one (member views resolve every line to its member
    through the identity graph: int_order_lines_resolved). -#}

with

mall_orders as (

    select * from {{ ref('stg_mall__orders') }}

),

mall_order_lines as (

    select * from {{ ref('stg_mall__order_lines') }}

),

live_orders as (

    select * from {{ ref('stg_live__live_orders') }}

),

live_sessions as (

    select * from {{ ref('stg_live__sessions') }}

),

pos_receipts as (

    select * from {{ ref('stg_pos__receipts') }}

),

pos_receipt_lines as (

    select * from {{ ref('stg_pos__receipt_lines') }}

),

stores as (

    select * from {{ ref('stg_master__stores') }}

),

card_accounts as (

    -- The mall account a membership card belongs to (the oldest, should two carry it).
    select
        card_no,
        min(member_id) as member_id
    from {{ ref('stg_mall__members') }}
    where card_no is not null
    group by card_no

),

mall_lines as (

    select
        {{ dbt.concat(["'mall:'", "mall_order_lines.order_line_id"]) }} as order_line_key,
        'mall' as channel,
        true as is_online,
        mall_orders.order_id as order_key,
        mall_orders.brand_id,
        cast(null as {{ dbt.type_bigint() }}) as store_id,
        mall_orders.share_guide_id as guide_id,
        mall_orders.community_group_id,
        mall_orders.member_id,
        cast(null as {{ dbt.type_string() }}) as member_card_no,
        mall_order_lines.sku_id,
        mall_order_lines.quantity,
        mall_order_lines.paid_amount,
        mall_orders.paid_at,
        mall_orders.paid_date
    from mall_order_lines
    inner join mall_orders
        on mall_order_lines.order_id = mall_orders.order_id
    where mall_orders.order_status = 'paid'

),

live_lines as (

    select
        {{ dbt.concat(["'live:'", "live_orders.live_order_id"]) }} as order_line_key,
        'live' as channel,
        true as is_online,
        live_orders.live_order_id as order_key,
        live_sessions.brand_id,
        cast(null as {{ dbt.type_bigint() }}) as store_id,
        cast(null as {{ dbt.type_bigint() }}) as guide_id,
        cast(null as {{ dbt.type_string() }}) as community_group_id,
        live_orders.member_id,
        cast(null as {{ dbt.type_string() }}) as member_card_no,
        live_orders.sku_id,
        live_orders.quantity,
        live_orders.paid_amount,
        live_orders.paid_at,
        live_orders.paid_date
    from live_orders
    inner join live_sessions
        on live_orders.session_id = live_sessions.session_id

),

pos_lines as (

    select
        {{ dbt.concat(["'pos:'", "pos_receipt_lines.receipt_line_id"]) }} as order_line_key,
        'pos' as channel,
        false as is_online,
        pos_receipts.receipt_id as order_key,
        stores.brand_id,
        pos_receipts.store_id,
        pos_receipts.guide_id,
        cast(null as {{ dbt.type_string() }}) as community_group_id,
        card_accounts.member_id,
        pos_receipts.member_card_no,
        pos_receipt_lines.sku_id,
        pos_receipt_lines.quantity,
        pos_receipt_lines.paid_amount,
        pos_receipts.sold_at as paid_at,
        pos_receipts.sold_date as paid_date
    from pos_receipt_lines
    inner join pos_receipts
        on pos_receipt_lines.receipt_id = pos_receipts.receipt_id
    inner join stores
        on pos_receipts.store_id = stores.store_id
    left join card_accounts
        on pos_receipts.member_card_no = card_accounts.card_no

),

unioned as (

    select * from mall_lines
    union all
    select * from live_lines
    union all
    select * from pos_lines

)

select * from unioned
