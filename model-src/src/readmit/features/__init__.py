"""Pure feature engineering over the ingest contract (readmit.schema): DataFrame in, DataFrame out."""
