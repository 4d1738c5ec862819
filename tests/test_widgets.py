"""Every widget chart in every lesson: each control changes the chart, and
invalid values give a readable message instead of an exception."""

from __future__ import annotations

import base64

import ipywidgets as widgets
import pytest

from russia_china.lessons import all_widget_factories
from russia_china.tools.control_values import alternative_values
from russia_china.widgets import ChartWidget

FACTORIES = all_widget_factories()


def test_lessons_register_widgets():
    lessons = {key.split(":")[0] for key in FACTORIES}
    assert "00" in lessons
    for lesson in lessons:
        count = sum(key.startswith(lesson + ":") for key in FACTORIES)
        assert count >= 2, f"lesson {lesson} has {count} widget chart(s); each lesson needs at least two"


@pytest.mark.parametrize("key", sorted(FACTORIES))
def test_every_control_changes_the_chart(key):
    chart = FACTORIES[key]()
    assert isinstance(chart, ChartWidget)
    assert chart.text is not None and chart.message == "", "the default view must draw"
    for name, control in chart.controls.items():
        default = control.value
        for value in alternative_values(control):
            before = (chart.png, chart.text)
            control.value = value
            assert chart.message == "", f"{key}: {name}={value!r} gave {chart.message!r}"
            assert (chart.png, chart.text) != before, f"{key}: changing {name} to {value!r} did not change the chart"
        control.value = default
    # After all those redraws the chart is pixel for pixel a new one's at the same values
    # (one control's menu may follow another's, so the values need not be the defaults).
    fresh = FACTORIES[key]()
    if fresh.values != chart.values:
        fresh.update(**chart.values)
    assert chart.png == fresh.png, f"{key}: redraws left state behind on the chart"


@pytest.mark.parametrize("key", sorted(FACTORIES))
def test_every_chart_is_labelled(key):
    chart = FACTORIES[key]()
    text = chart.text
    assert text.title and text.units.strip() and text.sources and len(text.alt_text) > 40
    assert chart.figure.source_text.startswith("Source:")
    assert text.units in chart.axes.get_title(loc="left")
    # The static copy a viewer without a kernel shows carries the same alt text and source line.
    data, metadata = chart._repr_mimebundle_()
    assert metadata["image/png"]["alt"] == text.alt_text
    assert metadata["image/png"]["source"] == " ".join(chart.figure.source_text.split())
    assert base64.b64decode(data["image/png"]) == chart.png


@pytest.mark.parametrize("key", sorted(FACTORIES))
def test_invalid_values_give_a_message_not_an_exception(key):
    chart = FACTORIES[key]()
    tried = 0
    for name, control in chart.controls.items():
        if isinstance(control, widgets.SelectMultiple):
            chart.update(**{name: ()})
        elif isinstance(control, (widgets.IntRangeSlider, widgets.FloatRangeSlider)):
            low, high = control.min, control.max
            chart.update(**{name: (high, low)})
        else:
            continue
        tried += 1
        assert chart.message, f"{key}: invalid {name} gave no message"
        assert "Traceback" not in chart.message
        chart.update()
        assert chart.message == ""
    if tried == 0:
        single_valued = (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.Select,
                         widgets.IntSlider, widgets.FloatSlider, widgets.Checkbox, widgets.ToggleButton)
        assert all(isinstance(c, single_valued) for c in chart.controls.values()), (
            f"{key}: a control that can hold an empty or reversed value needs a case here"
        )


def test_gallery_draws_years_without_joint_vetoes_as_zero():
    from russia_china.lessons.introduction import series_gallery_widget

    chart = series_gallery_widget().set(dataset="unsc_vetoes")
    years, counts = chart.axes.get_lines()[0].get_data()
    assert list(years) == list(range(int(years[0]), int(years[-1]) + 1)), "every year is on the line"
    assert 0 in list(counts) and not any(c != c for c in counts), "years with no joint veto are 0, not gaps"


def test_gallery_keeps_gaps_in_sparse_records():
    from russia_china.lessons.introduction import series_gallery_widget

    chart = series_gallery_widget().set(dataset="trade_by_reporter")
    customs = next(line for line in chart.axes.get_lines() if "GACC" in line.get_label())
    values = list(customs.get_ydata())
    assert any(v != v for v in values), "years without a customs headline stay empty (NaN)"
