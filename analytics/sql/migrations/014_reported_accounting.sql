-- 014 集計値の取込の内訳 (issue 16, part A): figures loaded with a warning.
-- For a reported-figures sheet the batch counts are in figure cells (one per number read), not rows:
-- rows_read = rows_loaded + rows_quarantined + rows_duplicate + rows_excluded as for records, and rows_warned
-- says how many of the loaded figures carry a warning (a total that does not add up over them, a published rate
-- that disagrees); the warnings themselves are in reported_checks. Null for batches loaded before this migration
-- and 0 for record sheets.
alter table batches add column if not exists rows_warned bigint;
alter table batch_sheets add column if not exists rows_warned bigint;
