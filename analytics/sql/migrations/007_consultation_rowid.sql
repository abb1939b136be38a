-- 007 相談の行番号 (consultation_rowid): consultation_dims also exposes the table's rowid, so that the facts
-- refresh can name each person's first consultation (arg_min) and a placement's reference consultation (ASOF)
-- by one integer and join back on it, instead of on date, batch, row and sheet. Only meaningful within one
-- query: rowids change across deletes and checkpoints (and rows of an open transaction have ids from 2^62),
-- so nothing stores them or computes with them.
create or replace view consultation_dims as
select
    c.*,
    c.rowid as consultation_rowid,
    fiscal_year::varchar || '-Q' || (((month(consultation_date) + 8) % 12) // 3 + 1)::varchar as fiscal_quarter,
    strftime(consultation_date, '%Y-%m') as month,
    case
        when coalesce(c.age, year(c.consultation_date) - c.birth_year) between 35 and 39 then '35-39'
        when coalesce(c.age, year(c.consultation_date) - c.birth_year) between 40 and 44 then '40-44'
        when coalesce(c.age, year(c.consultation_date) - c.birth_year) between 45 and 49 then '45-49'
        when coalesce(c.age, year(c.consultation_date) - c.birth_year) between 50 and 54 then '50-54'
        else 'other'
    end as age_band
from consultations as c;
