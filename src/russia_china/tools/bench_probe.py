"""The kernel's side of the browser benchmark (tools/bench_browser.py).

Imported inside a lesson's running kernel through a second client. It finds
the notebook's widget charts, records how long each redraw took in the kernel
and how big the image message was, and says which values to sweep each control
through, using the same sweep as the in-kernel benchmark. Everything returns
JSON text, because it travels back as a user expression.
"""

from __future__ import annotations

import functools
import gc
import json
import time
from typing import Any

import ipywidgets as widgets

from .. import charts as _charts
from .. import widgets as _widgets
from .control_values import sweep_values

OPTION_CONTROLS = (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.Select)
#: Milliseconds of the last call to each wrapped function, read (and cleared) after every redraw.
_LAST: dict[str, float] = {}
_WRAPPED: set[object] = set()
_CHARTS: list[_widgets.ChartWidget] = []
_RECORDS: list[list[dict]] = []


def _timed(name: str, function):
    if function in _WRAPPED:  # attach() again in the same kernel: time each call once
        return function

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _LAST[name] = (time.perf_counter() - start) * 1000

    _WRAPPED.add(wrapper)
    return wrapper


def _wrap_parts() -> None:
    """Time the PNG (render and encode) and its HTML, where the chart code still has them."""
    for module, name, label in ((_widgets, "png_bytes", "png_ms"), (_widgets, "img_html", "html_ms"),
                                (_charts, "_encode_png", "encode_ms")):
        if callable(getattr(module, name, None)):
            setattr(module, name, _timed(label, getattr(module, name)))


def _creation_order() -> list[_widgets.ChartWidget]:
    from ipywidgets.widgets.widget import _instances

    order = {model_id: position for position, model_id in enumerate(_instances)}
    found = [o for o in gc.get_objects() if isinstance(o, _widgets.ChartWidget)]
    return sorted(found, key=lambda chart: order.get(getattr(chart.view, "model_id", None), len(order)))


def _sent_bytes(chart: _widgets.ChartWidget) -> int:
    """What a redraw sends at most: the image (HTML with the PNG in base64, or the PNG as a binary
    buffer), its caption and its alert."""
    total = 0
    for name in ("alert", "image", "caption"):
        part = getattr(chart, name, None)
        for trait in ("value", "png", "alt"):
            sent = getattr(part, trait, None)
            total += len(sent) if isinstance(sent, (str, bytes)) else 0
    return total


def attach(count: int) -> str:
    """Start recording the notebook's charts, in the order they were made (the order shown)."""
    _wrap_parts()
    _CHARTS[:] = [c for c in _creation_order() if getattr(c.view, "model_id", None)][-count:]
    _RECORDS[:] = [[] for _ in _CHARTS]
    for index, chart in enumerate(_CHARTS):
        seen = {"redraws": chart.redraws, "png": chart.png}

        # Registered after the chart's own observer, so it runs once the redraw is done.
        def record(change, chart=chart, index=index, seen=seen):
            if chart.redraws == seen["redraws"]:
                return  # a control steered by before_redraw, or an invalid choice: no new image
            seen["redraws"] = chart.redraws
            same_image, seen["png"] = chart.png == seen.get("png"), chart.png
            _RECORDS[index].append({
                "redraw_ms": getattr(chart, "last_redraw_ms", None),
                "png_bytes": len(chart.png),
                "same_image": same_image,  # nothing changes on the page, so the browser sees no redraw
                "message_bytes": _sent_bytes(chart),
                **{name: _LAST.pop(name, None) for name in ("png_ms", "encode_ms", "html_ms")},
            })

        for control in chart.controls.values():
            control.observe(record, names="value")
    return json.dumps(len(_CHARTS))


def _option_values(control) -> list:
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


def plan(chart: int, control: int, count: int) -> str:
    """How the browser should move one control through ``count`` values across its range."""
    widget = list(_CHARTS[chart].controls.values())[control]
    values: list[Any] = sweep_values(widget, count + 1)[1:]
    if isinstance(widget, widgets.SelectMultiple):
        options = _option_values(widget)
        targets = [sorted(options.index(v) for v in value) for value in values]
        return json.dumps({"kind": "multi", "targets": targets,
                           "current": sorted(options.index(v) for v in widget.value)})
    if isinstance(widget, OPTION_CONTROLS):
        options = _option_values(widget)
        kind = {widgets.Dropdown: "select", widgets.Select: "select", widgets.ToggleButtons: "buttons",
                widgets.RadioButtons: "radio"}[type(widget)]
        return json.dumps({"kind": kind, "targets": [options.index(v) for v in values],
                           "current": options.index(widget.value) if widget.value in options else None})
    if isinstance(widget, (widgets.Checkbox, widgets.ToggleButton)):
        kind = "check" if isinstance(widget, widgets.Checkbox) else "toggle"
        return json.dumps({"kind": kind, "targets": values, "current": bool(widget.value)})
    if isinstance(widget, (widgets.IntRangeSlider, widgets.IntSlider)):
        ranged = isinstance(widget, widgets.IntRangeSlider)
        return json.dumps({"kind": "range" if ranged else "slider", "step": widget.step,
                           "current": list(widget.value) if ranged else widget.value,
                           "targets": [list(v) if ranged else v for v in values]})
    raise TypeError(f"the browser benchmark cannot drive a {type(widget).__name__}; extend bench_probe.plan")


def records(chart: int, since: int = 0) -> str:
    """The redraws recorded for one chart since attach() (from the ``since``-th on), and how many in all."""
    return json.dumps({"redraws": _RECORDS[chart][since:], "count": len(_RECORDS[chart])})
