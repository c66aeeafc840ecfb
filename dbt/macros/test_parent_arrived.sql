{#- Late data waits, it does not block: rows whose parent (an order, a receipt, a member, a
    store...) has not arrived yet, one row per file they came in with how many wait and one of
    the keys they wait for. Staging uses it with severity warn: the rows stay in staging, the
    intermediate models join them once the parent lands, and every other brand's and day's
    marts still build. Failures are stored (dbt_test__audit), naming the files. -#}
{% test parent_arrived(model, column_name, to, field) %}

select
    child.source_file as waiting_in_file,
    count(*) as rows_waiting,
    min(cast(child.{{ column_name }} as {{ dbt.type_string() }})) as example_missing_parent
from {{ model }} as child
left join {{ to }} as parent
    on child.{{ column_name }} = parent.{{ field }}
where child.{{ column_name }} is not null and parent.{{ field }} is null
group by child.source_file

{% endtest %}
