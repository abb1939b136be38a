-- 005 監査ログ (audit log): one row per sign-in, sign-in failure, upload, rollback, download and report.
-- Append-only: analytics/access/audit.py only ever inserts (no update or delete function; a test checks). Each
-- row carries the hash of the previous row, so a row changed or removed outside the product breaks the
-- chain (audit.verify_chain finds where).
-- Grain: one row per event. occurred_at is the server's local time.
create table if not exists audit_log (
    event_id        bigint primary key,      -- 1, 2, 3 ... in the order written
    occurred_at     timestamp not null,
    username        varchar not null,        -- account name; 'local' in local single-user mode
    role            varchar,                 -- admin | analyst | planner | manager (null: unknown account)
    prefecture_code varchar,                 -- the account's own prefecture, if any
    action          varchar not null,        -- sign_in | sign_in_failed | sign_out | upload | rollback | download | report
    scope           varchar,                 -- what the action covered, e.g. 'pref:02' or 'batch:4'
    details         varchar,                 -- JSON: file names, filters, row counts
    client          varchar,                 -- the client's IP address as the server saw it; 'cli' from the command line
    prev_hash       varchar not null,        -- row_hash of event_id - 1 ('' for the first row)
    row_hash        varchar not null         -- sha256 over prev_hash and this row's fields
);
