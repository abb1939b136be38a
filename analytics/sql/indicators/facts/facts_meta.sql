-- facts_meta (ファクト更新情報): one row describing the facts just built.
-- as_of_date = the latest consultation or placement date in the data: cohort windows that end after it
-- are not yet final. Counts of unlinked placements and placements before the first consultation are
-- kept here so that every page can report them.
insert into facts_meta by name
with consultation_summary as (
    select count(*) as consultations, max(consultation_date) as last_date from consultations
),

placement_summary as (
    select
        count(*) as placements,
        max(placement_date) as last_date,
        count(*) filter (where not is_linked) as unlinked_placements,
        count(*) filter (where is_before_first_consultation) as placements_before_first_consultation
    from placement_facts
),

final as (
    select
        now()::timestamp as refreshed_at,
        greatest(c.last_date, p.last_date) as as_of_date,
        c.consultations,
        p.placements,
        (select count(*) from person_facts) as persons,
        p.unlinked_placements,
        p.placements_before_first_consultation
    from consultation_summary as c, placement_summary as p
)

select * from final
