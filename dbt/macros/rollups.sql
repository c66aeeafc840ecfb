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
