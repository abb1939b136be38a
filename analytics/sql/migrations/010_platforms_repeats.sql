-- 010 重複として届いた調査行 (platform survey repeats): the repeats table of 008 for the platform survey kind
-- of 009, so a rollback hands a survey row over to the earliest still-loaded batch that repeated it, as for
-- every other contract table (analytics/ingest/load.py).
create table if not exists platforms_repeats as select * from platforms limit 0;
