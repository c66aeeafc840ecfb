{#- HQ task progress per task, guide and business day (the SFE view): every day from the day
    the task opens to the day after its deadline (each guide's verdict), or on to the guide's
    last completion when the guide finishes late, never past the data's last day. Each row has the guide's target, the work done that
    day and so far, the part done by the deadline, attainment (done so far ÷ target) and a
    status: done_on_time (the target reached by the deadline), done_late, overdue (past the
    deadline, not reached) or in_progress. With the guide's store, region and brand for
    roll-ups (fct_task_progress_rollup). -#}

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

task_guide_days as (

    select
        task_guide_spans.task_id,
        task_guide_spans.guide_id,
        task_guide_spans.brand_id,
        task_guide_spans.task_type,
        task_guide_spans.target,
        task_guide_spans.due_date,
        span_days.date_day
    from task_guide_spans
    {{ days_between('task_guide_spans.start_date', 'task_guide_spans.span_end_date', 'span_days') }}

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
        coalesce(done_per_day.done, 0) as done,
        sum(coalesce(done_per_day.done, 0)) over (
            partition by task_guide_days.task_id, task_guide_days.guide_id
            order by task_guide_days.date_day
            rows between unbounded preceding and current row
        ) as done_to_date,
        sum(coalesce(done_per_day.done_by_deadline, 0)) over (
            partition by task_guide_days.task_id, task_guide_days.guide_id
            order by task_guide_days.date_day
            rows between unbounded preceding and current row
        ) as done_by_deadline
    from task_guide_days
    left join done_per_day
        on
            task_guide_days.task_id = done_per_day.task_id
            and task_guide_days.guide_id = done_per_day.guide_id
            and task_guide_days.date_day = done_per_day.date_day

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
