"""就職氷河期世代支援 進捗ダッシュボード: everything that works without a screen.

The folders follow the flow of the data; a module imports only from its own package and from the layers
below it (tests/test_boundaries.py states the table and fails on an upward import):

    config, contract, text/      what everything shares: paths, the data contract, the product's words
    db                           the DuckDB file, its migrations and the one writer turn
    access/                      who is signed in, what they may see (scope), and the audit log
    metrics/                     per-person facts, the indicator registry and engine, stages and progress
    ingest/                      files -> contract rows in one transaction (refreshing metrics.facts in it)
    views/                       page-shaped answers: overview, regions, groups, progress, quality, upload
    charts/, reports/            figures and the Excel/PDF summary built from views and metrics
    sample/                      the synthetic sample data and the first-start seeding
    cli                          ``python -m analytics``: one thin command per library function
"""
