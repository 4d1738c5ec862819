"""Benchmarks of what users feel. Run from `make bench`; never a timed test.

Widget response: for every widget chart of every lesson, the wall time from a
control change to the finished redraw (the PNG the student sees), over at
least 30 changes spread across each control's range.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from ..lessons import all_widget_factories
from ..widgets import ChartWidget
from .control_values import sweep_values


def time_redraws(chart: ChartWidget, changes: int) -> list[float]:
    """Redraw times in milliseconds, cycling through every control in turn."""
    per_control = max(1, -(-changes // len(chart.controls)))
    timings = []
    for _name, control in chart.controls.items():
        default = control.value
        for value in sweep_values(control, per_control + 1)[1:]:
            if value == control.value:
                continue
            start = time.perf_counter()
            control.value = value
            timings.append((time.perf_counter() - start) * 1000)
        control.value = default
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench_widgets(changes: int = 30, progress: Callable | None = None) -> list[dict]:
    """Median and 95th percentile redraw time for each widget chart."""
    rows = []
    factories = all_widget_factories()
    items = progress(factories.items(), total=len(factories), desc="widgets") if progress else factories.items()
    for key, factory in items:
        chart = factory()
        timings = time_redraws(chart, changes)
        rows.append({
            "widget": key,
            "changes": len(timings),
            "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(percentile(timings, 0.95), 1),
            "max_ms": round(max(timings), 1),
        })
    return rows
