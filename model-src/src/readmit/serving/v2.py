"""Index rows <-> the JSON body of a V2 inference request (one BYTES/INT64/FP64 tensor per field)."""

from __future__ import annotations

import math

import pandas as pd

from readmit.serving.contract import INPUTS


def _cell(value, datatype: str):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if datatype == "INT64":
        return int(value)
    if datatype == "FP64":
        return float(value)
    return str(value)


def request_body(rows: pd.DataFrame, parameters: dict | None = None, request_id: str | None = None) -> dict:
    """A V2 request for `rows` (INDEX_COLUMNS; a `label` column is left out). NaN travels as null."""
    inputs = [
        {
            "name": name,
            "datatype": datatype,
            "shape": [len(rows)],
            "data": [_cell(v, datatype) for v in rows[name].tolist()],
        }
        for name, datatype in INPUTS.items()
    ]
    body: dict = {"inputs": inputs}
    if request_id:
        body["id"] = request_id
    if parameters:
        body["parameters"] = parameters
    return body
