{#- Every commission line today's data gives, before anything is locked: one per credited
    order line (a sale, accrued on the payment date) and per refund of one (a clawback,
    accrued on the refund date at the rate of the original sale), each with the rule version
    and rate in force on the payment date, rounded to the cent per line. Months that have
    closed are not read from here but from fct_commission_lines_locked, which compares them
    with this model and turns any difference into an adjustment line. -#}

with

credited_lines as (

    select * from {{ ref('int_order_lines_credited') }}
    where credited_guide_id is not null

),

refunds as (

    select * from {{ ref('stg_mall__refunds') }}

),

rules as (

    select * from {{ ref('stg_rules__commission_rates') }}

),

priced as (

    select
        credited_lines.*,
        rules.rule_id,
        rules.rule_version,
        rules.rate
    from credited_lines
    inner join rules
        on
            credited_lines.brand_id = rules.brand_id
            and rules.channel = case when credited_lines.is_online then 'online' else 'offline' end
            and credited_lines.is_cross_brand = rules.is_cross_brand
            and credited_lines.paid_date >= rules.valid_from
            and (rules.valid_to is null or credited_lines.paid_date < rules.valid_to)

),

sales as (

    select
        {{ dbt.concat(["'sale:'", "order_line_key"]) }} as commission_line_id,
        'sale' as line_kind,
        credited_guide_id as guide_id,
        order_line_key,
        cast(null as {{ dbt.type_string() }}) as refund_id,
        brand_id,
        is_online,
        is_cross_brand,
        rule_id,
        rule_version,
        rate,
        paid_date as accrual_date,
        cast(paid_amount as decimal(18, 2)) as base_amount,
        cast(round(paid_amount * rate, 2) as decimal(18, 2)) as commission_amount
    from priced

),

clawbacks as (

    select
        {{ dbt.concat(["'clawback:'", "refunds.refund_id"]) }} as commission_line_id,
        'clawback' as line_kind,
        priced.credited_guide_id as guide_id,
        priced.order_line_key,
        refunds.refund_id,
        priced.brand_id,
        priced.is_online,
        priced.is_cross_brand,
        priced.rule_id,
        priced.rule_version,
        priced.rate,
        refunds.refunded_date as accrual_date,
        cast(-refunds.refund_amount as decimal(18, 2)) as base_amount,
        cast(-round(refunds.refund_amount * priced.rate, 2) as decimal(18, 2)) as commission_amount
    from refunds
    inner join priced
        on {{ dbt.concat(["'mall:'", "refunds.order_line_id"]) }} = priced.order_line_key

),

unioned as (

    select * from sales
    union all
    select * from clawbacks

),

with_month as (

    -- In the ledger's column order (fct_commission_lines_locked): the month after the date.
    select
        commission_line_id,
        line_kind,
        guide_id,
        order_line_key,
        refund_id,
        brand_id,
        is_online,
        is_cross_brand,
        rule_id,
        rule_version,
        rate,
        accrual_date,
        cast({{ dbt.date_trunc('month', 'accrual_date') }} as date) as accrual_month,
        base_amount,
        commission_amount
    from unioned

)

select * from with_month
