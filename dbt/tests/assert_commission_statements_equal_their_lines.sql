{{ config(meta={'dagster': {'ref': {'name': 'fct_commission_statements'}}}) }}
{#- Every statement equals the sum of its ledger lines to the cent, and every line is in one. -#}

with

statements as (

    select * from {{ ref('fct_commission_statements') }}

),

lines as (

    select
        guide_id,
        accrual_month,
        sum(commission_amount) as commission,
        count(*) as ledger_lines
    from {{ ref('fct_commission_lines') }}
    group by guide_id, accrual_month

)

select
    coalesce(statements.guide_id, lines.guide_id) as guide_id,
    coalesce(statements.accrual_month, lines.accrual_month) as accrual_month,
    statements.commission as statement_commission,
    lines.commission as lines_commission
from statements
full outer join lines
    on statements.guide_id = lines.guide_id and statements.accrual_month = lines.accrual_month
where
    statements.commission is null
    or lines.commission is null
    or statements.commission <> lines.commission
    or statements.ledger_lines <> lines.ledger_lines
