{#- HQ task progress per task, guide and business day (the SFE view): every day from the day
    the task opens to the day after its deadline (each guide's verdict), or on to the guide's
    last completion when the guide finishes late, never past the data's last day. Each row has the guide's target, the work done that
    day and so far, the part done by the deadline, attainment (done so far ÷ target) and a
    status: done_on_time (the target reached by the deadline), done_late, overdue (past the
    deadline, not reached) or in_progress. With the guide's store, region and brand for
    roll-ups (fct_task_progress_rollup). Incremental, a task at a time: a run rebuilds every
    row of each task with a guide whose days reach the look-back window (macros/incremental.sql),
    and of each older task whose built rows no longer match its inputs (a completion corrected
    or delivered late, an assignment or deadline changed); older tasks keep their rows. -#}

{{
    config(
        materialized='incremental',
        unique_key='task_id',
        incremental_strategy=incremental_strategy(),
        partition_by=incremental_partition_by(['task_id']),
        on_schema_change='fail',
    )
}}

with

tasks as (

    select * from {{ ref('stg_tasks__tasks') }}

),

assignments as (

    select * from {{ ref('stg_tasks__task_assignments') }}

),

completions as (

    select * from {{ ref('stg_tasks__task_completions') }}

),

guides as (

    select * from {{ ref('stg_master__guides') }}

),

stores as (

    select * from {{ ref('stg_master__stores') }}

),

data_through as (

    -- The data's last day: the newest completion, or the newest task opened.
    select max(date_day) as last_day
    from (
        select completed_date as date_day from completions
        union all
        select start_date as date_day from tasks
    ) as days_seen

),

done_per_day as (

    select
        completions.task_id,
        completions.guide_id,
        completions.completed_date as date_day,
        count(*) as done,
        sum(case when completions.completed_at <= tasks.due_at then 1 else 0 end)
            as done_by_deadline
    from completions
    inner join tasks
        on completions.task_id = tasks.task_id
    group by completions.task_id, completions.guide_id, completions.completed_date

),

last_done as (

    select
        task_id,
        guide_id,
        max(date_day) as last_done_date
    from done_per_day
    group by task_id, guide_id

),

task_guides as (

    select
        assignments.task_id,
        assignments.guide_id,
        tasks.brand_id,
        tasks.task_type,
        assignments.target,
        tasks.start_date,
        tasks.due_date,
        -- The day after the deadline gives every guide a verdict (on time, late, overdue);
        -- a late finisher's rows run on to their last completion.
        case
            when last_done.last_done_date > {{ dbt.dateadd('day', 1, 'tasks.due_date') }}
                then last_done.last_done_date
            else cast({{ dbt.dateadd('day', 1, 'tasks.due_date') }} as date)
        end as work_end_date
    from assignments
    inner join tasks
        on assignments.task_id = tasks.task_id
    left join last_done
        on assignments.task_id = last_done.task_id and assignments.guide_id = last_done.guide_id

),

task_guide_spans as (

    -- Each task-guide's days run to its verdict or the data's last day, whichever is first.
    select
        task_guides.*,
        case
            when task_guides.work_end_date < data_through.last_day
                then task_guides.work_end_date
            else data_through.last_day
        end as span_end_date
    from task_guides
    cross join data_through

),

{% if is_incremental() -%}

{%- set day_number = dbt.datediff("cast('2000-01-01' as date)", 'date_day', 'day') %}

task_spans as (

    -- Each task's last day of any guide: a task is rebuilt whole, so that every guide's rows
    -- are replaced together (the run deletes a rebuilt task's rows by task_id).
    select
        task_guide_spans.*,
        max(span_end_date) over (partition by task_id) as task_span_end_date
    from task_guide_spans

),

window_tasks as (

    -- Tasks with a guide's days in the look-back window: rebuilt in any case.
    select distinct task_id
    from task_spans
    where task_span_end_date >= {{ incremental_window_start('date_day') }}

),

built_task_guides as (

    -- What each built task-guide holds: its first day and attributes, and its completions
    -- (how many, and the first and second moments of their days, so that a completion moved
    -- to another day shows too).
    select
        task_id,
        guide_id,
        min(date_day) as first_day,
        max(brand_id) as brand_id,
        max(task_type) as task_type,
        max(target) as target,
        max(due_date) as due_date,
        sum(done) as done,
        sum(done * {{ day_number }}) as done_days,
        sum(done * {{ day_number }} * {{ day_number }}) as done_days_squared
    from {{ this }}
    group by task_id, guide_id

),

current_done as (

    -- Each task-guide's completions as its days count them now (from the task's start).
    select
        done_per_day.task_id,
        done_per_day.guide_id,
        sum(done_per_day.done) as done,
        sum(done_per_day.done * {{ day_number }}) as done_days,
        sum(done_per_day.done * {{ day_number }} * {{ day_number }}) as done_days_squared
    from done_per_day
    inner join tasks
        on done_per_day.task_id = tasks.task_id
    where done_per_day.date_day >= tasks.start_date
    group by done_per_day.task_id, done_per_day.guide_id

),

current_task_guides as (

    -- The same as built_task_guides, as the inputs give them now.
    select
        task_guide_spans.task_id,
        task_guide_spans.guide_id,
        task_guide_spans.start_date as first_day,
        task_guide_spans.brand_id,
        task_guide_spans.task_type,
        task_guide_spans.target,
        task_guide_spans.due_date,
        coalesce(current_done.done, 0) as done,
        coalesce(current_done.done_days, 0) as done_days,
        coalesce(current_done.done_days_squared, 0) as done_days_squared
    from task_guide_spans
    left join current_done
        on
            task_guide_spans.task_id = current_done.task_id
            and task_guide_spans.guide_id = current_done.guide_id

),

changed_since as (

    -- The first day of the oldest task-guide, of a task before the window, whose built rows
    -- no longer match its inputs: a guide added or removed, an attribute changed, or a
    -- completion corrected, moved or delivered after the window. Null when none has changed.
    select min(coalesce(built.first_day, current_rows.first_day)) as first_day
    from built_task_guides as built
    full outer join current_task_guides as current_rows
        on built.task_id = current_rows.task_id and built.guide_id = current_rows.guide_id
    where
        coalesce(built.task_id, current_rows.task_id) not in (select task_id from window_tasks)
        and (
            built.task_id is null
            or current_rows.task_id is null
            or built.first_day <> current_rows.first_day
            or built.brand_id <> current_rows.brand_id
            or built.task_type <> current_rows.task_type
            or built.target <> current_rows.target
            or built.due_date <> current_rows.due_date
            or built.done <> current_rows.done
            or built.done_days <> current_rows.done_days
            or built.done_days_squared <> current_rows.done_days_squared
        )

),

{% endif -%}

spans_to_build as (

    -- Every task-guide; in a daily run, those of the tasks whose days reach the look-back
    -- window or the oldest change.
    select *
    from {% if is_incremental() %}task_spans{% else %}task_guide_spans{% endif %}
    {%- if is_incremental() %}
    where
        task_id in (select task_id from window_tasks)
        or task_span_end_date >= (select first_day from changed_since)
    {%- endif %}

),

done_to_build as (

    select *
    from done_per_day
    {%- if is_incremental() %}
    where task_id in (select task_id from spans_to_build)
    {%- endif %}

),

task_guide_days as (

    select
        spans_to_build.task_id,
        spans_to_build.guide_id,
        spans_to_build.brand_id,
        spans_to_build.task_type,
        spans_to_build.target,
        spans_to_build.due_date,
        span_days.date_day
    from spans_to_build
    {{ days_between('spans_to_build.start_date', 'spans_to_build.span_end_date', 'span_days') }}

),

progress as (

    select
        task_guide_days.task_id,
        task_guide_days.guide_id,
        task_guide_days.date_day,
        task_guide_days.brand_id,
        task_guide_days.task_type,
        task_guide_days.target,
        task_guide_days.due_date,
        coalesce(done_to_build.done, 0) as done,
        sum(coalesce(done_to_build.done, 0)) over (
            partition by task_guide_days.task_id, task_guide_days.guide_id
            order by task_guide_days.date_day
            rows between unbounded preceding and current row
        ) as done_to_date,
        sum(coalesce(done_to_build.done_by_deadline, 0)) over (
            partition by task_guide_days.task_id, task_guide_days.guide_id
            order by task_guide_days.date_day
            rows between unbounded preceding and current row
        ) as done_by_deadline
    from task_guide_days
    left join done_to_build
        on
            task_guide_days.task_id = done_to_build.task_id
            and task_guide_days.guide_id = done_to_build.guide_id
            and task_guide_days.date_day = done_to_build.date_day

),

final as (

    select
        progress.task_id,
        progress.guide_id,
        progress.date_day,
        progress.brand_id,
        progress.task_type,
        guides.home_store_id as store_id,
        stores.region,
        progress.target,
        progress.due_date,
        progress.done,
        progress.done_to_date,
        progress.done_by_deadline,
        cast(progress.done_to_date * 1.0 / progress.target as decimal(9, 4)) as attainment,
        case
            when progress.done_by_deadline >= progress.target then 'done_on_time'
            when progress.done_to_date >= progress.target then 'done_late'
            when progress.date_day > progress.due_date then 'overdue'
            else 'in_progress'
        end as task_status
    from progress
    inner join guides
        on progress.guide_id = guides.guide_id
    left join stores
        on guides.home_store_id = stores.store_id

)

select * from final
