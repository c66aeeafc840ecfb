{#- Incremental facts: each run rebuilds the last var incremental_lookback_days days before
    the latest day already built, which covers the late data the sources send (an order in a
    later day's file, a conversion inside the attribution window); a full refresh
    (`siyu run --full-refresh`) rebuilds all history. -#}

{% macro incremental_strategy() -%}
    {{ return(adapter.dispatch('incremental_strategy', 'siyu')()) }}
{%- endmacro %}

{% macro default__incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{% macro postgres__incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro incremental_window_start(date_column) -%}
    (
        select
            cast(
                {{ dbt.dateadd('day', -1 * var('incremental_lookback_days'), 'max(' ~ date_column ~ ')') }}
                as date
            )
        from {{ this }}
    )
{%- endmacro %}
