-- 派生表の対象範囲: 一部の人 (facts scope: the persons in temp table facts_scope). Used after a load that only
-- added batches: every row of those persons, whatever batch it came from, so their facts are complete.
create or replace temp view scoped_consultations as
select * from consultation_dims where person_id in (select person_id from facts_scope);
create or replace temp view scoped_placements as
select * from placements where person_id in (select person_id from facts_scope);
