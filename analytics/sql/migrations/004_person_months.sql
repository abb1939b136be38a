-- 004 初回相談から就職までの月数 (whole calendar months from first consultation to first placement):
-- stored per person so that cohort rates compare integers instead of doing date arithmetic per query.
-- Emptying facts_meta makes the next refresh_facts a full rebuild, which fills the new columns.
alter table person_facts add column if not exists months_to_first_placement integer;
alter table person_facts add column if not exists months_to_first_regular integer;
delete from facts_meta;
