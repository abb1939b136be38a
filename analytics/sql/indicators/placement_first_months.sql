-- 月別の新規到達者数 (persons reaching an outcome for the first time in the period, by month): for the
-- burn-up charts, whose line is the cumulative distinct count of placed_persons 就職者数, regular_placed_persons
-- 正社員就職者数, training_persons 職業訓練等移行者数 or social_participation_persons 社会参加移行者数 from the
-- start of the period to each month's end.
-- Formula: each person counts once, in the first month (among the filtered months) of a qualifying
--          placement; the running sum of these counts up to month m equals the indicator filtered to the
--          months up to m (the same rows as placement_counts.sql: placements on or after the person's first
--          consultation, unlinked placements kept). One query instead of one per month.
-- Filters: the nine dimensions, and $until (a date or null): only placements dated on or before it.
-- Grain: one row per (month, indicator) with at least one person. Unit: 人.
with filtered as (
    -- the same rows as placement_counts.sql (its dimension filter and date cut), outcomes only
    select person_id, month, outcome_type, is_employment, is_regular
    from placement_facts
    where {{include indicators/dimension_filter}}
        and ($until::date is null or placement_date <= $until::date)
        and not is_before_first_consultation
),

firsts as (
    select
        person_id,
        min(month) filter (where is_employment) as placed_persons,
        min(month) filter (where is_regular) as regular_placed_persons,
        min(month) filter (where outcome_type = 'training') as training_persons,
        min(month) filter (where outcome_type = 'social_participation') as social_participation_persons
    from filtered
    group by all
),

long as (
    unpivot firsts
    on placed_persons, regular_placed_persons, training_persons, social_participation_persons
    into name indicator value first_month
),

final as (
    select first_month as month, indicator, count(*) as persons
    from long
    group by all
)

select * from final
