{#- Per guide and month: the commission statement, the exact sum of its ledger lines (sales,
    clawbacks, and adjustments of closed months accrued in this one), with its status (all lines of a month share one) and what is still pending: pending =
    commission − settled (kpis.md). -#}

with

commission_lines as (

    select * from {{ ref('fct_commission_lines') }}

),

final as (

    select
        guide_id,
        accrual_month,
        count(*) as ledger_lines,
        sum(case when line_kind = 'sale' then base_amount else 0 end) as sales_base,
        sum(case when line_kind = 'clawback' then base_amount else 0 end) as refunds_base,
        sum(case when line_kind = 'sale' then commission_amount else 0 end) as sales_commission,
        sum(case when line_kind = 'clawback' then commission_amount else 0 end)
            as clawback_commission,
        sum(case when line_kind = 'adjustment' then commission_amount else 0 end)
            as adjustment_commission,
        sum(commission_amount) as commission,
        sum(case when line_status = 'settled' then commission_amount else 0 end)
            as settled_commission,
        sum(case when line_status <> 'settled' then commission_amount else 0 end)
            as pending_commission,
        max(line_status) as statement_status
    from commission_lines
    group by guide_id, accrual_month

)

select * from final
