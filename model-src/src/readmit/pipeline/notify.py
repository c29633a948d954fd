"""The `notify` finally task: one Markdown summary of a run (statuses only: no data, no PHI), printed and,
when a webhook URL is given (a file in a Secret workspace), POSTed as `{"text": ...}` (Slack and Teams
incoming webhooks accept that shape)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from readmit.errors import CheckFailed

ICONS = {"Succeeded": "ok", "Completed": "ok (some tasks skipped)", "Failed": "FAILED", "None": "unknown"}


def message(run: str, aggregate: str, items: list[str]) -> str:
    """Markdown: the verdict, then one `- name: value` line per NAME=VALUE item (empty values left out)."""
    lines = [f"**{run}**: {ICONS.get(aggregate, aggregate)} (tasks.status = {aggregate})", ""]
    lines += [f"- {k}: {v}" for k, _, v in (item.partition("=") for item in items) if v]
    return "\n".join(lines)


def post(url_file: Path, text: str, timeout: float = 10.0) -> None:
    url = Path(url_file).read_text(encoding="utf-8").strip()
    request = urllib.request.Request(
        url, data=json.dumps({"text": text}).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (URL from a Secret)
            response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise CheckFailed(
            f"notify: the webhook did not accept the message ({exc.__class__.__name__})"
        ) from exc
