-- 相談グレイン・全国・絞り込みなし (consultation grain, national, no filter): consultations 相談件数,
-- outreach_consultations アウトリーチ相談件数, persons 実支援者数.
-- Same definitions as consultation_counts.sql, used only when there is no grouping and no filter: then
-- persons = every person with at least one consultation = the rows of person_facts (one per such person,
-- kept up to date at load time), which avoids a distinct count over every consultation.
-- Grain: one row (national). Unit: 件 / 人.
with consultation_summary as (
    select
        count(*) as consultations,
        count(*) filter (where channel = 'outreach') as outreach_consultations
    from consultations
),

person_summary as (
    select count(*) as persons from person_facts
),

final as (
    select c.consultations, c.outreach_consultations, p.persons
    from consultation_summary as c, person_summary as p
)

select * from final
