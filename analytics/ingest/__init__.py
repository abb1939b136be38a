"""Turn agency exports (CSV, Excel) into clean contract rows in DuckDB, accounting for every row read.

readers -> headers -> normalise -> validate -> load; ``ingest_file`` runs them all for one file. Also the
Excel templates senders fill in (templates) and the generated data-contract document (contract_doc).
Imports config, contract, text, db, access and metrics (a load refreshes ``metrics.facts`` inside its own
transaction, so facts never lag the rows); never views, charts, reports or cli.
"""
