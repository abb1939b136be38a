-- 開始コホート・グレイン (start-cohort grain): new_persons 新規相談者数, regular_within_6m_rate
-- 6か月以内正社員就職率, placed_within_12m_rate 12か月以内就職率 (numerators and denominators).
-- Cohort: persons whose first consultation ever falls in the group's period (person_facts); a person
--         belongs to the region, group, agency, gender and age band of that first consultation.
-- Formula: new_persons = count(*) of the cohort;
--          regular_within_6m_numerator = cohort members with a regular placement dated on or after the
--          first consultation and on or before first consultation + $regular_window_months calendar
--          months (2021-04-15 + 6 months = 2021-10-15, inclusive), i.e. person_facts.months_to_first_regular
--          <= the window; denominator = new_persons.
--          placed_within_12m_* likewise with any employment and $placed_window_months.
--          Whether a group's window has fully elapsed (is_final) depends only on the group's period
--          and the as-of date, so analytics.metrics.indicators decides it from the group key.
-- Filters: the nine dimensions, and $until (a date or null): only persons whose first consultation is on
--          or before it, and only placements on or before it in the numerators.
-- Grain: one row per group of {{dims}} (whitelisted grouping columns, substituted before binding).
-- Unit: 人 (counts); the rates themselves (fractions 0-1) are divided in analytics.metrics.indicators.
with base as (
    select
        person_id,
        first_consultation_date,
        case when $until::date is null or first_regular_date <= $until::date
            then months_to_first_regular end as months_to_first_regular,
        case when $until::date is null or first_placement_date <= $until::date
            then months_to_first_placement end as months_to_first_placement,
        {{include indicators/cohort_dimensions}}
    from person_facts
),

filtered as (
    select *
    from base
    where {{include indicators/dimension_filter}}
        and ($until::date is null or first_consultation_date <= $until::date)
),

final as (
    select
        {{dims}}
        count(*) as new_persons,
        count(*) filter (
            where months_to_first_regular <= $regular_window_months::integer
        ) as regular_within_6m_rate_numerator,
        count(*) as regular_within_6m_rate_denominator,
        count(*) filter (
            where months_to_first_placement <= $placed_window_months::integer
        ) as placed_within_12m_rate_numerator,
        count(*) as placed_within_12m_rate_denominator
    from filtered
    group by all
)

select * from final
