-- 機関間の紹介 (referral flows): consultations that referred the person on, from agency type to agency type.
-- Formula: consultations = count(*) of consultations with referred_to filled; persons = count(distinct
--          person_id) of them.
-- Grain: one row per agency_type (where the consultation took place; null = unknown) × referred_to.
-- Unit: 件 (consultations), 人 (persons; distinct within each row). Filters as for the indicators, on the
--       consultation's own attributes.
with base as (
    select person_id, referred_to, fiscal_year, fiscal_quarter, month, prefecture_code, municipality_code,
           target_group, agency_type, gender, age_band
    from consultation_dims
    where referred_to is not null
),

filtered as (
    select *
    from base
    where {{include indicators/dimension_filter}}
),

final as (
    select
        agency_type,
        referred_to,
        count(*) as consultations,
        count(distinct person_id) as persons
    from filtered
    group by all
)

select * from final order by consultations desc, agency_type, referred_to
