"""The MLServer runtime of the readmission model (`implementation` in model-settings.json).

load: the MLflow model at `parameters.uri` (a folder written by `readmit export`) and the runtime
settings in `parameters.extra`. predict: strict validation (readmit.serving.validate), then the bundle's
own scoring, bands and explanations (readmit.serving.score); every request, scored or rejected, is
counted in the custom metrics and written to the inference log.

Request parameters: `explain` (default true) turns the explanation output off when false.
"""

from __future__ import annotations

import json
import time
import uuid

import mlflow.pyfunc
import numpy as np
from mlserver import MLModel
from mlserver.types import InferenceRequest, InferenceResponse, ResponseOutput
from mlserver.utils import get_model_uri

from readmit.models.sequence import configure_torch
from readmit.pyfunc import unwrap
from readmit.serving import inference_log, metrics, validate
from readmit.serving.contract import KEYS, RuntimeConfig
from readmit.serving.errors import Rejected
from readmit.serving.score import score


class ReadmissionRuntime(MLModel):
    async def load(self) -> bool:
        configure_torch(threads=1)
        extra = dict(self.settings.parameters.extra or {})
        self.config = RuntimeConfig.from_extra(extra)
        self.bundle = unwrap(mlflow.pyfunc.load_model(await get_model_uri(self.settings)))
        self.bundle.threads = 1  # one thread per worker: Seldon scales with workers and replicas
        self.sink = inference_log.Sink(inference_log.default_path(self.config.registered_model))
        metrics.register_all()
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        start = time.perf_counter()
        request_id = str(uuid.uuid4())
        try:
            request_id = validate.request_id(payload.id) or request_id
            rows = validate.decode(payload, self.config)
        except Rejected as exc:
            metrics.rejected(exc.reason)
            self._log(request_id, exc.status_code, exc.reason, start, [])
            raise
        result = score(self.bundle, rows, self.config, _wants_explanation(payload))
        risk, bands = result["readmission_risk"], result["risk_band"]
        metrics.scored(risk, bands)
        logged = [
            {
                **{k: record[k] for k in KEYS},
                "inputs": inference_log.loggable_inputs(record, self.bundle.spec),
                "readmission_risk": float(risk[i]),
                "risk_band": bands[i],
            }
            for i, record in enumerate(_records(rows))
        ]
        self._log(request_id, 200, None, start, logged)
        return InferenceResponse(
            id=request_id,
            model_name=self.name,
            model_version=self.version,
            outputs=_outputs(result, len(rows)),
        )

    def _log(self, request_id: str, status: int, reason, start: float, rows: list) -> None:
        self.sink.write(
            {
                "ts": inference_log.now(),
                "request_id": request_id,
                "model": self.config.registered_model,
                "version": self.config.registered_version,
                "status": status,
                "reason": reason,
                "latency_ms": round((time.perf_counter() - start) * 1000, 3),
                "rows": rows,
            }
        )


def _records(rows) -> list[dict]:
    """One dict of native Python values per decoded row (`validate.decode`'s columns)."""
    columns = list(rows.columns)
    values = zip(*(rows[c].tolist() for c in columns), strict=True)
    return [dict(zip(columns, row, strict=True)) for row in values]


def _wants_explanation(payload: InferenceRequest) -> bool:
    params = payload.parameters.model_dump() if payload.parameters is not None else {}
    value = params.get("explain", True)
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no")
    return bool(value)


def _outputs(result: dict, n: int) -> list[ResponseOutput]:
    """BYTES outputs as bytes, as MLServer's StringCodec packs them (`use_bytes=True`): its gRPC converter
    takes nothing else (`mlserver/grpc/converters.py`, a str raises "expected bytes"), and its REST
    responses write bytes as JSON text (`mlserver/codecs/json.py`, `encode_to_json_bytes`)."""
    outputs = [
        ResponseOutput(
            name="readmission_risk",
            datatype="FP64",
            shape=[n],
            data=np.asarray(result["readmission_risk"], dtype=np.float64).tolist(),
        ),
        ResponseOutput(
            name="risk_band", datatype="BYTES", shape=[n], data=[b.encode() for b in result["risk_band"]]
        ),
    ]
    if result["explanation"] is not None:
        data = [json.dumps(e, separators=(",", ":")).encode() for e in result["explanation"]]
        outputs.append(ResponseOutput(name="explanation", datatype="BYTES", shape=[n], data=data))
    return outputs
