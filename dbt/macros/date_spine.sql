{#- One row per day from start_date to end_date (inclusive), up to 10,000 days, written with
    cross-database macros only: a calendar to join on equality. For one range per row, use
    days_between below. -#}
{% macro date_spine(start_date, end_date) -%}
    select
        cast({{ dbt.dateadd('day', 'numbers.n', start_date) }} as date) as date_day
    from (
        select
            ones.d + 10 * tens.d + 100 * hundreds.d + 1000 * thousands.d as n
        from {{ siyu.digits() }} as ones
        cross join {{ siyu.digits() }} as tens
        cross join {{ siyu.digits() }} as hundreds
        cross join {{ siyu.digits() }} as thousands
    ) as numbers
    where numbers.n <= {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}

{% macro digits() -%}
    (
        select 0 as d union all select 1 union all select 2 union all select 3
        union all select 4 union all select 5 union all select 6 union all select 7
        union all select 8 union all select 9
    )
{%- endmacro %}

{#- One row per day from `start_date` to `end_date` (inclusive) for each row of the relation
    it follows, as a join clause: `from spans {{ days_between('spans.a', 'spans.b', 'd') }}`
    gives `d.date_day`. A join of ranges to a calendar on `between` is a nested loop over
    every (range, day) pair; this makes each range's own days instead. Dispatched: PostgreSQL's
    generate_series, Spark's sequence. -#}
{% macro days_between(start_date, end_date, alias) -%}
    {{ return(adapter.dispatch('days_between', 'siyu')(start_date, end_date, alias)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date, alias) -%}
    lateral view explode(sequence({{ start_date }}, {{ end_date }}, interval 1 day)) {{ alias }} as date_day
{%- endmacro %}

{% macro postgres__days_between(start_date, end_date, alias) -%}
    cross join lateral (
        select cast(day_at as date) as date_day
        from generate_series(
            cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval '1 day'
        ) as day_at
    ) as {{ alias }}
{%- endmacro %}
