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

{#- Spark's Parquet tables (no Delta or Iceberg here) cannot delete rows: a run overwrites the
    partitions its rows fall in (partition_by below), which holds the same rows as PostgreSQL's
    delete+insert on the model's unique key when a rebuilt key is a whole partition. -#}
{% macro spark__incremental_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}

{#- Databricks tables are Delta: rows are merged on the unique key. -#}
{% macro databricks__incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{#- The partitions an incremental fact's rows are replaced by on Spark: the columns its unique
    key rebuilds whole (a day, a task, a brand's month). None elsewhere. -#}
{% macro incremental_partition_by(columns) -%}
    {{ return(adapter.dispatch('incremental_partition_by', 'siyu')(columns)) }}
{%- endmacro %}

{% macro default__incremental_partition_by(columns) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__incremental_partition_by(columns) -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro databricks__incremental_partition_by(columns) -%}
    {{ return(none) }}
{%- endmacro %}

{#- A fact whose rebuilt rows are single keys scattered over all history (an acquisition ended
    by a new loss) is incremental where rows can be replaced by key, and a table rebuilt each
    run on Spark's Parquet, where they cannot. -#}
{% macro keyed_incremental() -%}
    {{ return(adapter.dispatch('keyed_incremental', 'siyu')()) }}
{%- endmacro %}

{% macro default__keyed_incremental() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__keyed_incremental() -%}
    {{ return('table') }}
{%- endmacro %}

{% macro databricks__keyed_incremental() -%}
    {{ return('incremental') }}
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

{#- The earliest day on which a built row of an incremental fact no longer matches what its
    input gives now: a source corrected, or delivered late, something older than the look-back
    window. Run once at compile time (one aggregate over the input), so the model rebuilds
    from that day on; '9999-12-31' when nothing before the window changed. `built` and
    `current` are SQL selects of (key, date_day, measure). -#}
{% macro earliest_changed_day(built, current) -%}
    {%- if not execute -%}{{ return("cast('9999-12-31' as date)") }}{%- endif -%}
    {%- set query -%}
        select min(coalesce(built.date_day, current_rows.date_day))
        from ({{ built }}) as built
        full outer join ({{ current }}) as current_rows
            on built.row_key = current_rows.row_key and built.date_day = current_rows.date_day
        where coalesce(built.measure, 0) <> coalesce(current_rows.measure, 0)
    {%- endset -%}
    {%- set day = run_query(query).columns[0].values()[0] -%}
    {{ return("cast('" ~ (day or '9999-12-31') ~ "' as date)") }}
{%- endmacro %}

{#- The data's last day for the commission ledger: the newest payment date of any credited
    order line. A month has closed once this day is past its end. One query, used by every
    ledger model, so they all agree on what has closed. -#}
{% macro commission_data_through() -%}
    select max(paid_date) as last_day from {{ ref('int_order_lines_credited') }}
{%- endmacro %}
