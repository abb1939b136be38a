-- 取込バッチの範囲 (batch coverage): what each loaded file contributed — rows, dates and prefectures.
-- Formula: per batch, over its consultation and placement rows: rows = count(*), first_date/last_date =
--          min/max of consultation_date or placement_date, prefectures = count(distinct prefecture_code)
--          (placements sent without a prefecture are not counted there).
-- Grain: one row per batch (loaded or rolled back), newest first. Unit: 行 (rows), 日付, 都道府県数.
with record_rows as (
    select batch_id, consultation_date as record_date, prefecture_code from consultations
    union all
    select batch_id, placement_date, prefecture_code from placements
),

per_batch as (
    select
        batch_id,
        count(*) as records,
        min(record_date) as first_date,
        max(record_date) as last_date,
        count(distinct prefecture_code) as prefectures
    from record_rows
    group by batch_id
),

final as (
    select
        b.batch_id,
        b.file_name,
        b.kinds,
        b.loaded_at,
        b.status,
        b.rows_loaded,
        b.rows_quarantined,
        coalesce(p.records, 0) as records,
        p.first_date,
        p.last_date,
        coalesce(p.prefectures, 0) as prefectures
    from batches as b
    left join per_batch as p using (batch_id)
)

select * from final order by batch_id desc
