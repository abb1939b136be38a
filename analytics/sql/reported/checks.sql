-- 集計表の点検結果 (reported checks): totals that do not add up and published rates that disagree, as loaded.
-- Formula: the rows of reported_checks (stated vs computed, both kept); difference = stated − computed.
-- Grain: one row per check finding (total_mismatch | rate_mismatch) of a loaded batch.
-- Unit: the figure's (件 | 人) for totals, percent points for rates.
-- Scope: prefecture aggregates or national figures (the table has no municipality column); $f_prefecture_code
--        (varchar[]; null = all) narrows to prefectures, national findings (null prefecture) always included.
select
    c.*,
    c.stated - c.computed as difference,
    b.file_name
from reported_checks c
left join batches b using (batch_id)
where $f_prefecture_code::varchar[] is null
   or c.prefecture_code is null
   or list_contains($f_prefecture_code::varchar[], c.prefecture_code)
order by c.check_code, c.prefecture_code nulls first, c.period_start, c.batch_id, c.source_row
