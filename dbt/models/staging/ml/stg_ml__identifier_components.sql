with

source as (

    select * from {{ source('ml', 'identifier_components') }}

),

renamed as (

    select
        identifier_key,
        component_key,
        resolved_at
    from source

)

select * from renamed
