-- 008 重複として届いた行 (repeats): a row that a batch delivered but did not write, because an earlier batch
-- already holds a row with the same duplicate key (上期 → 通期累計: the cumulative file repeats the first half).
-- Grain: one row per (batch, duplicate key); same columns as the contract table, batch_id = the batch that
-- delivered the repeat. Only repeats are stored, so a load without duplicates writes nothing here.
-- A rollback of the batch that holds a row hands the row over to the earliest still-loaded batch that
-- repeated it (its own version of the row moves into the contract table and leaves this table), so a row
-- stays while any loaded batch holds it; the rolled-back batch's own repeats are deleted with it
-- (analytics/ingest/load.py). Rows loaded before this migration count as delivered by their own batch only:
-- what those batches repeated was never kept.
create table if not exists consultations_repeats as select * from consultations limit 0;
create table if not exists placements_repeats as select * from placements limit 0;
create table if not exists targets_repeats as select * from targets limit 0;

-- One row: the first batch whose repeats are recorded. A rollback preview warns when a later batch, loaded
-- before this migration, counted rows as duplicates: those rows cannot be handed over.
create table if not exists repeats_recorded_from as
select coalesce(max(batch_id), 0) + 1 as batch_id from batches;
