{#- The staging dedupe: of each natural key keep the row of the latest load (a re-delivered
    record replaces the earlier one; within one load, the later line of the file). Renders a
    select over the CTE named `relation`. -#}
{% macro latest_load(relation, partition_by, order_by='_loaded_at desc, _batch_id desc, _source_line desc') -%}
    select *
    from (
        select
            {{ relation }}.*,
            row_number() over (
                partition by {{ partition_by }}
                order by {{ order_by }}
            ) as load_rank
        from {{ relation }}
    ) as ranked
    -- "<= 1" rather than "= 1": the same rows, but PostgreSQL then estimates the filter
    -- sanely instead of expecting 0.5% of them (and nesting loops downstream).
    where load_rank <= 1
{%- endmacro %}
