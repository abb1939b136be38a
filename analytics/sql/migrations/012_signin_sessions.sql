-- 012 サインインセッション (sign-in sessions of local accounts, issue 19): one row per password sign-in, so that a
-- reload or a new tab stays signed in for the idle time. The browser holds only a random id (a cookie); this table
-- holds its SHA-256, never the id itself, so a copy of the database cannot be used to take over a session.
-- analytics/access/sessions.py writes and reads it; rows are revoked at sign-out, when idle for longer than the
-- setting (HYOGAKI_SESSION_IDLE_HOURS, default 8), or when the account's role, prefecture or password changes
-- (account_fingerprint no longer matches), and deleted a day after they ended.
create table if not exists signin_sessions (
    session_hash        varchar primary key,   -- SHA-256 (hex) of the random id the browser holds
    username            varchar not null,      -- lower-case account name
    account_fingerprint varchar not null,      -- SHA-256 of role, prefecture and password hash at sign-in
    created_at          timestamp not null,
    last_seen_at        timestamp not null,    -- the idle time counts from here
    ended_at            timestamp,             -- null while valid
    end_reason          varchar                -- sign_out | idle | account_changed | account_removed
);
