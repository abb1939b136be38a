-- 就職等グレイン (outcome grain): placed_persons 就職者数, regular_placed_persons 正社員就職者数,
-- regular_placements 正社員就職件数, training_persons 職業訓練等移行者数, social_participation_persons
-- 社会参加移行者数, retention_6m_rate 6か月定着率 (numerator, denominator), median_days_to_placement
-- 就職までの日数（中央値）, unlinked_placements 相談記録と突合できない就職等件数,
-- placements_before_first_consultation 初回相談前の就職等件数.
-- Source: placement_facts, where each placement already carries its resolved region and group (own
-- values when sent, else the person's reference consultation: see placement_facts.sql).
-- Outcome counts exclude placements dated before the person's first consultation (not outcomes of
-- support; counted in placements_before_first_consultation). Placements with no consultation at all
-- are kept in the outcome counts and also counted in unlinked_placements.
-- Formula: placed_persons = distinct persons with a regular or non-regular employment; regular_* the
--          same for regular employment (persons distinct, placements counted); retention numerator =
--          regular placements with retained_6m true, denominator = those with retained_6m known;
--          median_days_to_placement = median over persons whose first employment on or after their
--          first consultation falls in the group, of days from first consultation to it.
-- Filters: the nine dimensions, and $until (a date or null): only placements dated on or before it.
-- Grain: one row per group of {{dims}} (whitelisted grouping columns, substituted before binding).
-- Unit: 人 / 件 / 日.
with base as (
    select
        person_id,
        placement_date,
        outcome_type,
        is_employment,
        is_regular,
        retained_6m,
        is_linked,
        is_before_first_consultation,
        is_first_employment,
        days_from_first_consultation,
        fiscal_year,
        fiscal_quarter,
        month,
        prefecture_code,
        municipality_code,
        target_group,
        agency_type,
        gender,
        age_band
    from placement_facts
),

filtered as (
    select *
    from base
    where {{include indicators/dimension_filter}}
        and ($until::date is null or placement_date <= $until::date)
),

final as (
    select
        {{dims}}
        count(distinct person_id) filter (where is_employment and not is_before_first_consultation)
            as placed_persons,
        count(distinct person_id) filter (where is_regular and not is_before_first_consultation)
            as regular_placed_persons,
        count(*) filter (where is_regular and not is_before_first_consultation) as regular_placements,
        count(distinct person_id) filter (where outcome_type = 'training' and not is_before_first_consultation)
            as training_persons,
        count(distinct person_id) filter (
            where outcome_type = 'social_participation' and not is_before_first_consultation
        ) as social_participation_persons,
        count(*) filter (where is_regular and not is_before_first_consultation and retained_6m)
            as retention_6m_rate_numerator,
        count(*) filter (where is_regular and not is_before_first_consultation and retained_6m is not null)
            as retention_6m_rate_denominator,
        median(days_from_first_consultation) filter (where is_first_employment) as median_days_to_placement,
        count(*) filter (where is_first_employment) as median_days_to_placement_n,
        count(*) filter (where not is_linked) as unlinked_placements,
        count(*) filter (where is_before_first_consultation) as placements_before_first_consultation
    from filtered
    group by all
)

select * from final
