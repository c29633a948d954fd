"""The audit's HTML: the metrics a reviewer compares in columns of their own, long values wrapped."""

from __future__ import annotations

import dataclasses
import json
import re

from readmit.audit.anomalies import Anomaly
from readmit.audit.report import COLUMNS, HTML_COLUMNS, METRIC_COLUMNS, _cell, _html_cells, to_html, to_json
from readmit.envs.timeline import Segment

METRICS = (
    "auprc=0.2200,brier=0.0950,calibration_slope=1.0200,ece=0.0120,roc_auc=0.6800,subgroup_auc_gap=0.0500"
)
META = {"repo": "/repo", "rev": "main", "head": "a" * 40, "commits": 2}


def _segment(metrics: str = METRICS) -> Segment:
    author = "Pat Promoter With A Rather Long Name <pat.promoter.with.a.long.address@hospital.example>"
    return Segment(
        "prod", 3, 100, "2026-11-30T10:00:00+00:00", None, "b" * 40, author, "", "promote", metrics, "passed"
    )


def _cells(page: str) -> tuple[list[str], list[str]]:
    head = re.findall(r"<th>(.*?)</th>", page)
    row = re.findall(r"<td[^>]*>(.*?)</td>", page)
    return head, row


def test_roc_auc_auprc_ece_and_slope_have_columns_of_their_own():
    head, row = _cells(to_html({"prod": [_segment()]}, [], META))
    assert [h for h in head if h in METRIC_COLUMNS.values()] == [
        "ROC-AUC",
        "AUPRC",
        "ECE",
        "calibration slope",
    ]
    values = dict(zip(head, row, strict=True))
    assert (values["ROC-AUC"], values["AUPRC"], values["ECE"], values["calibration slope"]) == (
        "0.6800",
        "0.2200",
        "0.0120",
        "1.0200",
    )
    assert values["other metrics"] == "brier=0.0950, subgroup_auc_gap=0.0500"


def test_a_version_without_metrics_shows_dashes_not_an_error():
    head, row = _cells(to_html({"prod": [_segment("")]}, [], META))
    values = dict(zip(head, row, strict=True))
    assert values["ROC-AUC"] == "-" and values["other metrics"] == "-"


def test_long_values_wrap_and_the_page_fits_a_1280_px_screen():
    page = to_html({"prod": [_segment()]}, [], META)
    style = re.search(r"<style>(.*?)</style>", page).group(1)
    assert "td.wrap{white-space:normal;overflow-wrap:anywhere;min-width:7em}" in style
    assert "table{border-collapse:collapse;font-size:13px;width:100%}" in style
    assert "svg{max-width:100%;height:auto}" in style and "viewBox='0 0 " in page
    assert "<meta name='viewport'" in page
    head, _ = _cells(page)
    classes = re.findall(r"<td(?: class='(\w+)')?>", page)
    wrapped = [h for h, c in zip(head, classes, strict=True) if c == "wrap"]
    assert wrapped == ["start", "end", "author", "approver", "other metrics"]


def test_the_json_report_is_what_an_indented_sorted_json_dumps_prints():
    """to_json assembles the text by hand for speed; it must stay the bytes of json.dumps(indent=2)."""
    odd = Segment(
        "dev",
        7,
        20,
        "2026-11-30T10:00:00+00:00",
        "2026-12-01T10:00:00+00:00",
        "c" * 40,
        'Zoë "Quote" <z@x>',
        "Rita\\Reviewer",
        "rollback",
        "",
        "passed",
    )
    anomalies = [Anomaly("policy", "dev", "c" * 40, 'seldon-rollout: weight > 50 \u2013 "too big"\n')]
    for timeline, found in (
        ({"prod": [_segment()], "dev": [odd, odd]}, anomalies),
        ({}, []),
        ({"dev": []}, []),
    ):
        doc = {
            "meta": META,
            "timeline": {e: [dataclasses.asdict(s) for s in segs] for e, segs in timeline.items()},
            "anomalies": [dataclasses.asdict(a) for a in found],
        }
        assert to_json(timeline, found, META) == json.dumps(doc, indent=2, sort_keys=True) + "\n"


def test_each_html_cell_is_the_markdown_cell_of_its_column():
    """_html_cells writes the cells out for speed: they stay `_cell`'s text (times wrap after the date)."""
    live = _segment()
    ended = dataclasses.replace(live, version=0, end="2026-12-01T10:00:00+00:00", author="", gates="")
    for seg in (live, ended):
        cells = dict(zip(HTML_COLUMNS, _html_cells(seg), strict=True))
        for col in COLUMNS:
            if col != "metrics":
                wrapped = col in ("start", "end")
                assert cells[col] == (_cell(seg, col).replace("T", " ", 1) if wrapped else _cell(seg, col))


def test_html_cells_are_escaped():
    seg = dataclasses.replace(_segment("auprc=<b>,x=&"), author="A <a@x>", kind="it's")
    page = to_html({"prod": [seg]}, [], META)
    _, row = _cells(page)
    assert "A &lt;a@x&gt;" in row and "it&#x27;s" in row and "&lt;b&gt;" in row and "x=&amp;" in row
