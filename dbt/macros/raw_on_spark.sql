{#- On Spark the raw layer is the Parquet the loader writes under SIYU_SPARK_DIR/lake
    (<schema>/<table>/, one file per loaded batch). Before a run, each declared source is
    registered in Spark's catalog as a table over its folder, and refreshed so that batches
    written since the last run are read. PostgreSQL's raw tables need nothing. -#}
{% macro register_sources() -%}
    {{ return(adapter.dispatch('register_sources', 'siyu')()) }}
{%- endmacro %}

{% macro default__register_sources() -%}
    select 1
{%- endmacro %}

{% macro spark__register_sources() -%}
    {%- if execute -%}
        {%- set lake = env_var('SIYU_SPARK_DIR', '../.data/spark') ~ '/lake' -%}
        {%- set schemas = [] -%}
        {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
            {%- if source.schema not in schemas -%}
                {%- do adapter.execute('create database if not exists ' ~ source.schema) -%}
                {%- do schemas.append(source.schema) -%}
            {%- endif -%}
            {%- set relation = source.schema ~ '.' ~ source.identifier -%}
            {%- do adapter.execute(
                'create table if not exists ' ~ relation ~ ' using parquet location '
                ~ "'" ~ lake ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'"
            ) -%}
            {%- do adapter.execute('refresh table ' ~ relation) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
