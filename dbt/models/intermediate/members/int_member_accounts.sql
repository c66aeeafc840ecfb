{#- Mall accounts (the member_id every sales model carries) → the resolved member. -#}

with

identities as (

    select * from {{ ref('int_member_identities') }}
    where identifier_type = 'mall_account'

),

final as (

    select
        cast(identifier_value as {{ dbt.type_bigint() }}) as member_id,
        member_key
    from identities

)

select * from final
