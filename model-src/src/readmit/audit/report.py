"""The audit report in three formats: Markdown and JSON for tools and diffs, one self-contained HTML file
(a table per environment and an inline SVG timeline) for the auditor."""

from __future__ import annotations

import html
import json
from dataclasses import asdict
from datetime import datetime

from readmit.audit.anomalies import Anomaly
from readmit.envs.timeline import Segment

COLUMNS = ["version", "weight", "start", "end", "kind", "commit", "author", "approver", "metrics", "gates"]


def _cell(seg: Segment, col: str) -> str:
    value = getattr(seg, col)
    if col == "commit":
        return value[:12]
    if col == "end":
        return value or "live"
    if col == "weight":
        return f"{value}%"
    return str(value or "-")


def to_json(timeline: dict[str, list[Segment]], anomalies: list[Anomaly], meta: dict) -> str:
    doc = {
        "meta": meta,
        "timeline": {e: [asdict(s) for s in segs] for e, segs in timeline.items()},
        "anomalies": [asdict(a) for a in anomalies],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def to_markdown(timeline: dict[str, list[Segment]], anomalies: list[Anomaly], meta: dict) -> str:
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
    lines += ["## Anomalies", ""]
    lines += [f"- **{a.kind}** {a.env or '-'} `{a.commit[:12]}`: {a.message}" for a in anomalies] or [
        "None found."
    ]
    return "\n".join(lines) + "\n"


def to_html(timeline: dict[str, list[Segment]], anomalies: list[Anomaly], meta: dict) -> str:
    esc = html.escape
    parts = [
        (
            f"<h1>Deployment audit</h1><p>{esc(meta['repo'])}, branch <code>{esc(meta['rev'])}</code> at "
            f"<code>{esc(meta['head'][:12])}</code>; {meta['commits']} commits touching environments/.</p>"
        ),
        "<h2>Timeline</h2>",
        svg_timeline(timeline),
    ]
    for env, segs in timeline.items():
        head = "".join(f"<th>{c}</th>" for c in COLUMNS)
        rows = "".join(
            "<tr>" + "".join(f"<td>{esc(_cell(s, c))}</td>" for c in COLUMNS) + "</tr>" for s in segs
        )
        parts.append(f"<h2>{esc(env)}</h2><table><tr>{head}</tr>{rows}</table>")
    items = "".join(
        f"<li><b>{esc(a.kind)}</b> {esc(a.env or '-')} <code>{esc(a.commit[:12])}</code>: "
        f"{esc(a.message)}</li>"
        for a in anomalies
    )
    parts.append(f"<h2>Anomalies ({len(anomalies)})</h2><ul>{items or '<li>None found.</li>'}</ul>")
    style = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:13px}"
        "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}th{background:#eee}"
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>readmit audit</title><style>{style}</style>"
        f"</head><body>{''.join(parts)}</body></html>\n"
    )


def _ts(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def svg_timeline(timeline: dict[str, list[Segment]], width: int = 900) -> str:
    """One lane per environment; a bar per live (version, weight), its height the traffic share."""
    segs = [s for ss in timeline.values() for s in ss]
    if not segs:
        return "<p>No version has been live yet.</p>"
    now = max(
        max(_ts(s.start) for s in segs),
        max(_ts(s.end) for s in segs if s.end) if any(s.end for s in segs) else 0,
    )
    t0 = min(_ts(s.start) for s in segs)
    span = max(now - t0, 1.0) * 1.05
    lane, left = 60, 70
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width + left}' "
        f"height='{lane * len(timeline) + 20}'>"
    ]
    for i, (env, ss) in enumerate(timeline.items()):
        y = i * lane + 10
        out.append(f"<text x='0' y='{y + lane / 2}' font-size='13'>{html.escape(env)}</text>")
        for s in ss:
            x = left + (_ts(s.start) - t0) / span * width
            x2 = left + ((_ts(s.end) if s.end else t0 + span) - t0) / span * width
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


RENDERERS = {"md": to_markdown, "json": to_json, "html": to_html}
