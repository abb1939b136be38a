-- 008 市町村プラットフォーム調査 (municipal platform survey, issue 18): one row per municipality and vintage.
-- Self-contained: the integrator may renumber this file. Grain and codes: docs/data_contract.md (platforms).
-- A later vintage (as_of) supersedes an earlier one per municipality; both rows are kept.

create table if not exists platforms (
    batch_id                             integer not null,
    source_sheet                         varchar,
    source_row                           integer not null,  -- the row number the sender sees in Excel
    as_of                                date not null,     -- 調査時点: column, title row, sheet or file name
    prefecture_code                      varchar not null,
    municipality_code                    varchar not null,  -- 5 digits; wards of designated cities -> the city
    status                               varchar not null,  -- established | planned | considering | undecided
    set_up_on                            date,
    secretariat                          varchar,           -- 事務局 department (free text; no personal names)
    base_body                            varchar,           -- support_meeting | support_coordination_meeting | ...
    base_body_note                       varchar,
    area                                 varchar,           -- single | joint
    area_members                         varchar,
    partner_self_reliance                boolean,           -- partner columns: true = ○, false = ×, null = blank
    partner_support_station              boolean,
    partner_hello_work                   boolean,
    partner_disability_employment_center boolean,
    partner_business                     boolean,
    partner_hikikomori_center            boolean,
    partner_family_peer_groups           boolean,
    partner_social_welfare_council       boolean,
    partner_welfare_commissioners        boolean,
    partner_public_health                boolean,
    partner_local_media                  boolean,
    partner_other                        varchar,
    meetings                             smallint,
    notes                                varchar
);
