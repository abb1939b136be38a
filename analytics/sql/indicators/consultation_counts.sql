-- 相談グレイン (consultation grain): consultations 相談件数, outreach_consultations アウトリーチ相談件数,
-- persons 実支援者数.
-- Formula: consultations = count(*); outreach_consultations = count(*) where channel = 'outreach';
--          persons = count(distinct person_id).
-- Grain: one row per group of {{dims}} — the grouping columns chosen by the caller from the fixed list
--        analytics.indicators.DIMENSIONS (substituted before binding; values are always bound).
-- Unit: 件 (consultations), 人 (persons). A consultation counts where, when and for whom it was recorded.
-- Caveat: persons are distinct within each row, so rows need not add up to a total.
-- Filters: one bound list parameter per dimension (f_fiscal_year, ...): any of its values; null = all.
with base as (
    select
        person_id,
        channel,
        fiscal_year,
        fiscal_quarter,
        month,
        prefecture_code,
        municipality_code,
        target_group,
        agency_type,
        gender,
        age_band
    from consultation_dims
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
        {{dims}}
        count(*) as consultations,
        count(*) filter (where channel = 'outreach') as outreach_consultations,
        count(distinct person_id) as persons
    from filtered
    group by all
)

select * from final
