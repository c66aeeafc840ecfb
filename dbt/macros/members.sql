{#- The day member models are computed as of: var as_of_date (YYYY-MM-DD), else today. -#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', '') | string | trim -%}
    {%- if value and value != 'None' -%}
        {%- if not modules.re.match('^\d{4}-\d{2}-\d{2}$', value) -%}
            {{ exceptions.raise_compiler_error(
                "var as_of_date must be a date as YYYY-MM-DD (or empty for today), got '" ~ value ~ "'"
            ) }}
        {%- endif -%}
        cast('{{ value }}' as date)
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as date)
    {%- endif -%}
{%- endmacro %}

{#- The start of the RFM lookback: orders paid after this day count (var rfm_lookback_days
    before the as-of date). -#}
{% macro rfm_lookback_start() -%}
    {{ dbt.dateadd('day', -var('rfm_lookback_days'), as_of_date()) }}
{%- endmacro %}

{#- The RFM lookback's purchase days and net sales, as two aggregate columns over order lines
    (both null when nothing was paid in the lookback). -#}
{% macro rfm_lookback_measures() -%}
    nullif(
        count(distinct case when paid_date > {{ rfm_lookback_start() }} then paid_date end), 0
    ) as lookback_purchase_days,
    sum(case when paid_date > {{ rfm_lookback_start() }} then net_amount end)
        as lookback_net_sales
{%- endmacro %}

{#- kpis.md lifecycle segment from days since the first and the last purchase (null: never
    bought) and the thresholds in force: new while the first purchase is fewer than new_days
    ago; then active / sleeping / pre-churn while the last purchase is at most that many days
    ago; churned beyond. -#}
{% macro lifecycle_segment(days_since_first, days_since_last, thresholds) -%}
    case
        when {{ days_since_last }} is null then 'prospect'
        when {{ days_since_first }} < {{ thresholds }}.new_days then 'new'
        when {{ days_since_last }} <= {{ thresholds }}.active_days then 'active'
        when {{ days_since_last }} <= {{ thresholds }}.sleeping_days then 'sleeping'
        when {{ days_since_last }} <= {{ thresholds }}.pre_churn_days then 'pre_churn'
        else 'churned'
    end
{%- endmacro %}

{#- A continuous percentile (the warehouse's own where it has one). -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'siyu')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__percentile_cont(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}
