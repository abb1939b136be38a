-- 市町村プラットフォーム: the survey vintages (as-of dates) loaded, per prefecture.
-- Grain: one row per prefecture × as_of, with the municipalities answering in that vintage.
-- Filter: $f_prefecture_code (varchar[]; null = every prefecture).
select prefecture_code, as_of, count(*) as municipalities_answering
from platforms
where $f_prefecture_code::varchar[] is null or list_contains($f_prefecture_code::varchar[], prefecture_code)
group by all
order by prefecture_code, as_of
