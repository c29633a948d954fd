"""Part 4: `readmit audit` over the demo remote's history, and where everything the demo made is."""

from __future__ import annotations

from pathlib import Path

from readmit.demo import shell
from readmit.demo.workspace import Workspace


def audit(ws: Workspace) -> Path:
    """The Markdown timeline is printed; the HTML report (with plots) is written beside it."""
    shell.readmit(
        ["audit", "--env", ws.target(), "--format", "md", "--repo", str(ws.checkout)], ws.env, cwd=ws.checkout
    )
    report = ws.run / "audit.html"
    shell.readmit(
        ["audit", "--format", "html", "--out", str(report), "--repo", str(ws.checkout)],
        ws.env,
        cwd=ws.checkout,
    )
    return report


def where(ws: Workspace, places: dict[str, Path | str]) -> str:
    """The closing list: what was made and where; the MLflow UI command comes first."""
    uri = ws.mlflow_uri
    lines = [
        "",
        "Where everything is:",
        f"  MLflow store           {uri}  (artifacts in {ws.work / 'mlartifacts'})",
        f"    open its UI with     mlflow ui --backend-store-uri {uri} --port 5000",
        f"  git remote             {ws.bare}  (checkout {ws.checkout}; `git -C {ws.checkout} log` shows the"
        " merged promotions with their trailers)",
    ]
    width = max(len(k) for k in places)
    lines += [f"  {name.ljust(max(width, 22))} {value}" for name, value in places.items()]
    lines.append(
        f"  run it again           make demo  (carries on in {ws.work}; `rm -rf {ws.work}` starts over)"
    )
    return "\n".join(lines)
