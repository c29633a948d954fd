"""Monitoring of the served model: input and prediction drift (Evidently), realised performance once the
30-day outcomes arrive, and the pure comparison of a canary's arms. Cores are pure functions over pandas
DataFrames shaped like `readmit.serving.inference_log.read` output or ingested index rows; `sources`
(the only reader of inputs), `drift_run` and `perf_run` are the I/O shell. Methods, thresholds, sample
sizes and the canary ladder are set in `config`."""
