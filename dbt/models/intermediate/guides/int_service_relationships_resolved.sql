{#- The service relationships of int_service_relationships_historized with the person who
    holds the mall account (after identity resolution): a guide serving one account of a
    person serves the person, whichever account or card a purchase carries. -#}

with

service_relationships as (

    select * from {{ ref('int_service_relationships_historized') }}

),

identities as (

    select * from {{ ref('int_member_identities') }}

),

resolved as (

    select
        identities.member_key,
        service_relationships.member_id,
        service_relationships.relationship_number,
        service_relationships.guide_id,
        service_relationships.valid_from,
        service_relationships.valid_to
    from service_relationships
    inner join identities
        on
            identities.identifier_key = {{ dbt.concat([
                "'mall_account:'",
                "cast(service_relationships.member_id as " ~ dbt.type_string() ~ ")",
            ]) }}

)

select * from resolved
