-- 011 報告された集計値 (reported figures, issue 16): the aggregate counts the program really reports — a labour
-- bureau's monthly 正社員就職件数, a support station's 進路決定者数, a platform's KPI sheet (目標 | 実績), a council
-- paper's 「実績 X人／目標 Y人」 — as a kind of data beside the person-level records.
-- Grain: one row per figure as read from one cell of one file (measure × period × area × group × agency type ×
-- project × vintage). Grain and codes: docs/data_contract.md (reported figures); the measure registry and the
-- rule that decides between records and reported figures: docs/indicators.md.
-- A later vintage restating the same period supersedes the earlier one in what is shown; both rows are kept.

create table if not exists reported_figures (
    batch_id           integer not null,
    source_sheet       varchar,
    source_row         integer not null,  -- the row number the sender sees in Excel / the CSV line
    source_column      varchar,           -- the header of the cell read ('4月', '令和3年度 実績'); null for long tables
    measure            varchar not null,  -- registry id (analytics/metrics/measures.py) or, unknown, the name as written
    measure_name       varchar not null,  -- the measure as written in the file (指標名)
    unit               varchar not null,  -- 件 | 人 | … after scaling (万人 → 人, 千件 → 件)
    period_start       date not null,     -- first day of the period the figure covers
    period_end         date not null,     -- last day (inclusive)
    period_kind        varchar not null,  -- month | fiscal_year | span (any other span: 3か年計, 累計, 令和2年4月〜令和4年1月)
    fiscal_year        smallint,          -- the fiscal year when the period lies inside one, else null
    is_cumulative      boolean not null,  -- a 累計 column / running total since period_start
    prefecture_code    varchar,           -- null = national (全国)
    municipality_code  varchar,           -- null = the whole prefecture (or nation)
    target_group       varchar,           -- null = all groups (計 / blank)
    agency_type        varchar,           -- null = all agency types
    project            varchar,           -- 事業 (KPI sheets: the block heading), else null
    value              double,            -- null unless value_status = 'value'
    value_status       varchar not null,  -- value | none (「-」「―」: nothing / not applicable) | suppressed (「x」)
                                          -- | not_available (「…」: not yet available) | blank
    source             varchar,           -- who reported it: 労働局, サポステ, 県, 国 …
    vintage            date,              -- as-of / publication date (「※ 令和3年3月末現在」); null = unknown (oldest)
    note               varchar            -- notes (※…) that belong to the figure
);

create table if not exists reported_figures_repeats as select * from reported_figures limit 0;

-- What a loaded table said that does not hold: a 合計 row or 3か年計 column that differs from the sum of its parts
-- (total_mismatch), a published 進捗率 / 達成率 more than 0.1 point from 実績 ÷ 目標 (rate_mismatch). Reported as
-- warnings with both numbers; the stated total is never loaded as a figure (no double count) and nothing is
-- "fixed". Deleted with its batch on rollback.
create table if not exists reported_checks (
    batch_id           integer not null,
    source_sheet       varchar,
    source_row         integer,
    source_column      varchar,
    check_code         varchar not null,  -- total_mismatch | rate_mismatch
    measure            varchar,
    prefecture_code    varchar,
    period_start       date,
    period_end         date,
    stated             double,            -- the figure as published (the total, the rate in %)
    computed           double,            -- the sum of its parts / 実績 ÷ 目標 × 100
    message_ja         varchar not null,
    message_en         varchar not null
);

-- Targets gain what real plans have: any period (FY2020–FY2022, or FY2020–FY2024 when a 3-year target was
-- extended), a project (事業) and unit, a municipality, and who set them. Rows loaded before this migration keep
-- null here and are read as before (fiscal_year or stage gives the period).
alter table targets add column if not exists period_start date;
alter table targets add column if not exists period_end date;
alter table targets add column if not exists target_kind varchar;      -- annual | period (null: from fiscal_year/stage)
alter table targets add column if not exists municipality_code varchar;
alter table targets add column if not exists project varchar;
alter table targets add column if not exists unit varchar;
alter table targets add column if not exists source varchar;
alter table targets_repeats add column if not exists period_start date;
alter table targets_repeats add column if not exists period_end date;
alter table targets_repeats add column if not exists target_kind varchar;
alter table targets_repeats add column if not exists municipality_code varchar;
alter table targets_repeats add column if not exists project varchar;
alter table targets_repeats add column if not exists unit varchar;
alter table targets_repeats add column if not exists source varchar;
