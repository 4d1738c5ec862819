"""Values a student could give a widget control: used by the generic widget
tests and by the redraw benchmark, so both exercise the same choices."""

from __future__ import annotations

import ipywidgets as widgets


def _option_values(control: widgets.ValueWidget) -> list[object]:
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


def alternative_values(control: widgets.ValueWidget) -> list[object]:
    """A few valid values that differ from the control's current one."""
    if isinstance(control, widgets.SelectMultiple):
        labels = _option_values(control)
        single: list[object] = [(v,) for v in labels if (v,) != tuple(control.value)]
        everything: list[object] = [tuple(labels)] if set(control.value) != set(labels) else []
        return everything + single[:2]
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.Select)):
        return [v for v in _option_values(control) if v != control.value]
    if isinstance(control, (widgets.IntRangeSlider, widgets.FloatRangeSlider)):
        low, high = control.value
        narrower = (low + control.step, high) if low + control.step <= high else (low, high - control.step)
        wider = (control.min, control.max)
        return [v for v in (narrower, wider) if v != tuple(control.value)]
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider, widgets.BoundedIntText)):
        return [v for v in (control.min, control.max) if v != control.value]
    if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        return [not control.value]
    raise TypeError(f"no sample values for a {type(control).__name__}; extend alternative_values")


def sweep_values(control: widgets.ValueWidget, count: int) -> list[object]:
    """``count`` valid values spread across the control's range, for timing redraws."""
    if isinstance(control, (widgets.IntRangeSlider, widgets.IntSlider)):
        span = control.max - control.min
        points = [control.min + round(span * i / max(count - 1, 1)) for i in range(count)]
        if isinstance(control, widgets.IntSlider):
            return points
        return [(control.min, p) if p > control.min else (control.min, control.max) for p in points]
    if isinstance(control, widgets.SelectMultiple):
        labels = _option_values(control)
        return [tuple(labels[: i % len(labels) + 1]) for i in range(count)]
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.Select)):
        values = _option_values(control)
        return [values[i % len(values)] for i in range(count)]
    if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        return [bool(i % 2) for i in range(count)]
    raise TypeError(f"no sweep values for a {type(control).__name__}; extend sweep_values")
