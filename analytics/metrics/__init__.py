"""The numbers: per-person facts kept beside the stored rows (facts), the indicator registry and engine
with its SQL in analytics/sql (indicators, stats), the program's stages and targets (stages, progress),
small-cell suppression for published tables (disclosure, downloads), and reported figures read back beside
the records with the measure registry and the precedence rule (measures, reported). Imports config, contract, text,
db and access; never ingest, views or anything above."""
