-- person_facts (個人別ファクト): one row per person with at least one consultation.
-- Grain: person_id. Rebuilt in full by analytics.facts.refresh_facts (the caller deletes first).
-- first_*: attributes of the person's first consultation (earliest date; ties: lowest batch_id, then
-- source_row), which define the start cohort. first_placement_date / first_regular_date only count
-- placements on or after the first consultation: earlier ones are not outcomes of support.
insert into person_facts by name
with consultation_rows as (
    select * from consultation_dims
),

per_person as (
    select
        person_id,
        arg_min(
            {'consultation_date': consultation_date, 'fiscal_year': fiscal_year,
             'fiscal_quarter': fiscal_quarter, 'month': month, 'prefecture_code': prefecture_code,
             'municipality_code': municipality_code, 'target_group': target_group,
             'agency_type': agency_type, 'gender': gender, 'age_band': age_band},
            {'d': consultation_date, 'b': batch_id, 'r': source_row}
        ) as first_row,
        max(consultation_date) as last_consultation_date,
        count(*) as consultations
    from consultation_rows
    group by person_id
),

placement_summary as (
    select
        p.person_id,
        min(p.placement_date) filter (
            where p.outcome_type in ('regular_employment', 'non_regular_employment')
              and p.placement_date >= pp.first_row.consultation_date
        ) as first_placement_date,
        min(p.placement_date) filter (
            where p.outcome_type = 'regular_employment'
              and p.placement_date >= pp.first_row.consultation_date
        ) as first_regular_date,
        count(*) filter (where p.placement_date < pp.first_row.consultation_date) as placements_before_first
    from placements as p
    inner join per_person as pp on pp.person_id = p.person_id
    group by p.person_id
),

final as (
    select
        pp.person_id,
        pp.first_row.consultation_date as first_consultation_date,
        pp.first_row.fiscal_year as first_fiscal_year,
        pp.first_row.fiscal_quarter as first_fiscal_quarter,
        pp.first_row.month as first_month,
        pp.first_row.prefecture_code as first_prefecture_code,
        pp.first_row.municipality_code as first_municipality_code,
        pp.first_row.target_group as first_target_group,
        pp.first_row.agency_type as first_agency_type,
        pp.first_row.gender as first_gender,
        pp.first_row.age_band as first_age_band,
        pp.last_consultation_date,
        pp.consultations,
        ps.first_placement_date,
        ps.first_regular_date,
        coalesce(ps.placements_before_first, 0) as placements_before_first
    from per_person as pp
    left join placement_summary as ps on ps.person_id = pp.person_id
)

select * from final
