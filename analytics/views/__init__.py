"""Page-shaped answers: each module computes what one page (or the shared sidebar) shows, from metrics
and the ingest bookkeeping, as DataFrames and small dataclasses with no Streamlit in them. May import
everything below (config, contract, text, db, access, metrics, ingest); never charts, reports, sample or cli."""
