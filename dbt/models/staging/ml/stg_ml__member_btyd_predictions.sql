with

source as (

    select * from {{ source('ml', 'member_btyd_predictions') }}

),

renamed as (

    select
        member_key,
        cast(p_alive as {{ dbt.type_float() }}) as p_alive,
        cast(expected_purchases as {{ dbt.type_float() }}) as expected_purchases,
        horizon_days,
        as_of_date,
        fitted_at
    from source

)

select * from renamed
