"""Send stays of a cohort through the router as a client would (`seldon-model: readmission.experiment`),
and print what comes back. Only pseudonymous keys, age bands, scores and feature names are printed."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd

from readmit.demo import shell
from readmit.envs.state import EXPERIMENT
from readmit.serving import inference_log
from readmit.serving.v2 import request_body
from readmit.traffic.cards import SERVICE_ID
from readmit.traffic.experiment import MODEL_HEADER, ROUTE_HEADER

HEADERS = {MODEL_HEADER: f"{EXPERIMENT}.experiment", "content-type": "application/json"}
CLIENTS = 4
MIRROR_WAIT_S = 60.0


@dataclass(frozen=True)
class Answer:
    status: int
    route: str  # x-seldon-route: which model version answered
    outputs: dict


def score(client: httpx.Client, base: str, row: pd.DataFrame, explain: bool) -> Answer:
    body = json.dumps(request_body(row, {"explain": explain})).encode()
    r = client.post(f"{base}/v2/models/readmission/infer", content=body, headers=HEADERS)
    outputs = {o["name"]: o["data"] for o in r.json().get("outputs", [])} if r.status_code == 200 else {}
    return Answer(r.status_code, r.headers.get(ROUTE_HEADER, ""), outputs)


def explained(base: str, rows: pd.DataFrame, shown: int = 2) -> list[Answer]:
    """Score each row with its explanation; print the first `shown` answered ones."""
    with httpx.Client(timeout=60) as client:
        answers = [score(client, base, rows.iloc[[i]], explain=True) for i in range(len(rows))]
    ok = [(i, a) for i, a in enumerate(answers) if a.status == 200]
    shell.say(f"scored {len(ok)} of {len(rows)} stays ({len(rows) - len(ok)} refused by the input checks)")
    for i, a in ok[:shown]:
        print(describe(rows.iloc[i], a), flush=True)
    return answers


def describe(row: pd.Series, a: Answer) -> str:
    explanation = json.loads(a.outputs["explanation"][0])
    lines = [
        f"\nstay {row['encounter_key'][:12]}… (patient {row['patient_key'][:12]}…, age {row['age_band']}, "
        f"{row['los_days']:.0f} days): risk {a.outputs['readmission_risk'][0]:.1%}, "
        f"band {a.outputs['risk_band'][0]}, answered by {a.route.strip(':')}",
        f"  logit {explanation['explained_logit']:+.3f} = base {explanation['base_value']:+.3f} "
        "+ the terms below (log-odds, before calibration)",
    ]
    for term in explanation["contributions"]:
        value = "" if term["value"] is None else f" (value {term['value']:g})"
        lines.append(f"  {term['contribution']:+.3f}  {term['label']}{value}")
    return "\n".join(lines)


def load(base: str, rows: pd.DataFrame, requests: int, seed: int) -> dict[str, int]:
    """`requests` one-stay requests drawn from `rows` (without explanations), a few clients at once;
    returns how many each route answered."""
    picks = rows.sample(n=requests, replace=len(rows) < requests, random_state=seed)
    with httpx.Client(timeout=60) as client, ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(lambda i: score(client, base, picks.iloc[[i]], False), range(requests)))
    routes: dict[str, int] = {}
    for a in answers:
        key = a.route.strip(":") if a.status == 200 else f"HTTP {a.status}"
        routes[key] = routes.get(key, 0) + 1
    shell.say(f"sent {requests} requests: " + ", ".join(f"{k} {v}" for k, v in sorted(routes.items())))
    return routes


def mirrored(log: Path, version: int, expected: int, timeout: float = MIRROR_WAIT_S) -> int:
    """Wait until the mirror's copies (sent after the answers) are in the inference log."""
    deadline = time.monotonic() + timeout
    while True:
        seen = _logged(log, version)
        if seen >= expected or time.monotonic() > deadline:
            shell.say(f"the shadow v{version} scored {seen} mirrored requests")
            return seen
        time.sleep(0.5)


def _logged(log: Path, version: int) -> int:
    if not log.is_file():
        return 0
    requests = inference_log.read_requests(log)
    return int((requests["version"].astype(str) == str(version)).sum()) if len(requests) else 0


def cds_card(base: str, request: dict) -> dict | None:
    """POST an encounter-discharge hook to the CDS Hooks service and print the card it answers."""
    r = httpx.post(f"{base}/cds-services/{SERVICE_ID}", json=request, timeout=60)
    cards = r.json().get("cards", []) if r.status_code == 200 else []
    if not cards:
        shell.say(f"CDS Hooks answered {r.status_code} without a card: {r.text[:200]}")
        return None
    card = cards[0]
    print(
        f"\nCDS Hooks card ({card['indicator']}): {card['summary']}\n"
        + "\n".join(f"  | {line}" for line in card["detail"].splitlines())
        + f"\n  source: {card['source']['label']}",
        flush=True,
    )
    return card
