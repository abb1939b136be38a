-- 002 派生表 (derived facts): per-person and per-placement tables that the indicators read.
-- Filled by analytics.metrics.facts.refresh_facts(con) from consultations and placements, inside the loader's
-- transaction, after every load and every rollback. Never edited by hand; safe to rebuild at any time.

-- One row per person with at least one consultation (grain: person_id).
create table if not exists person_facts (
    person_id                 varchar not null,
    first_consultation_date   date not null,     -- 初回相談日 (ties on one day: earliest batch, then row)
    first_fiscal_year         smallint not null, -- 初回相談の年度 (start cohort)
    first_fiscal_quarter      varchar not null,  -- e.g. '2021-Q1' (fiscal: Q1 = April-June)
    first_month               varchar not null,  -- e.g. '2021-04'
    first_prefecture_code     varchar not null,  -- where the first consultation was recorded
    first_municipality_code   varchar,
    first_target_group        varchar not null,
    first_agency_type         varchar,
    first_gender              varchar,
    first_age_band            varchar not null,  -- 35-39 | 40-44 | 45-49 | 50-54 | other
    last_consultation_date    date not null,
    consultations             bigint not null,
    first_placement_date      date,              -- first employment (regular or not) on/after first consultation
    first_regular_date        date,              -- first regular employment on/after first consultation
    placements_before_first   bigint not null    -- placements dated before the first consultation
);

-- One row per placement row (grain: placements row), with its resolved region and group.
create table if not exists placement_facts (
    batch_id                     integer not null,
    source_row                   integer not null,
    person_id                    varchar not null,
    placement_date               date not null,
    fiscal_year                  smallint not null,
    fiscal_quarter               varchar not null,
    month                        varchar not null,
    outcome_type                 varchar not null,
    is_employment                boolean not null, -- regular or non-regular employment
    is_regular                   boolean not null,
    retained_6m                  boolean,          -- null = unknown
    prefecture_code              varchar,          -- resolved: own, else the person's (null when unlinked)
    municipality_code            varchar,
    target_group                 varchar,
    agency_type                  varchar,          -- from the reference consultation
    gender                       varchar,
    age_band                     varchar not null,
    region_source                varchar not null, -- placement | consultation_before | first_consultation | none
    group_source                 varchar not null, -- same codes
    is_linked                    boolean not null, -- the person has at least one consultation
    is_before_first_consultation boolean not null, -- dated before the person's first consultation
    days_from_first_consultation integer,          -- null when unlinked
    is_first_employment          boolean not null  -- the person's first employment on/after first consultation
);

-- One row: when the facts were built and the data's as-of date (latest date in either table).
create table if not exists facts_meta (
    refreshed_at        timestamp not null,
    as_of_date          date,
    consultations       bigint not null,
    placements          bigint not null,
    persons             bigint not null,
    unlinked_placements bigint not null,
    placements_before_first_consultation bigint not null
);

-- Consultations with the derived dimensions (age band, fiscal quarter, month). A view: no copy.
create or replace view consultation_dims as
select
    c.*,
    fiscal_year::varchar || '-Q' || (((month(consultation_date) + 8) % 12) // 3 + 1)::varchar as fiscal_quarter,
    strftime(consultation_date, '%Y-%m') as month,
    case
        when coalesce(c.age, year(c.consultation_date) - c.birth_year) between 35 and 39 then '35-39'
        when coalesce(c.age, year(c.consultation_date) - c.birth_year) between 40 and 44 then '40-44'
        when coalesce(c.age, year(c.consultation_date) - c.birth_year) between 45 and 49 then '45-49'
        when coalesce(c.age, year(c.consultation_date) - c.birth_year) between 50 and 54 then '50-54'
        else 'other'
    end as age_band
from consultations as c;
