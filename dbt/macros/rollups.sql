{#- The levels guide figures roll up to, as (level, key expression) pairs over a relation with
    guide_id, store_id, region and brand_id: guide → store → region → brand → group. Used by
    every roll-up mart so they share one hierarchy. -#}
{% macro rollup_levels() -%}
    {{ return([
        ('guide', 'cast(guide_id as ' ~ dbt.type_string() ~ ')'),
        ('store', 'cast(store_id as ' ~ dbt.type_string() ~ ')'),
        ('region', 'region'),
        ('brand', 'cast(brand_id as ' ~ dbt.type_string() ~ ')'),
        ('group', "'group'"),
    ]) }}
{%- endmacro %}

{#- The rows of ``relation`` with the brand's name beside its brand_id, for the dashboards'
    brand filter (a model imports stg_master__brands as the CTE ``brands``). -#}
{% macro with_brand_name(relation) -%}
    select
        {{ relation }}.*,
        brands.brand_name
    from {{ relation }}
    left join brands
        on {{ relation }}.brand_id = brands.brand_id
{%- endmacro %}

{#- The values of `measure` in a group, sorted, joined by `delimiter_text`. dbt's
    listagg drops its order on Spark (collect_list keeps no order); sorting the array does. -#}
{% macro sorted_listagg(measure, delimiter_text) -%}
    {{ return(adapter.dispatch('sorted_listagg', 'siyu')(measure, delimiter_text)) }}
{%- endmacro %}

{% macro default__sorted_listagg(measure, delimiter_text) -%}
    {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ measure) }}
{%- endmacro %}

{% macro spark__sorted_listagg(measure, delimiter_text) -%}
    array_join(array_sort(collect_list({{ measure }})), {{ delimiter_text }})
{%- endmacro %}
