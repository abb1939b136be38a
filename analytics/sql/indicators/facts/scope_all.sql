-- 派生表の対象範囲: 全員 (facts scope: every person). Used for a full rebuild.
-- scoped_consultations / scoped_placements are what person_facts.sql and placement_facts.sql read.
create or replace temp view scoped_consultations as select * from consultation_dims;
create or replace temp view scoped_placements as select * from placements;
