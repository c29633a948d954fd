"""The audit report in three formats: Markdown and JSON for tools and diffs, one self-contained HTML file
(a table per environment and an inline SVG timeline) for the auditor."""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from readmit.audit.anomalies import Anomaly
from readmit.envs.timeline import Segment

COLUMNS = ["version", "weight", "start", "end", "kind", "commit", "author", "approver", "metrics", "gates"]
# In HTML the metrics a reviewer compares get columns of their own; the rest share one wrapped cell.
METRIC_COLUMNS = {
    "roc_auc": "ROC-AUC",
    "auprc": "AUPRC",
    "ece": "ECE",
    "calibration_slope": "calibration slope",
}
HTML_COLUMNS = [*COLUMNS[:8], *METRIC_COLUMNS, "other metrics", "gates"]
NUMERIC = {"version", "weight", *METRIC_COLUMNS}
WRAPPED = {"start", "end", "author", "approver", "other metrics"}  # long values wrap; the rest stays whole
STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:1600px}"
    "table{border-collapse:collapse;font-size:13px;width:100%}"
    "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top;white-space:nowrap}"
    "th{background:#eee}td.num{text-align:right}td.code{font-family:monospace}"
    "td.wrap{white-space:normal;overflow-wrap:anywhere;min-width:7em}"
    "svg{max-width:100%;height:auto}"
)


def _cell(seg: Segment, col: str) -> str:
    value = getattr(seg, col)
    if col == "commit":
        return value[:12]
    if col == "end":
        return value or "live"
    if col == "weight":
        return f"{value}%"
    return str(value or "-")


def _metrics(metrics: str) -> dict[str, str]:
    """The `k=v,...` metrics annotation as a dict (values kept as written)."""
    pairs = (item.partition("=") for item in metrics.split(",") if "=" in item)
    return {k.strip(): v.strip() for k, _, v in pairs}


def _metric_cells(metrics: str) -> tuple[str, ...]:
    """The cells one metrics annotation fills: a column per compared metric, then the rest in one."""
    values = _metrics(metrics)
    rest = ", ".join(f"{k}={v}" for k, v in sorted(values.items()) if k not in METRIC_COLUMNS) or "-"
    return (*(values.get(col, "-") for col in METRIC_COLUMNS), rest)


def _html_cells(seg: Segment, metric_cells=_metric_cells) -> tuple[str, ...]:
    """The text of each HTML cell of one row, in HTML_COLUMNS order: `_cell`'s text, written out for
    speed (a test holds the two equal), with a space where a time begins so that it can wrap there."""
    return (
        str(seg.version or "-"),
        f"{seg.weight}%",
        (seg.start or "-").replace("T", " ", 1),
        (seg.end or "live").replace("T", " ", 1),
        seg.kind or "-",
        seg.commit[:12],
        seg.author or "-",
        seg.approver or "-",
        *metric_cells(seg.metrics),
        seg.gates or "-",
    )


def _css(col: str) -> str:
    return "num" if col in NUMERIC else "wrap" if col in WRAPPED else "code" if col == "commit" else ""


# A row's markup with a slot per cell, built once (a long history has ten thousand rows).
_ROW = "<tr>" + "".join(
    f"<td class='{_css(c)}'>{{}}</td>" if _css(c) else "<td>{}</td>" for c in HTML_COLUMNS
)
_ROW += "</tr>"


class _Escaped(dict):
    """text -> html.escape(text), each distinct text escaped once: a history repeats its cell values
    (authors, metrics, the times of one change's rows)."""

    def __missing__(self, text: str) -> str:
        self[text] = html.escape(text)
        return self[text]


def _html_rows(segs: list[Segment]) -> str:
    """Every row of one table."""
    escaped = _Escaped()
    metric_cells = functools.lru_cache(maxsize=None)(_metric_cells)
    return "".join(_ROW.format(*map(escaped.__getitem__, _html_cells(s, metric_cells))) for s in segs)


def to_json(timeline: dict[str, list[Segment]], anomalies: list[Anomaly], meta: dict) -> str:
    """The bytes of `json.dumps({"meta", "timeline", "anomalies"}, indent=2, sort_keys=True)`, assembled
    from flat records: with `indent` json uses its pure-Python encoder, which took most of a 10,000-commit
    audit's rendering; each flat record here goes through the C encoder."""
    return _json_page(_json_timeline(timeline, meta), anomalies, meta)


def _json_timeline(timeline: dict[str, list[Segment]], meta: dict) -> str:
    envs = [f"    {json.dumps(e)}: {_flat_list([vars(s) for s in timeline[e]], 2)}" for e in sorted(timeline)]
    return "{\n" + ",\n".join(envs) + "\n  }" if envs else "{}"


def _json_page(by_env: str, anomalies: list[Anomaly], meta: dict) -> str:
    return (
        "{\n"
        f'  "anomalies": {_flat_list([vars(a) for a in anomalies], 1)},\n'
        f'  "meta": {_flat(meta, 1)},\n'
        f'  "timeline": {by_env}\n'
        "}\n"
    )


def _flat(record: dict, level: int) -> str:
    """A dict of scalars as `json.dumps(indent=2, sort_keys=True)` prints it `level` levels deep."""
    if not record:
        return "{}"
    pad = "  " * level
    inner = json.dumps(record, sort_keys=True, separators=(f",\n{pad}  ", ": "))[1:-1]
    return f"{{\n{pad}  {inner}\n{pad}}}"


