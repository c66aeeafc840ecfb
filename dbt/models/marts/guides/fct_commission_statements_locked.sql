{#- Statements of closed months as they were when the month closed, written once and never
    rebuilt (kpis.md: a line never changes once locked). A month closes when the data passes
    its last day, the moment its lines are written to fct_commission_lines_locked. Every
    run recomputes the statements from the ledger and assert_locked_commission_statements_
    unchanged compares them with these: a source correction shows up as an adjustment line
    in the open month, never as a change to a closed one. -#}

{{
    config(
        materialized='incremental',
        unique_key=['guide_id', 'accrual_month'],
        full_refresh=false,
        on_schema_change='fail',
    )
}}

with

statements as (

    select * from {{ ref('fct_commission_statements') }}

),

data_through as (

    {{ commission_data_through() }}

),

closed as (

    select
        statements.guide_id,
        statements.accrual_month,
        statements.ledger_lines,
        statements.sales_commission,
        statements.clawback_commission,
        statements.commission,
        data_through.last_day as locked_as_of
    from statements
    cross join data_through
    where
        {{ dbt.last_day('statements.accrual_month', 'month') }} < data_through.last_day
    {% if is_incremental() %}
            and statements.accrual_month not in (select distinct accrual_month from {{ this }})
        {% endif %}

)

select * from closed
