"""Self-contained HTML for what people read (canary analysis, realised performance): a Markdown-ish body
of tables rendered to HTML, with PNG plots embedded as data URIs."""

from __future__ import annotations

import base64
import html
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def png(fig) -> str:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=90, metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def histograms(series: dict[str, list[float]], title: str) -> str:
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, values in series.items():
        if len(values):
            ax.hist(values, bins=30, range=(0, 1), alpha=0.5, density=True, label=name)
    ax.set(xlabel="readmission risk", ylabel="density", title=title)
    ax.legend()
    return png(fig)


def page(title: str, markdown_text: str, images: list[str]) -> str:
    """Markdown tables and lines rendered as plain HTML (no external assets)."""
    body, table = [], []

    def flush():
        if table:
            rows = [r for r in table if not set(r.replace("|", "").strip()) <= {"-"}]
            cells = [[html.escape(c.strip()) for c in r.strip().strip("|").split("|")] for r in rows]
            head = "".join(f"<th>{c}</th>" for c in cells[0])
            rest = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in cells[1:])
            body.append(f"<table border=1 cellpadding=4><tr>{head}</tr>{rest}</table>")
            table.clear()

    for line in markdown_text.splitlines():
        if line.startswith("|"):
            table.append(line)
            continue
        flush()
        if line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.strip():
            text = html.escape(line)
            while text.count("**") >= 2:
                text = text.replace("**", "<b>", 1).replace("**", "</b>", 1)
            body.append(f"<p>{text}</p>")
    flush()
    body += [f'<img alt="plot" src="{src}">' for src in images]
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body style='font-family:sans-serif;margin:1em'>{''.join(body)}</body></html>\n"
    )
