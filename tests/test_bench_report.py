"""The benchmark's report: goals marked honestly, partial runs merged, raw numbers kept."""

from __future__ import annotations

import json

from russia_china.tools import bench_report

WIDGETS = [{"widget": "00:fast", "changes": 30, "median_ms": 40.0, "p95_ms": 90.0, "max_ms": 120.0},
           {"widget": "05:slow", "changes": 30, "median_ms": 51.0, "p95_ms": 70.0, "max_ms": 80.0}]
GRADING = [{"submissions": 50, "workers": 1, "seconds": 250.0, "peak_kernel_mb": 170.0, "failed": 0,
            "bubblewrap": True},
           {"submissions": 50, "workers": 2, "seconds": 160.0, "peak_kernel_mb": 171.0, "failed": 0,
            "bubblewrap": True}]


def test_each_widget_is_marked_against_the_goal():
    lines = bench_report.widget_lines(WIDGETS)
    assert lines[2].endswith("| met |") and lines[3].endswith("| **missed** |")


def test_grading_speed_up_below_goal_is_reported_as_missed():
    text = "\n".join(bench_report.grading_lines(GRADING))
    assert "1.56 ×" in text and "**missed**" in text
    assert "| 50 | 1 | 250.0 | 12.0 |" in text


def test_a_partial_run_keeps_the_other_sections(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_report, "DOCS", tmp_path)
    bench_report.record({"widgets": WIDGETS}, tmp_path)
    markdown, raw = bench_report.record({"grading": GRADING}, tmp_path)
    data = json.loads(raw.read_text(encoding="utf-8"))
    assert data["widgets"] == WIDGETS and data["grading"] == GRADING and data["cores"] >= 1
    text = markdown.read_text(encoding="utf-8")
    assert "## Widget response" in text and "## Grading throughput" in text and "05:slow" in text
