"""The numbers: per-person facts kept beside the stored rows (facts), the indicator registry and engine
with its SQL in analytics/sql (indicators, stats), the program's stages and targets (stages, progress),
and small-cell suppression for published tables (disclosure, downloads). Imports config, contract, text,
db and access; never ingest, views or anything above."""
