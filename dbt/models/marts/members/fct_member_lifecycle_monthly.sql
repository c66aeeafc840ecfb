{#- Members per brand, month and lifecycle segment, with where they came from: for each
    month up to the as-of date, every member × brand related by the month's end (the as-of
    date for its own month) in its segment at that day, and the segment it held at the
    previous month's end ('none' when it first appears). Counts by segment are the sums over
    previous_segment; transitions such as active → sleeping or churned → active
    (reactivated) are the rows where the two differ. Thresholds are the brand's as of the
    as-of date. Pairs that never bought by the as-of date are prospects every month: they are
    counted from when they became related rather than expanded month by month. -#}

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

bounds as (

    select
        cast({{ dbt.date_trunc('month', 'min(first_related_date)') }} as date) as first_month,
        {{ as_of_date() }} as last_day
    from related

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
            as next_paid_date,
        min(paid_date) over (partition by member_key, brand_id) as first_paid_date
    from purchase_days

),

buying_pairs as (

    select distinct
        member_key,
        brand_id
    from purchase_days

),

never_bought as (

    select related.*
    from related
    left join buying_pairs
        on related.member_key = buying_pairs.member_key and related.brand_id = buying_pairs.brand_id
    where buying_pairs.member_key is null

),

prospects_new as (

    select
        cast({{ dbt.date_trunc('month', 'first_related_date') }} as date) as month_start,
        brand_id,
        count(*) as pairs
    from never_bought
    group by cast({{ dbt.date_trunc('month', 'first_related_date') }} as date), brand_id

),

prospect_months as (

    -- Per brand and month: never-buyers first counted this month, and those counted before.
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
    group by period_ends.month_start, prospects_new.brand_id

),

member_months as (

    select
        related.member_key,
        related.brand_id,
        period_ends.month_start,
        period_ends.period_end,
        purchase_spans.first_paid_date,
        purchase_spans.paid_date as last_paid_date
    from related
    inner join buying_pairs
        on related.member_key = buying_pairs.member_key and related.brand_id = buying_pairs.brand_id
    inner join period_ends
        on related.first_related_date <= period_ends.period_end
    left join purchase_spans
        on
            related.member_key = purchase_spans.member_key
            and related.brand_id = purchase_spans.brand_id
            and period_ends.period_end >= purchase_spans.paid_date
            and (
                purchase_spans.next_paid_date is null
                or period_ends.period_end < purchase_spans.next_paid_date
            )

),

segmented as (

    select
        member_months.member_key,
        member_months.brand_id,
        member_months.month_start,
        {{ lifecycle_segment(
            dbt.datediff('member_months.first_paid_date', 'member_months.period_end', 'day'),
            dbt.datediff('member_months.last_paid_date', 'member_months.period_end', 'day'),
            'thresholds'
        ) }} as lifecycle_segment
    from member_months
    -- the brand's thresholds in force on the month's last day (HQ's rule book)
    inner join thresholds
        on
            member_months.brand_id = thresholds.brand_id
            and member_months.period_end >= thresholds.valid_from
            and (thresholds.valid_to is null or member_months.period_end < thresholds.valid_to)

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
        month_start,
        brand_id,
        lifecycle_segment,
        previous_segment,
        count(*) as members
    from transitions
    group by month_start, brand_id, lifecycle_segment, previous_segment

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
        moves.members
    from moves
    inner join brands
        on moves.brand_id = brands.brand_id

)

select * from final
