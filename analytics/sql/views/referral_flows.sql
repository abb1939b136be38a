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
    where ($f_fiscal_year::integer[] is null or list_contains($f_fiscal_year::integer[], fiscal_year))
      and ($f_fiscal_quarter::varchar[] is null or list_contains($f_fiscal_quarter::varchar[], fiscal_quarter))
      and ($f_month::varchar[] is null or list_contains($f_month::varchar[], month))
      and ($f_prefecture_code::varchar[] is null or list_contains($f_prefecture_code::varchar[], prefecture_code))
      and ($f_municipality_code::varchar[] is null or list_contains($f_municipality_code::varchar[], municipality_code))
      and ($f_target_group::varchar[] is null or list_contains($f_target_group::varchar[], target_group))
      and ($f_agency_type::varchar[] is null or list_contains($f_agency_type::varchar[], agency_type))
      and ($f_gender::varchar[] is null or list_contains($f_gender::varchar[], gender))
      and ($f_age_band::varchar[] is null or list_contains($f_age_band::varchar[], age_band))
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
