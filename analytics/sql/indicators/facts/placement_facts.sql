-- placement_facts (就職等ファクト): one row per placement row, with its resolved region and group.
-- Grain: placements row (batch_id, source_row). Built by analytics.metrics.facts.refresh_facts for the persons in
-- scope (scope_*.sql).
-- Attribution (docs/indicators.md): a placement keeps its own prefecture/municipality/target group when
-- sent; otherwise it takes them from the reference consultation = the person's latest consultation on or
-- before the placement date (ties: latest batch, then row), else the person's first consultation.
-- agency_type, gender and age band always come from the reference consultation.
-- Needs person_facts to be current.
insert into placement_facts by name
with consultation_keys as (
    -- ordering key so that same-day consultations are ordered deterministically in the ASOF join (date,
    -- batch, row, then a hash of the sheet name, as in person_facts); only the key and the row id travel
    -- through the join (small), the attributes are joined back afterwards on the row id
    select
        person_id,
        consultation_rowid,
        (date_diff('day', date '1970-01-01', consultation_date)::hugeint * 100000000000000000000
            + batch_id::hugeint * 10000000000 + source_row) * 1000000
            + hash(coalesce(source_sheet, '')) % 1000000 as order_key
    from scoped_consultations
),

placement_keys as (
    select
        p.*,
        (date_diff('day', date '1970-01-01', p.placement_date)::hugeint * 100000000000000000000
            + 99999999999999999999) * 1000000 + 999999 as order_key
    from scoped_placements as p
),

asof_keys as (
    select p.*, c.order_key as before_key, c.consultation_rowid as before_rowid
    from placement_keys as p
    asof left join consultation_keys as c
        on c.person_id = p.person_id and p.order_key >= c.order_key
),

with_before as (
    select
        a.*,
        a.before_key is not null as has_before,
        c.prefecture_code as b_prefecture_code,
        c.municipality_code as b_municipality_code,
        c.target_group as b_target_group,
        c.agency_type as b_agency_type,
        c.gender as b_gender,
        c.age_band as b_age_band
    from asof_keys as a
    left join scoped_consultations as c on c.consultation_rowid = a.before_rowid
),

resolved as (
    select
        w.*,
        pf.person_id is not null as is_linked,
        pf.first_consultation_date,
        -- the reference consultation: latest on or before, else the first one
        case when w.has_before then w.b_prefecture_code else pf.first_prefecture_code end as r_prefecture_code,
        case when w.has_before then w.b_municipality_code else pf.first_municipality_code end as r_municipality_code,
        case when w.has_before then w.b_target_group else pf.first_target_group end as r_target_group,
        case when w.has_before then w.b_agency_type else pf.first_agency_type end as r_agency_type,
        case when w.has_before then w.b_gender else pf.first_gender end as r_gender,
        case when w.has_before then w.b_age_band else pf.first_age_band end as r_age_band,
        case
            when w.has_before then 'consultation_before'
            when pf.person_id is not null then 'first_consultation'
            else 'none'
        end as r_source
    from with_before as w
    left join person_facts as pf on pf.person_id = w.person_id
),

attributed as (
    select
        r.batch_id,
        r.source_row,
        r.person_id,
        r.placement_date,
        r.fiscal_year,
        r.fiscal_year::varchar || '-Q' || (((month(r.placement_date) + 8) % 12) // 3 + 1)::varchar as fiscal_quarter,
        strftime(r.placement_date, '%Y-%m') as month,
        r.outcome_type,
        r.outcome_type in ('regular_employment', 'non_regular_employment') as is_employment,
        r.outcome_type = 'regular_employment' as is_regular,
        r.retained_6m,
        case
            when r.prefecture_code is not null then r.prefecture_code
            when r.municipality_code is not null then left(r.municipality_code, 2)
            else r.r_prefecture_code
        end as prefecture_code,
        case
            when r.municipality_code is not null then r.municipality_code
            -- own prefecture only: keep the person's municipality if it lies in that prefecture
            when r.prefecture_code is not null
                then case when left(r.r_municipality_code, 2) = r.prefecture_code then r.r_municipality_code end
            else r.r_municipality_code
        end as municipality_code,
        coalesce(r.target_group, r.r_target_group) as target_group,
        r.r_agency_type as agency_type,
        r.r_gender as gender,
        coalesce(r.r_age_band, 'other') as age_band,
        case
            when r.prefecture_code is not null or r.municipality_code is not null then 'placement'
            else r.r_source
        end as region_source,
        case when r.target_group is not null then 'placement' else r.r_source end as group_source,
        r.is_linked,
        coalesce(r.placement_date < r.first_consultation_date, false) as is_before_first_consultation,
        date_diff('day', r.first_consultation_date, r.placement_date) as days_from_first_consultation
    from resolved as r
),

final as (
    select
        a.*,
        coalesce(
            a.is_employment and a.is_linked and not a.is_before_first_consultation
            and row_number() over (
                partition by a.person_id,
                    (a.is_employment and a.is_linked and not a.is_before_first_consultation)
                order by a.placement_date, a.is_regular desc, a.batch_id, a.source_row
            ) = 1,
            false
        ) as is_first_employment
    from attributed as a
)

select * from final
