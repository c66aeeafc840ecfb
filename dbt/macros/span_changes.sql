{#- Counting people over days from merged spans [from, until): +1 on the day a span starts
    (spans begun before the window's first day count from that day), -1 on the day it ends
    (inside the window). A running sum of `change` per group over a complete calendar gives
    the people counted on each day. Renders a select over `spans` (cross joined with `bounds`,
    a one-row relation with first_day and last_day); `columns` are carried through. -#}
{% macro span_changes(spans, from_column, until_column, columns, bounds='bounds') -%}
    select
        case
            when {{ spans }}.{{ from_column }} < {{ bounds }}.first_day then {{ bounds }}.first_day
            else {{ spans }}.{{ from_column }}
        end as date_day,
        {%- for column in columns %}
        {{ spans }}.{{ column }},
        {%- endfor %}
        1 as change
    from {{ spans }}
    cross join {{ bounds }}
    where {{ spans }}.{{ from_column }} <= {{ bounds }}.last_day
    union all
    select
        {{ spans }}.{{ until_column }} as date_day,
        {%- for column in columns %}
        {{ spans }}.{{ column }},
        {%- endfor %}
        -1 as change
    from {{ spans }}
    cross join {{ bounds }}
    where
        {{ spans }}.{{ until_column }} <= {{ bounds }}.last_day
        and {{ spans }}.{{ until_column }} > {{ bounds }}.first_day
{%- endmacro %}
