-- 001 基本スキーマ (base schema): batches, the three contract tables, quarantine, mapping profiles.
-- Grain and meaning of each column: docs/data_contract.md. Codes are ASCII (analytics/contract.py).

create sequence if not exists batch_id_seq start 1;

-- One row per loaded file (one transaction each).
create table if not exists batches (
    batch_id          integer primary key,
    file_name         varchar not null,
    content_hash      varchar not null,      -- sha256 of the file bytes: the same content twice is skipped
    kinds             varchar,               -- comma-separated kinds loaded from the file's sheets
    loaded_at         timestamp not null,
    loaded_by         varchar,
    status            varchar not null,      -- loaded | rolled_back
    rolled_back_at    timestamp,
    rows_read         bigint not null,
    rows_loaded       bigint not null,
    rows_quarantined  bigint not null,
    rows_duplicate    bigint not null,
    rows_excluded     bigint not null,
    dropped_columns   varchar,               -- JSON list of personal-data headers dropped before writing
    report_json       varchar                -- the full per-sheet ingest report
);

-- One row per sheet (a CSV is one sheet named after the file) of a batch, loaded or skipped.
create table if not exists batch_sheets (
    batch_id          integer not null,
    sheet             varchar not null,
    kind              varchar,
    status            varchar not null,      -- loaded | skipped
    skip_reason       varchar,
    header_row        integer,
    rows_read         bigint not null,
    rows_loaded       bigint not null,
    rows_quarantined  bigint not null,
    rows_duplicate    bigint not null,
    rows_excluded     bigint not null
);

-- One row per consultation (相談). person_id is the keyed pseudonym, never the original ID.
create table if not exists consultations (
    batch_id           integer not null,
    source_sheet       varchar,
    source_row         integer not null,     -- the row number the sender sees in Excel / the CSV line
    person_id          varchar not null,
    consultation_date  date not null,
    fiscal_year        smallint not null,    -- 年度: April-March, named by its starting year
    prefecture_code    varchar not null,     -- 2 digits, JIS X 0401
    municipality_code  varchar,              -- 5 digits, 全国地方公共団体コード without check digit
    target_group       varchar not null,
    agency_type        varchar,
    agency_name        varchar,
    channel            varchar,
    age                smallint,
    birth_year         smallint,
    gender             varchar,
    referred_to        varchar
);

-- One row per outcome (就職・訓練・社会参加).
create table if not exists placements (
    batch_id           integer not null,
    source_sheet       varchar,
    source_row         integer not null,
    person_id          varchar not null,
    placement_date     date not null,
    fiscal_year        smallint not null,
    outcome_type       varchar not null,
    prefecture_code    varchar,              -- as sent; null = take it from the person's consultations
    municipality_code  varchar,
    target_group       varchar,              -- as sent; null = take it from the person's consultations
    retained_6m        boolean,              -- null = unknown
    industry           varchar,
    program            varchar
);

-- One row per target value (and vintage).
create table if not exists targets (
    batch_id           integer not null,
    source_sheet       varchar,
    source_row         integer not null,
    indicator          varchar not null,
    fiscal_year        smallint,             -- null for a whole-stage target
    stage              varchar,              -- null for a single-year target
    prefecture_code    varchar,              -- null = national
    target_group       varchar,              -- null = all groups
    value              double not null,
    vintage            varchar
);

-- One row per problem found in a row that was not loaded (a row may have several).
create table if not exists quarantine (
    batch_id      integer not null,
    kind          varchar,
    file_name     varchar not null,
    sheet         varchar,
    row_number    integer not null,
    column_name   varchar,                   -- the header as the sender wrote it
    value         varchar,                   -- the cell as sent (personal-data columns never kept)
    reason_code   varchar not null,
    message_ja    varchar not null,
    message_en    varchar not null,
    raw_row       varchar                    -- JSON of the row's contract columns as sent, to fix and resend
);

-- Saved header mappings, applied automatically to files with the same headers.
create table if not exists mapping_profiles (
    name              varchar primary key,
    header_signature  varchar not null,
    mapping_json      varchar not null,
    created_at        timestamp not null
);
