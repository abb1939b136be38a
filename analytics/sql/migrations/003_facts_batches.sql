-- 003 派生表の取込済みバッチ (batches included in the facts): lets analytics.metrics.facts.refresh_facts rebuild only
-- the persons touched by newly loaded batches instead of every person.
create table if not exists facts_batches (
    kind      varchar not null,   -- consultations | placements
    batch_id  integer not null,
    rows      bigint not null     -- row count of that batch when the facts were built
);