def _flat_list(records: list[dict], level: int) -> str:
    if not records:
        return "[]"
    pad = "  " * level
    return "[\n" + ",\n".join(f"{pad}  {_flat(r, level + 1)}" for r in records) + f"\n{pad}]"


def to_markdown(timeline: dict[str, list[Segment]], anomalies: list[Anomaly], meta: dict) -> str:
    return _markdown_page(_markdown_timeline(timeline, meta), anomalies, meta)


def _markdown_timeline(timeline: dict[str, list[Segment]], meta: dict) -> str:
    lines = [
        f"# Deployment audit of {meta['repo']}",
        "",
        f"Branch `{meta['rev']}` at `{meta['head'][:12]}`; {meta['commits']} commits touching environments/.",
        "",
    ]
    for env, segs in timeline.items():
        lines += [f"## {env}", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(_cell(s, c).replace("|", "\\|") for c in COLUMNS) + " |" for s in segs]
        lines.append("")
    return "\n".join(lines) + "\n"


def _markdown_page(tables: str, anomalies: list[Anomaly], meta: dict) -> str:
    lines = ["## Anomalies", ""]
    lines += [f"- **{a.kind}** {a.env or '-'} `{a.commit[:12]}`: {a.message}" for a in anomalies] or [
        "None found."
    ]
    return tables + "\n".join(lines) + "\n"


def to_html(timeline: dict[str, list[Segment]], anomalies: list[Anomaly], meta: dict) -> str:
    return _html_page(_html_timeline(timeline, meta), anomalies, meta)


def _html_timeline(timeline: dict[str, list[Segment]], meta: dict) -> str:
    esc = html.escape
    parts = [
        (
            f"<h1>Deployment audit</h1><p>{esc(meta['repo'])}, branch <code>{esc(meta['rev'])}</code> at "
            f"<code>{esc(meta['head'][:12])}</code>; {meta['commits']} commits touching environments/.</p>"
        ),
        "<h2>Timeline</h2>",
        svg_timeline(timeline),
    ]
    head = "".join(f"<th>{esc(METRIC_COLUMNS.get(c, c))}</th>" for c in HTML_COLUMNS)
    for env, segs in timeline.items():
        parts.append(f"<h2>{esc(env)}</h2><table><tr>{head}</tr>{_html_rows(segs)}</table>")
    return "".join(parts)


def _html_page(body: str, anomalies: list[Anomaly], meta: dict) -> str:
    esc = html.escape
    items = "".join(
        f"<li><b>{esc(a.kind)}</b> {esc(a.env or '-')} <code>{esc(a.commit[:12])}</code>: "
        f"{esc(a.message)}</li>"
        for a in anomalies
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>readmit audit</title><style>{STYLE}</style>"
        f"</head><body>{body}<h2>Anomalies ({len(anomalies)})</h2><ul>{items or '<li>None found.</li>'}</ul>"
        "</body></html>\n"
    )


def _ts(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def svg_timeline(timeline: dict[str, list[Segment]], width: int = 900) -> str:
    """One lane per environment; a bar per live (version, weight), its height the traffic share."""
    segs = [s for ss in timeline.values() for s in ss]
    if not segs:
        return "<p>No version has been live yet.</p>"
    # Rows of one change share their times: read each distinct timestamp once.
    ts = {t: _ts(t) for t in {s.start for s in segs} | {s.end for s in segs if s.end}}
    now = max(
        max(ts[s.start] for s in segs),
        max(ts[s.end] for s in segs if s.end) if any(s.end for s in segs) else 0,
    )
    t0 = min(ts[s.start] for s in segs)
    span = max(now - t0, 1.0) * 1.05
    lane, left = 60, 70
    high = lane * len(timeline) + 20
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width + left}' height='{high}' "
        f"viewBox='0 0 {width + left} {high}'>"
    ]
    for i, (env, ss) in enumerate(timeline.items()):
        y = i * lane + 10
        out.append(f"<text x='0' y='{y + lane / 2}' font-size='13'>{html.escape(env)}</text>")
        for s in ss:
            x = left + (ts[s.start] - t0) / span * width
            x2 = left + ((ts[s.end] if s.end else t0 + span) - t0) / span * width
            h = max(s.weight / 100 * (lane - 14), 3)
            hue = (s.version * 67) % 360
            out.append(
                f"<rect x='{x:.1f}' y='{y + lane - 14 - h:.1f}' width='{max(x2 - x, 1):.1f}' "
                f"height='{h:.1f}' "
                f"fill='hsl({hue},60%,60%)' fill-opacity='0.7'><title>v{s.version} {s.weight}% from "
                f"{s.start} "
                f"to {s.end or 'now'}</title></rect>"
            )
            if x2 - x > 24:  # label only bars wide enough to hold it; the tooltip names every bar
                out.append(f"<text x='{x + 2:.1f}' y='{y + lane - 2}' font-size='10'>v{s.version}</text>")
    out.append("</svg>")
    return "".join(out)


class Format(NamedTuple):
    """A report format in two steps: `timeline(timeline, meta)`, the part the anomalies do not change
    (rendered while they are still being looked for), then `page(that part, anomalies, meta)`."""

    timeline: Callable[[dict[str, list[Segment]], dict], str]
    page: Callable[[str, list[Anomaly], dict], str]


RENDERERS = {
    "md": Format(_markdown_timeline, _markdown_page),
    "json": Format(_json_timeline, _json_page),
    "html": Format(_html_timeline, _html_page),
}
