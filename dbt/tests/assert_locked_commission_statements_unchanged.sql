{{ config(meta={'dagster': {'ref': {'name': 'fct_commission_statements_locked'}}}) }}
{#- Reconciliation: a locked (paid) month recomputed from today's data must give the same
    statement to the cent. A row here means source data of a closed month changed: correct
    it with a new line in an open month, never by rewriting the paid one. -#}

with

locked as (

    select * from {{ ref('fct_commission_statements_locked') }}

),

recomputed as (

    select * from {{ ref('fct_commission_statements') }}
    where accrual_month in (select distinct accrual_month from locked)

)

select
    coalesce(locked.guide_id, recomputed.guide_id) as guide_id,
    coalesce(locked.accrual_month, recomputed.accrual_month) as accrual_month,
    locked.commission as locked_commission,
    recomputed.commission as recomputed_commission
from locked
full outer join recomputed
    on locked.guide_id = recomputed.guide_id and locked.accrual_month = recomputed.accrual_month
where
    locked.commission is null
    or recomputed.commission is null
    or locked.commission <> recomputed.commission
    or locked.ledger_lines <> recomputed.ledger_lines
