{#- The commission ledger as it stands, one row per line: the lines of closed months as they
    were written when the month closed, and the adjustment lines that carry every later
    change to them (fct_commission_lines_locked), then the lines of the months still open,
    recomputed every run (int_commission_lines_priced). Each line's status as of the data's
    last day: estimated while its month is open, locked once the month has closed, settled
    once the after-sales window (var commission_settlement_days) past the month's end has
    gone. -#}

{%- set settlement_days = var('commission_settlement_days') -%}

with

brands as (

    select * from {{ ref('stg_master__brands') }}

),

locked_lines as (

    select * from {{ ref('fct_commission_lines_locked') }}

),

priced_lines as (

    select * from {{ ref('int_commission_lines_priced') }}

),

data_through as (

    {{ commission_data_through() }}

),

open_lines as (

    select
        priced_lines.*,
        cast(null as {{ dbt.type_string() }}) as adjusts_commission_line_id,
        cast(null as {{ dbt.type_string() }}) as adjustment_reason,
        cast(null as date) as posted_on
    from priced_lines
    cross join data_through
    where {{ dbt.last_day('priced_lines.accrual_month', 'month') }} >= data_through.last_day

),

unioned as (

    select * from locked_lines
    union all
    select * from open_lines

),

final as (

    select
        unioned.*,
        cast(
            {{ dbt.dateadd('day', settlement_days, dbt.last_day('unioned.accrual_month', 'month')) }}  -- noqa: LT05
            as date
        ) as settles_on,
        case
            when data_through.last_day <= {{ dbt.last_day('unioned.accrual_month', 'month') }}
                then 'estimated'
            when
                data_through.last_day
                < {{ dbt.dateadd('day', settlement_days, dbt.last_day('unioned.accrual_month', 'month')) }}  -- noqa: LT05
                then 'locked'
            else 'settled'
        end as line_status,
        data_through.last_day as status_as_of
    from unioned
    cross join data_through

),

with_brand_name as (

    {{ with_brand_name('final') }}

)

select * from with_brand_name
