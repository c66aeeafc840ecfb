{#- The staging dedupe: of each natural key keep the row of the latest load (a re-delivered
    record replaces the earlier one; within one load, the later line of the file). Renders a
    select over `relation`, the raw table (a source()); the columns of `order_by` must be
    non-null, and together with `partition_by` name one row. -#}
{% macro latest_load(relation, partition_by, order_by='_loaded_at desc, _batch_id desc, _source_line desc') -%}
    {{ return(adapter.dispatch('latest_load', 'siyu')(relation, partition_by, order_by)) }}
{%- endmacro %}

{#- Everywhere: rank each key's rows and keep the first. -#}
{% macro default__latest_load(relation, partition_by, order_by) -%}
    select *
    from (
        select
            loaded.*,
            row_number() over (
                partition by {{ partition_by }}
                order by {{ order_by }}
            ) as load_rank
        from {{ relation }} as loaded
    ) as ranked
    where load_rank <= 1
{%- endmacro %}

{#- PostgreSQL: keep each row that no newer row of its key replaces. The same rows as the
    ranking, but PostgreSQL pushes a reader's filter (a test's `where x is null`, an
    incremental model's look-back window) into the scan, so it checks only those rows against
    their key's others, where a window function has to sort the whole table first. -#}
{% macro postgres__latest_load(relation, partition_by, order_by) -%}
    {%- set keys = partition_by.split(',') | map('trim') | list -%}
    {%- set ordering = [] -%}
    {%- set directions = [] -%}
    {%- for item in order_by.split(',') -%}
        {%- set words = item.split() -%}
        {%- do ordering.append(words[0]) -%}
        {%- do directions.append((words[1] if words | length > 1 else 'asc') | lower) -%}
    {%- endfor -%}
    {%- if directions | unique | list | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            "latest_load: order_by '" ~ order_by ~ "' mixes asc and desc; give every column one direction"
        ) }}
    {%- endif -%}
    select loaded.*
    from {{ relation }} as loaded
    where not exists (
        select 1
        from {{ relation }} as newer
        where
            {% for key in keys -%}
            newer.{{ key }} = loaded.{{ key }}
            and {% endfor -%}
            (newer.{{ ordering | join(', newer.') }})
            {{ '>' if directions[0] == 'desc' else '<' }} (loaded.{{ ordering | join(', loaded.') }})
    )
{%- endmacro %}
