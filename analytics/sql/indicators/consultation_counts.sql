-- 相談グレイン (consultation grain): consultations 相談件数, outreach_consultations アウトリーチ相談件数,
-- persons 実支援者数.
-- Formula: consultations = count(*); outreach_consultations = count(*) where channel = 'outreach';
--          persons = count(distinct person_id).
-- Grain: one row per group of {{dims}} — the grouping columns chosen by the caller from the fixed list
--        analytics.metrics.indicators.DIMENSIONS (substituted before binding; values are always bound).
-- Unit: 件 (consultations), 人 (persons). A consultation counts where, when and for whom it was recorded.
-- Caveat: persons are distinct within each row, so rows need not add up to a total.
-- Filters: one bound list parameter per dimension (f_fiscal_year, ...): any of its values; null = all.
--          $until (a date or null): only consultations dated on or before it (progress as of a day).
with base as (
    select
        person_id,
        channel,
        consultation_date,
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
    where {{include indicators/dimension_filter}}
        and ($until::date is null or consultation_date <= $until::date)
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
