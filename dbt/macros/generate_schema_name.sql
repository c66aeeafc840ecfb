{#- Layers land in schemas named for the layer (staging, intermediate, marts), not prefixed
    with the target schema: analysts and Superset read `marts.fct_...`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
