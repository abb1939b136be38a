"""Turn agency exports (CSV, Excel) into clean contract rows in DuckDB, accounting for every row read.

readers -> headers -> normalise -> validate -> load; ``ingest_file`` runs them all for one file.
"""
