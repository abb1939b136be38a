"""就職氷河期世代支援 進捗ダッシュボード: everything that works without a screen (ingest, indicators, reports)."""
