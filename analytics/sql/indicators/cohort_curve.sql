-- 累積就職曲線 (cumulative placement curve): start cohorts by months from first consultation to first
-- employment (regular or non-regular) on or after it.
-- months_to_placement = person_facts.months_to_first_placement: the smallest whole number of calendar
-- months k such that the first placement is on or before first consultation + k months (first 2021-04-15,
-- placed 2021-10-15 -> 6; 2021-10-16 -> 7); null = no placement yet; values above $max_months are capped
-- at $max_months + 1.
-- Grain: one row per group of {{dims}} (cohort attributes, whitelisted) x months_to_placement.
-- Unit: 人. analytics.metrics.indicators.cohort_curve turns these into cumulative rates per month with Wilson
-- intervals and decides from the group's period which points are final.
with base as (
    select
        person_id,
        first_consultation_date,
        months_to_first_placement,
        {{include indicators/cohort_dimensions}}
    from person_facts
),

filtered as (
    select *
    from base
    where {{include indicators/dimension_filter}}
),

final as (
    select
        {{dims}}
        least(months_to_first_placement, $max_months::integer + 1) as months_to_placement,
        count(*) as persons
    from filtered
    group by all
)

select * from final
