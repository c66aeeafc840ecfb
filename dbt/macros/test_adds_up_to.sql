{#- A roll-up adds up exactly to the model it sums, per group: for each measure, the roll-up's
    aggregate of it equals the model's (``measures`` maps a roll-up expression to the model's,
    e.g. {'sum(members)': 'count(*)'}), over the model's rows ``to_where`` keeps. Fails with one
    row per group whose two sides differ, naming how much each measure differs by. -#}
{% test adds_up_to(model, to, group_by, measures, to_where='1 = 1') %}

with

differences as (

    select
        {{ group_by }} as rollup_group,
        {%- for rollup_measure in measures %}
        -{{ rollup_measure }} as measure_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}
    group by {{ group_by }}

    union all

    select
        {{ group_by }} as rollup_group,
        {%- for to_measure in measures.values() %}
        {{ to_measure }} as measure_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ to }}
    where {{ to_where }}
    group by {{ group_by }}

)

select
    rollup_group,
    {%- for _ in measures %}
    sum(measure_{{ loop.index }}) as measure_{{ loop.index }}_differing{{ "," if not loop.last }}
    {%- endfor %}
from differences
group by rollup_group
having
    {%- for _ in measures %}
    {{ "or " if not loop.first }}sum(measure_{{ loop.index }}) <> 0
    {%- endfor %}

{% endtest %}
