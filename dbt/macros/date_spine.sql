{#- One row per day from start_date to end_date (inclusive), up to 10,000 days, written with
    cross-database macros only (no generate_series). -#}
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
