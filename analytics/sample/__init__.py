"""The synthetic sample data (generator: clean and messy agency files, deterministic) and the first-start
seeding of an empty database with it (seed). Imports config, contract, text, db and ingest."""
