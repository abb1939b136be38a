-- person_facts (個人別ファクト): one row per person with at least one consultation.
-- Grain: person_id. Built by analytics.metrics.facts.refresh_facts for the persons in scope (scope_*.sql).
-- first_*: attributes of the person's first consultation (earliest date; ties: lowest batch_id, then
-- source_row, then a hash of the sheet name), which define the start cohort. first_placement_date / first_regular_date only count
-- placements on or after the first consultation: earlier ones are not outcomes of support.
-- months_to_first_*: the smallest whole number of calendar months k with placement <= first consultation +
-- k months (first 2021-04-15: placed 2021-10-15 -> 6, 2021-10-16 -> 7); a placement is within a window of
-- w months exactly when k <= w.
insert into person_facts by name
with keyed as (
    -- one orderable number per consultation: date, then batch, then row, then (two sheets of one batch can
    -- share a row number) a hash of the sheet name; same order as placement_facts
    select
        person_id,
        consultation_date,
        consultation_rowid,
        (date_diff('day', date '1970-01-01', consultation_date)::hugeint * 100000000000000000000
            + batch_id::hugeint * 10000000000 + source_row) * 1000000
            + hash(coalesce(source_sheet, '')) % 1000000 as order_key
    from scoped_consultations
),

per_person as (
    -- small fixed-size states only, so the aggregation can spill at 10 million rows; arg_min names the
    -- first consultation's row, which is joined back on that one integer (not decoded from the key: rows
    -- written in the current transaction have row ids from 2^62)
    select
        person_id,
        arg_min(consultation_rowid, order_key) as first_rowid,
        max(consultation_date) as last_consultation_date,
        count(*) as consultations
    from keyed
    group by person_id
),

first_rows as (
    select
        pp.person_id,
        pp.last_consultation_date,
        pp.consultations,
        c.consultation_date,
        c.fiscal_year,
        c.fiscal_quarter,
        c.month,
        c.prefecture_code,
        c.municipality_code,
        c.target_group,
        c.agency_type,
        c.gender,
        c.age_band
    from per_person as pp
    inner join scoped_consultations as c on c.consultation_rowid = pp.first_rowid
),

placement_summary as (
    select
        p.person_id,
        min(p.placement_date) filter (
            where p.outcome_type in ('regular_employment', 'non_regular_employment')
              and p.placement_date >= pp.consultation_date
        ) as first_placement_date,
        min(p.placement_date) filter (
            where p.outcome_type = 'regular_employment'
              and p.placement_date >= pp.consultation_date
        ) as first_regular_date,
        count(*) filter (where p.placement_date < pp.consultation_date) as placements_before_first
    from scoped_placements as p
    inner join first_rows as pp on pp.person_id = p.person_id
    group by p.person_id
),

final as (
    select
        pp.person_id,
        pp.consultation_date as first_consultation_date,
        pp.fiscal_year as first_fiscal_year,
        pp.fiscal_quarter as first_fiscal_quarter,
        pp.month as first_month,
        pp.prefecture_code as first_prefecture_code,
        pp.municipality_code as first_municipality_code,
        pp.target_group as first_target_group,
        pp.agency_type as first_agency_type,
        pp.gender as first_gender,
        pp.age_band as first_age_band,
        pp.last_consultation_date,
        pp.consultations,
        ps.first_placement_date,
        ps.first_regular_date,
        coalesce(ps.placements_before_first, 0) as placements_before_first,
        date_diff('month', pp.consultation_date, ps.first_placement_date)
            + case
                when (pp.consultation_date
                      + to_months(date_diff('month', pp.consultation_date, ps.first_placement_date)))::date
                     < ps.first_placement_date then 1
                else 0
              end as months_to_first_placement,
        date_diff('month', pp.consultation_date, ps.first_regular_date)
            + case
                when (pp.consultation_date
                      + to_months(date_diff('month', pp.consultation_date, ps.first_regular_date)))::date
                     < ps.first_regular_date then 1
                else 0
              end as months_to_first_regular
    from first_rows as pp
    left join placement_summary as ps on ps.person_id = pp.person_id
)

select * from final
