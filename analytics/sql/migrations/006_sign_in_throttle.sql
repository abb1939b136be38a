-- 006 サインイン失敗の記録 (sign-in failures) for rate limiting: one row per failed attempt, counted per
-- account (key_kind 'user') and per client address (key_kind 'client'). Kept in the database so a lockout
-- survives a restart and holds across server processes. analytics/access/auth.py reads and prunes it (rows older
-- than a day are deleted; the audit log keeps the history).
create table if not exists sign_in_failures (
    key_kind   varchar not null,             -- user | client
    key        varchar not null,             -- lower-case username, or the client's IP address
    failed_at  timestamp not null
);
