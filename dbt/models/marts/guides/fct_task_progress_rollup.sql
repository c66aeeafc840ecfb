{#- HQ task progress rolled up guide → store → region → brand → group, one row per task,
    level and key (with the brand that dispatched the task), from each guide's latest day of
    the task (its state now, or when the
    guide's work on it ended). Each level is the plain sum of the guide rows. -#}

with

brands as (

    select * from {{ ref('stg_master__brands') }}

),

guide_days as (

    select * from {{ ref('fct_guide_task_progress') }}

),

latest as (

    select
        *,
        row_number() over (
            partition by task_id, guide_id
            order by date_day desc
        ) as recency_rank
    from guide_days

),

guide_states as (

    select * from latest
    where recency_rank = 1

),

{% set levels = rollup_levels() %}

rolled_up as (

    {% for level, key in levels %}
        select
            task_id,
            '{{ level }}' as rollup_level,
            {{ key }} as rollup_key,
            max(brand_id) as brand_id,
            max(task_type) as task_type,
            max(due_date) as due_date,
            max(date_day) as as_of_date,
            count(*) as guides,
            sum(target) as target,
            sum(done_to_date) as done,
            sum(done_by_deadline) as done_by_deadline,
            sum(case when task_status = 'done_on_time' then 1 else 0 end) as guides_done_on_time,
            sum(case when task_status = 'done_late' then 1 else 0 end) as guides_done_late,
            sum(case when task_status = 'overdue' then 1 else 0 end) as guides_overdue,
            sum(case when task_status = 'in_progress' then 1 else 0 end) as guides_in_progress,
            cast(sum(done_to_date) * 1.0 / sum(target) as decimal(9, 4)) as attainment
        from guide_states
        group by 1, 3
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

with_brand_name as (

    {{ with_brand_name('rolled_up') }}

)

select * from with_brand_name
