"""The benchmark's report: goals marked honestly, partial runs merged, raw numbers kept."""

from __future__ import annotations

import json

import pytest

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


BROWSER = {"commit": "abc1234", "load_before": [0.4, 0.5, 0.6], "load_after": [0.9, 0.7, 0.6], "seconds": 300,
           "rows": [{"widget": "00:fast", "changes": 31, "unchanged": 0, "median_ms": 45.0, "p95_ms": 80.5,
                     "max_ms": 120.0, "swap_median_ms": 40.0, "decode_median_ms": 5.0, "kernel_median_ms": 30.0,
                     "kernel_p95_ms": 42.0, "png_median_ms": 20.0, "encode_median_ms": 4.0, "html_median_ms": 0.1,
                     "message_kb": 84.7, "transfer_median_ms": 10.0},
                    {"widget": "05:slow", "changes": 30, "unchanged": 1, "median_ms": 120.0, "p95_ms": 230.0,
                     "max_ms": 300.0, "swap_median_ms": 110.0, "decode_median_ms": 10.0, "kernel_median_ms": 60.0,
                     "kernel_p95_ms": 90.0, "png_median_ms": 30.0, "encode_median_ms": None, "html_median_ms": None,
                     "message_kb": 120.0, "transfer_median_ms": None}]}


def test_browser_rows_sit_beside_the_kernel_figures_and_the_before_figures():
    before = {"commit": "0f525fa", "rows": [{**BROWSER["rows"][1], "median_ms": 150.0, "p95_ms": 260.0}]}
    text = bench_report.lines("browser", BROWSER, {"widgets": WIDGETS, "browser_before": before})
    assert "| 00:fast | 31 | 45 | 80.5 | 40 | 90 | – | met |" in text
    assert "| 05:slow | 30 | 120 | 230 | 51 | 70 | 150 / 260 | **missed** |" in text
    assert "| 05:slow | 60 | 90 | 30 | – | 120 | – | 10 |" in text, "a part not split off shows as a dash"
    assert "abc1234" in text and "[0.4, 0.5, 0.6]" in text and "0f525fa" in text


def test_a_browser_row_without_timings_or_out_of_order_is_refused():
    good = BROWSER["rows"][0]
    bench_report.validate_browser_row(good)
    for broken in ({**good, "changes": 0}, {**good, "median_ms": None}, {**good, "p95_ms": 30.0},
                   {**good, "decode_median_ms": -1.0}, {k: v for k, v in good.items() if k != "kernel_median_ms"}):
        with pytest.raises(ValueError):
            bench_report.validate_browser_row(broken)


def test_the_browser_part_is_recorded_and_reported(tmp_path):
    bench_report.record({"widgets": WIDGETS}, tmp_path)
    markdown, raw = bench_report.record({"browser": BROWSER}, tmp_path)
    assert json.loads(raw.read_text(encoding="utf-8"))["browser"] == BROWSER
    text = markdown.read_text(encoding="utf-8")
    assert "## Widget response in the browser" in text and "| 00:fast | 31 | 45 | 80.5 | 40 | 90 |" in text


def test_shard_report_gives_the_two_machine_time_and_says_when_the_merge_differs():
    result = {"submissions": 50, "workers": 2, "shards": 2, "one_run_s": 100.0, "shard_s": [52.0, 49.5],
              "merge_s": 0.4, "merged_equals_one_run": True}
    text = "\n".join(bench_report.shard_lines(result))
    assert "**52.4 s** against 100.0 s in one run" in text and "| shard 2/2 | 49.5 |" in text
    assert "one run's: **yes**" in text
    assert "one run's: **NO**" in "\n".join(bench_report.shard_lines({**result, "merged_equals_one_run": False}))
