-- 支援の経路 (support path): start cohort -> placed -> regular -> retained 6 months, each a subset of the last.
-- Formula: cohort_persons = persons whose first consultation ever falls in the filtered period (= new_persons);
--          placed_persons = of them, with an employment placement (regular or not) on or after the first
--          consultation, up to the data's as-of date; regular_persons = of them, with a regular placement on
--          or after the first consultation; retained_persons = of them, with such a regular placement
--          recorded as retained 6 months (retained_6m = true; unknown counts as not retained).
-- Grain: one row per group of {{dims}} (cohort attributes: those of the first consultation, whitelisted).
-- Unit: 人 (persons, each counted once per row). Not a windowed rate: recent cohorts have had less time.
with retained as (
    select distinct person_id
    from placement_facts
    where is_regular and retained_6m and not is_before_first_consultation and is_linked
),

base as (
    select
        pf.person_id,
        pf.first_placement_date,
        pf.first_regular_date,
        r.person_id is not null as is_retained,
        {{include indicators/cohort_dimensions}}
    from person_facts as pf
    left join retained as r using (person_id)
),

filtered as (
    select *
    from base
    where {{include indicators/dimension_filter}}
),

final as (
    select
        {{dims}}
        count(*) as cohort_persons,
        count(*) filter (where first_placement_date is not null) as placed_persons,
        count(*) filter (where first_regular_date is not null) as regular_persons,
        count(*) filter (where first_regular_date is not null and is_retained) as retained_persons
    from filtered
    group by all
)

select * from final
