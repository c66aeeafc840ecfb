{#- The commission ledger of record: every line of a closed month, written once when the
    month closes and never rewritten (kpis.md: a line never changes once locked; later
    corrections are new lines). Each run compares the lines today's data gives for the closed
    months (int_commission_lines_priced) with what is written here, per line and guide. Any
    difference (a source re-delivered an order with another amount, a line or refund arrived
    after its month closed, a line was withdrawn, a line went to another guide) is written as
    an adjustment line accrued in the open month, carrying the original line, order line,
    rule version and reason. Append-only and never fully refreshed. -#}

{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
        on_schema_change='fail',
    )
}}

with

priced_lines as (

    select * from {{ ref('int_commission_lines_priced') }}

),

data_through as (

    {{ commission_data_through() }}

),

{% if is_incremental() %}

written as (

    select * from {{ this }}

),

{% else %}

-- noqa: disable=LT02
written as (

    select
        priced_lines.*,
        cast(null as {{ dbt.type_string() }}) as adjusts_commission_line_id,
        cast(null as {{ dbt.type_string() }}) as adjustment_reason,
        cast(null as date) as posted_on
    from priced_lines
    where 1 = 0

),
-- noqa: enable=LT02

{% endif %}

months_closed_before as (

    select distinct accrual_month from written
    where adjusts_commission_line_id is null

),

-- Lines of months that close with this run: written as they are.
closing_lines as (

    select
        priced_lines.*,
        cast(null as {{ dbt.type_string() }}) as adjusts_commission_line_id,
        cast(null as {{ dbt.type_string() }}) as adjustment_reason,
        cast(
            {{ dbt.dateadd('day', 1, dbt.last_day('priced_lines.accrual_month', 'month')) }} as date
        ) as posted_on
    from priced_lines
    cross join data_through
    where
        {{ dbt.last_day('priced_lines.accrual_month', 'month') }} < data_through.last_day
        and priced_lines.accrual_month not in (select accrual_month from months_closed_before)

),

-- What is written for each line of a closed month and guide, adjustments included.
written_per_line as (

    select
        coalesce(adjusts_commission_line_id, commission_line_id) as original_line_id,
        guide_id,
        sum(case when adjusts_commission_line_id is null then 0 else 1 end) as adjustments,
        sum(base_amount) as base_amount,
        sum(commission_amount) as commission_amount
    from written
    group by coalesce(adjusts_commission_line_id, commission_line_id), guide_id

),

latest_written as (

    select
        written.*,
        row_number() over (
            partition by
                coalesce(written.adjusts_commission_line_id, written.commission_line_id),
                written.guide_id
            order by written.posted_on desc, written.commission_line_id desc
        ) as recency
    from written

),

-- What today's data gives for the lines of those months.
recomputed as (

    select * from priced_lines
    where accrual_month in (select accrual_month from months_closed_before)

),

differences as (

    select
        coalesce(recomputed.commission_line_id, written_per_line.original_line_id)
            as original_line_id,
        coalesce(recomputed.guide_id, written_per_line.guide_id) as guide_id,
        coalesce(written_per_line.adjustments, 0) + 1 as adjustment_number,
        coalesce(recomputed.base_amount, 0) - coalesce(written_per_line.base_amount, 0)
            as base_amount,
        coalesce(recomputed.commission_amount, 0) - coalesce(written_per_line.commission_amount, 0)
            as commission_amount,
        case
            when
                recomputed.commission_line_id is not null
                and written_per_line.original_line_id is not null
                then 'source_corrected'
            when
                coalesce(recomputed.commission_line_id, written_per_line.original_line_id)
                in (select written_lines.original_line_id from written_per_line as written_lines)
                and coalesce(recomputed.commission_line_id, written_per_line.original_line_id)
                in (select recomputed_lines.commission_line_id from recomputed as recomputed_lines)
                then 'credit_moved'
            when written_per_line.original_line_id is null then 'arrived_after_close'
            else 'withdrawn_by_source'
        end as adjustment_reason,
        recomputed.commission_line_id is not null as is_recomputed
    from recomputed
    full outer join written_per_line
        on
            recomputed.commission_line_id = written_per_line.original_line_id
            and recomputed.guide_id = written_per_line.guide_id

),

adjustment_lines as (

    select
        {{ dbt.concat([
            "'adjustment:'",
            dbt.cast("differences.adjustment_number", dbt.type_string()),
            "':'",
            dbt.cast("differences.guide_id", dbt.type_string()),
            "':'",
            "differences.original_line_id",
        ]) }} as commission_line_id,
        'adjustment' as line_kind,
        differences.guide_id,
        coalesce(recomputed.order_line_key, latest_written.order_line_key) as order_line_key,
        coalesce(recomputed.refund_id, latest_written.refund_id) as refund_id,
        coalesce(recomputed.brand_id, latest_written.brand_id) as brand_id,
        coalesce(recomputed.is_online, latest_written.is_online) as is_online,
        coalesce(recomputed.is_cross_brand, latest_written.is_cross_brand) as is_cross_brand,
        coalesce(recomputed.rule_id, latest_written.rule_id) as rule_id,
        coalesce(recomputed.rule_version, latest_written.rule_version) as rule_version,
        coalesce(recomputed.rate, latest_written.rate) as rate,
        data_through.last_day as accrual_date,
        cast({{ dbt.date_trunc('month', 'data_through.last_day') }} as date) as accrual_month,
        cast(differences.base_amount as decimal(18, 2)) as base_amount,
        cast(differences.commission_amount as decimal(18, 2)) as commission_amount,
        differences.original_line_id as adjusts_commission_line_id,
        differences.adjustment_reason,
        data_through.last_day as posted_on
    from differences
    cross join data_through
    left join recomputed
        on
            differences.is_recomputed
            and differences.original_line_id = recomputed.commission_line_id
            and differences.guide_id = recomputed.guide_id
    left join latest_written
        on
            differences.original_line_id
            = coalesce(latest_written.adjusts_commission_line_id, latest_written.commission_line_id)
            and differences.guide_id = latest_written.guide_id
            and latest_written.recency = 1
    where differences.commission_amount <> 0 or differences.base_amount <> 0

),

final as (

    select * from closing_lines
    union all
    select * from adjustment_lines

)

select * from final
