{#- Each member's service guide at the end of the as-of date: of the live service
    relationships of the member's mall accounts, the most recently started. -#}

with

relationships as (

    select * from {{ ref('int_service_relationships_historized') }}

),

accounts as (

    select * from {{ ref('int_member_accounts') }}

),

live as (

    select
        accounts.member_key,
        relationships.guide_id,
        relationships.valid_from,
        row_number() over (
            partition by accounts.member_key
            order by relationships.valid_from desc, relationships.guide_id asc
        ) as recency_rank
    from relationships
    inner join accounts
        on relationships.member_id = accounts.member_id
    where
        relationships.valid_from < {{ dbt.dateadd('day', 1, as_of_date()) }}
        and (
            relationships.valid_to is null
            or relationships.valid_to >= {{ dbt.dateadd('day', 1, as_of_date()) }}
        )

),

final as (

    select
        member_key,
        guide_id as service_guide_id,
        valid_from as served_since
    from live
    where recency_rank <= 1

)

select * from final
