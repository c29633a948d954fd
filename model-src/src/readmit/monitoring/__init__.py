"""Monitoring of the served model: input and prediction drift (Evidently), realised performance once the
30-day outcomes arrive, and the pure comparison of a canary's arms. Cores are pure functions over pandas
DataFrames shaped like `readmit.serving.inference_log.read` output or ingested index rows; `run` and
`sources` are the I/O shell."""
