-- 取込状況 (coverage): rows loaded per prefecture × month, every prefecture-month of the span present.
-- Formula: consultations = count of consultation rows by their prefecture and consultation month;
--          placements = count of placement rows by their resolved prefecture (placement_facts: the
--          placement's own prefecture, else the person's consultation) and placement month;
--          rows = consultations + placements; is_gap = (rows = 0): the prefecture sent nothing that month.
-- Grain: one row per prefecture_code in $prefecture_codes (the 47 JIS codes) × month ('2023-04') from
--        the first to the last month in the data, narrowed to the fiscal years in $f_fiscal_year (null = all).
--        Months after the data's last month are not listed (not yet due, so not a gap).
-- Unit: 行 (rows as loaded). A missing prefecture-month is a row with zero counts and is_gap = true,
--       never left out: the page shows it as a gap, not as zero activity.
with consultation_months as (
    select prefecture_code, strftime(consultation_date, '%Y-%m') as month, count(*) as consultations
    from consultations
    group by all
),

placement_months as (
    select prefecture_code, month, count(*) as placements
    from placement_facts
    where prefecture_code is not null
    group by all
),

data_span as (
    -- min/max per table first: cheap on millions of rows
    select date_trunc('month', min(d)) as first_day, date_trunc('month', max(d)) as last_day
    from (
        select min(consultation_date) as d from consultations
        union all select max(consultation_date) from consultations
        union all select min(placement_date) from placements
        union all select max(placement_date) from placements
    )
),

months as (
    select strftime(m, '%Y-%m') as month,
           (year(m) - case when month(m) < 4 then 1 else 0 end)::integer as fiscal_year
    from data_span,
         unnest(generate_series(data_span.first_day, data_span.last_day, interval 1 month)) as s(m)
    where data_span.first_day is not null
),

grid as (
    select p.prefecture_code, m.month, m.fiscal_year
    from unnest($prefecture_codes::varchar[]) as p(prefecture_code)
    cross join months as m
    where ($f_fiscal_year::integer[] is null or list_contains($f_fiscal_year::integer[], m.fiscal_year))
      and ($f_prefecture_code::varchar[] is null or list_contains($f_prefecture_code::varchar[], p.prefecture_code))
),

final as (
    select
        g.prefecture_code,
        g.month,
        g.fiscal_year,
        coalesce(c.consultations, 0) as consultations,
        coalesce(pl.placements, 0) as placements,
        coalesce(c.consultations, 0) + coalesce(pl.placements, 0) as rows,
        coalesce(c.consultations, 0) + coalesce(pl.placements, 0) = 0 as is_gap
    from grid as g
    left join consultation_months as c using (prefecture_code, month)
    left join placement_months as pl using (prefecture_code, month)
)

select * from final order by prefecture_code, month
