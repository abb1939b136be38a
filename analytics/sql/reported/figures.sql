-- 報告された集計値 (reported figures): each cell's latest vintage, or every vintage.
-- Formula: a cell is measure × unit × period (start, end) × prefecture × municipality × target group × agency type ×
--          project. Within a cell the latest vintage wins (a null vintage counts as oldest; then the later batch,
--          then the later row); earlier vintages stay in the table and are returned with $latest = false.
-- Grain: one row per figure cell ($latest) or per figure as loaded; is_latest marks the one shown.
-- Unit: the figure's own (件 | 人 | …), never converted; value is null unless value_status = 'value'.
-- Filter: $f_measure (varchar[]; null = all). Scope: municipal figures only of $municipal_prefectures
--         (varchar[]; null = every prefecture; [] = none), the viewer's (analytics/access/scope.py).
with ranked as (
    select
        *,
        row_number() over (
            partition by measure, unit, period_start, period_end, prefecture_code, municipality_code, target_group,
                agency_type, project
            order by vintage desc nulls last, batch_id desc, source_row desc
        ) as rank_in_cell
    from reported_figures
    where ($f_measure::varchar[] is null or list_contains($f_measure::varchar[], measure))
      and (municipality_code is null
           or $municipal_prefectures::varchar[] is null
           or list_contains($municipal_prefectures::varchar[], prefecture_code))
)

select * exclude (rank_in_cell), rank_in_cell = 1 as is_latest
from ranked
where not $latest::boolean or rank_in_cell = 1
order by measure, prefecture_code nulls first, municipality_code nulls first, period_start, period_end
