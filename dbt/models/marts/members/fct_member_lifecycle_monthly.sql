{#- Members per brand, month and lifecycle segment, with where they came from: for each
    month up to the as-of date, every member × brand related by the month's end (the as-of
    date for its own month) in its segment at that day, and the segment it held at the
    previous month's end ('none' when it first appears). Counts by segment are the sums over
    previous_segment; transitions such as active → sleeping or churned → active
    (reactivated) are the rows where the two differ. Each month end is judged by the brand's
    thresholds in force that day (a gap_percentiles brand's percentiles as of the as-of
    date), which each row carries. Pairs that never bought by the as-of date are prospects
    every month: they are counted from when they became related rather than expanded month
    by month.

    Incremental: a daily run rebuilds, per brand, the months from the look-back window's
    first month on, or from the first older month whose built rows no longer match their
    inputs: another count of related pairs or of buyers at the month's end (a late first
    purchase, members merged), or other thresholds (a rule version, or a gap_percentiles
    brand's percentiles moved). Rows are replaced by brand and month; the month before the
    first rebuilt one is judged again to give its previous segments. -#}

{{
    config(
        materialized='incremental',
        unique_key=['brand_id', 'month_start'],
        incremental_strategy=incremental_strategy(),
        partition_by=incremental_partition_by(['brand_id', 'month_start']),
        on_schema_change='fail',
    )
}}

{%- if is_incremental() -%}
    {%- set window_month = "cast(" ~ dbt.date_trunc(
        'month', incremental_window_start('month_start')
    ) ~ " as date)" -%}
{%- endif %}

with

related as (

    select * from {{ ref('int_member_brands_related') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_resolved') }}

),

thresholds as (

    select * from {{ ref('int_brand_lifecycle_thresholds') }}

),

brands as (

    select * from {{ ref('stg_master__brands') }}

),

related_starts as (

    -- Per brand and day: the pairs related from that day (one pass over all pairs).
    select
        brand_id,
        first_related_date,
        count(*) as pairs
    from related
    group by brand_id, first_related_date

),

bounds as (

    select
        cast({{ dbt.date_trunc('month', 'min(first_related_date)') }} as date) as first_month,
        {{ as_of_date() }} as last_day
    from related_starts

),

days as (

    {{ date_spine('(select first_month from bounds)', '(select last_day from bounds)') }}

),

period_ends as (

    -- Month ends, and the as-of date closing its own month.
    select
        cast({{ dbt.date_trunc('month', 'days.date_day') }} as date) as month_start,
        max(days.date_day) as period_end
    from days
    group by cast({{ dbt.date_trunc('month', 'days.date_day') }} as date)

),

judged_by as (

    -- The thresholds each brand's month end is judged by: the version in force that day.
    select
        period_ends.month_start,
        period_ends.period_end,
        thresholds.brand_id,
        thresholds.threshold_rule,
        thresholds.new_days,
        thresholds.active_days,
        thresholds.sleeping_days,
        thresholds.pre_churn_days
    from period_ends
    inner join thresholds
        on
            period_ends.period_end >= thresholds.valid_from
            and (thresholds.valid_to is null or period_ends.period_end < thresholds.valid_to)

),

purchase_days as (

    select distinct
        member_key,
        brand_id,
        paid_date
    from order_lines

),

purchase_spans as (

    -- Each purchase day is the last purchase until the next one.
    select
        member_key,
        brand_id,
        paid_date,
        lead(paid_date) over (partition by member_key, brand_id order by paid_date)
            as next_paid_date
    from purchase_days

),

buying_pairs as (

    select
        member_key,
        brand_id,
        min(paid_date) as first_paid_date
    from purchase_days
    group by member_key, brand_id

),

buyers_related as (

    select
        related.member_key,
        related.brand_id,
        related.first_related_date,
        buying_pairs.first_paid_date
    from related
    inner join buying_pairs
        on related.member_key = buying_pairs.member_key and related.brand_id = buying_pairs.brand_id

),

{% if is_incremental() -%}

pair_starts as (

    -- Per brand and day: the pairs related from that day, and the pairs counted as buyers
    -- from that day (related and bought).
    select
        brand_id,
        first_related_date as start_date,
        pairs,
        0 as buyers
    from related_starts

    union all

    select
        brand_id,
        case
            when first_paid_date > first_related_date then first_paid_date
            else first_related_date
        end as start_date,
        0 as pairs,
        count(*) as buyers
    from buyers_related
    group by
        brand_id,
        case
            when first_paid_date > first_related_date then first_paid_date
            else first_related_date
        end

),

month_counts as (

    -- Per brand and month: the related pairs and the buyers at the month's end.
    select
        period_ends.month_start,
        pair_starts.brand_id,
        sum(pair_starts.pairs) as pairs,
        sum(pair_starts.buyers) as buyers
    from period_ends
    inner join pair_starts
        on pair_starts.start_date <= period_ends.period_end
    group by period_ends.month_start, pair_starts.brand_id

),

current_months as (

    -- What each brand's month should hold now: its thresholds and its counts.
    select
        judged_by.*,
        month_counts.pairs,
        month_counts.buyers
    from judged_by
    inner join month_counts
        on
            judged_by.brand_id = month_counts.brand_id
            and judged_by.month_start = month_counts.month_start

),

built_months as (

    -- The same, as the built rows hold it.
    select
        month_start,
        brand_id,
        max(threshold_rule) as threshold_rule,
        max(new_days) as new_days,
        max(active_days) as active_days,
        max(sleeping_days) as sleeping_days,
        max(pre_churn_days) as pre_churn_days,
        sum(members) as pairs,
        sum(case when lifecycle_segment <> 'prospect' then members else 0 end) as buyers
    from {{ this }}
    group by month_start, brand_id

),

changed_months as (

    -- Per brand, the first month whose built rows no longer match their inputs.
    select
        coalesce(built.brand_id, current_rows.brand_id) as brand_id,
        min(coalesce(built.month_start, current_rows.month_start)) as first_month
    from built_months as built
    full outer join current_months as current_rows
        on built.brand_id = current_rows.brand_id and built.month_start = current_rows.month_start
    where
        built.brand_id is null
        or current_rows.brand_id is null
        or built.pairs <> current_rows.pairs
        or built.buyers <> current_rows.buyers
        or built.threshold_rule <> current_rows.threshold_rule
        or built.new_days <> current_rows.new_days
        or built.active_days <> current_rows.active_days
        or built.sleeping_days <> current_rows.sleeping_days
        or built.pre_churn_days <> current_rows.pre_churn_days
    group by coalesce(built.brand_id, current_rows.brand_id)

),

{% endif -%}

build_from as (

    -- Per brand, the first month to build: every month in a full build; in a daily run, the
    -- look-back window's first month, or the first older month that changed.
    select
        brands.brand_id,
        {% if is_incremental() -%}
            case
                when changed_months.first_month < {{ window_month }}
                    then changed_months.first_month
                else {{ window_month }}
            end
        {%- else -%}
            cast('1900-01-01' as date)
        {%- endif %} as first_month
    from brands
    {%- if is_incremental() %}
    left join changed_months
        on brands.brand_id = changed_months.brand_id
    {%- endif %}

),

never_bought_starts as (

    -- Per brand and day first related: the pairs that never bought (all related pairs less
    -- the buyers).
    select
        brand_id,
        first_related_date,
        pairs
    from related_starts

    union all

    select
        brand_id,
        first_related_date,
        -1 as pairs
    from buyers_related

),

prospects_new as (

    select
        cast({{ dbt.date_trunc('month', 'first_related_date') }} as date) as month_start,
        brand_id,
        sum(pairs) as pairs
    from never_bought_starts
    group by cast({{ dbt.date_trunc('month', 'first_related_date') }} as date), brand_id

),

prospect_months as (

    -- Per brand and month built: never-buyers first counted this month, and those counted
    -- before.
    select
        period_ends.month_start,
        prospects_new.brand_id,
        sum(
            case
                when prospects_new.month_start = period_ends.month_start then prospects_new.pairs
                else 0
            end
        ) as appearing,
        sum(
            case
                when prospects_new.month_start < period_ends.month_start then prospects_new.pairs
                else 0
            end
        ) as staying
    from period_ends
    inner join prospects_new
        on period_ends.month_start >= prospects_new.month_start
    inner join build_from
        on
            prospects_new.brand_id = build_from.brand_id
            and period_ends.month_start >= build_from.first_month
    group by period_ends.month_start, prospects_new.brand_id

),

months_to_judge as (

    -- Each brand's month ends to judge: the months built, and the month before the first of
    -- them (for their previous segments).
    select judged_by.*
    from judged_by
    inner join build_from
        on
            judged_by.brand_id = build_from.brand_id
            and judged_by.month_start >= {{ dbt.dateadd('month', -1, 'build_from.first_month') }}

),

member_months as (

    -- Each buying pair at each month end to judge since it became related, with its first
    -- purchase, its last purchase by then (none before the first: a prospect) and the brand's
    -- thresholds.
    select
        buyers_related.member_key,
        buyers_related.first_paid_date,
        months_to_judge.*,
        purchase_spans.paid_date as last_paid_date
    from buyers_related
    inner join months_to_judge
        on
            buyers_related.brand_id = months_to_judge.brand_id
            and buyers_related.first_related_date <= months_to_judge.period_end
    left join purchase_spans
        on
            buyers_related.member_key = purchase_spans.member_key
            and buyers_related.brand_id = purchase_spans.brand_id
            and months_to_judge.period_end >= purchase_spans.paid_date
            and (
                purchase_spans.next_paid_date is null
                or months_to_judge.period_end < purchase_spans.next_paid_date
            )

),

segmented as (

    select
        member_key,
        brand_id,
        month_start,
        {{ lifecycle_segment(
            dbt.datediff('first_paid_date', 'period_end', 'day'),
            dbt.datediff('last_paid_date', 'period_end', 'day'),
            'member_months'
        ) }} as lifecycle_segment
    from member_months

),

transitions as (

    select
        month_start,
        brand_id,
        lifecycle_segment,
        coalesce(
            lag(lifecycle_segment) over (
                partition by member_key, brand_id order by month_start
            ),
            'none'
        ) as previous_segment
    from segmented

),

buyer_moves as (

    select
        transitions.month_start,
        transitions.brand_id,
        transitions.lifecycle_segment,
        transitions.previous_segment,
        count(*) as members
    from transitions
    inner join build_from
        on
            transitions.brand_id = build_from.brand_id
            and transitions.month_start >= build_from.first_month
    group by
        transitions.month_start,
        transitions.brand_id,
        transitions.lifecycle_segment,
        transitions.previous_segment

),

prospect_moves as (

    select
        month_start,
        brand_id,
        'prospect' as lifecycle_segment,
        'none' as previous_segment,
        appearing as members
    from prospect_months
    where appearing > 0
    union all
    select
        month_start,
        brand_id,
        'prospect' as lifecycle_segment,
        'prospect' as previous_segment,
        staying as members
    from prospect_months
    where staying > 0

),

unioned as (

    select * from buyer_moves
    union all
    select * from prospect_moves

),

moves as (

    -- A move can come from both parts (buyers before their first purchase are prospects too).
    select
        month_start,
        brand_id,
        lifecycle_segment,
        previous_segment,
        sum(members) as members
    from unioned
    group by month_start, brand_id, lifecycle_segment, previous_segment

),

final as (

    select
        moves.month_start,
        moves.brand_id,
        brands.brand_name,
        moves.lifecycle_segment,
        moves.previous_segment,
        moves.members,
        judged_by.threshold_rule,
        judged_by.new_days,
        judged_by.active_days,
        judged_by.sleeping_days,
        judged_by.pre_churn_days
    from moves
    inner join brands
        on moves.brand_id = brands.brand_id
    inner join judged_by
        on moves.brand_id = judged_by.brand_id and moves.month_start = judged_by.month_start

)

select * from final
