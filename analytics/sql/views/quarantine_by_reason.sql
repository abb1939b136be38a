-- 保留の理由別件数 (quarantine by reason): rows kept aside at load time, per stable reason code.
-- Formula: rows = count(distinct (batch_id, sheet, row_number)) — a row with two problems counts once per
--          reason; issues = count(*) (one per problem found); files = count(distinct batch_id).
-- Grain: one row per reason_code (analytics/ingest/errors.REASONS), most rows first.
-- Unit: 行 (rows), 件 (issues). Only batches still loaded: a rollback removes its quarantine rows.
-- Filters: $f_batch_id (integer[], null = every batch).
with issues as (
    select q.batch_id, q.sheet, q.row_number, q.reason_code
    from quarantine as q
    join batches as b using (batch_id)
    where b.status = 'loaded'
      and ($f_batch_id::integer[] is null or list_contains($f_batch_id::integer[], q.batch_id))
),

final as (
    select
        reason_code,
        count(distinct (batch_id, coalesce(sheet, ''), row_number)) as rows,
        count(*) as issues,
        count(distinct batch_id) as files
    from issues
    group by reason_code
)

select * from final order by rows desc, reason_code
