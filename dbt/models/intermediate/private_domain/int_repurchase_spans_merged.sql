{#- The days on which each member (a person, after identity resolution: every channel, every
    account and card of theirs) counts as a buyer, and as a repeat buyer, of a brand over the
    trailing repurchase window W (var repurchase_window_days, kpis.md "repurchase rate"), as
    merged spans [counts_from, counts_until) of business days. With a member's distinct
    purchase days p1 < p2 < ... of the brand, the member is a buyer in the window ending d
    when some p <= d < p + W, and a repeat buyer when two consecutive days satisfy
    p(i) <= d < p(i-1) + W. Starts and ends both grow with i, so a span opens an island
    whenever it begins after the previous span's end (touching spans merge). -#}

{%- set window_days = var('repurchase_window_days') -%}

with

order_lines as (

    select * from {{ ref('int_order_lines_resolved') }}

),

purchase_days as (

    select distinct
        member_key,
        brand_id,
        paid_date
    from order_lines

),

sequenced as (

    select
        member_key,
        brand_id,
        paid_date,
        lag(paid_date) over (partition by member_key, brand_id order by paid_date)
            as previous_paid_date
    from purchase_days

),

spans as (

    select
        'buyer' as span_kind,
        member_key,
        brand_id,
        paid_date as span_from,
        {{ dbt.dateadd('day', window_days, 'paid_date') }} as span_until
    from sequenced
    union all
    select
        'repeat_buyer' as span_kind,
        member_key,
        brand_id,
        paid_date as span_from,
        {{ dbt.dateadd('day', window_days, 'previous_paid_date') }} as span_until
    from sequenced
    where
        previous_paid_date is not null
        and {{ dbt.datediff('previous_paid_date', 'paid_date', 'day') }} < {{ window_days }}  -- noqa: LT05

),

islands as (

    select
        spans.*,
        sum(case when span_from <= previous_until then 0 else 1 end) over (
            partition by span_kind, member_key, brand_id
            order by span_from, span_until
            rows between unbounded preceding and current row
        ) as island_number
    from (
        select
            spans.*,
            lag(span_until) over (
                partition by span_kind, member_key, brand_id order by span_from, span_until
            ) as previous_until
        from spans
    ) as spans

),

merged as (

    select
        span_kind,
        member_key,
        brand_id,
        min(span_from) as counts_from,
        cast(max(span_until) as date) as counts_until
    from islands
    group by span_kind, member_key, brand_id, island_number

)

select * from merged
