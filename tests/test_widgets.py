"""Every widget chart in every lesson: each control changes the chart, and
invalid values give a readable message instead of an exception."""

from __future__ import annotations

import base64
import html
import re
from typing import Any

import ipywidgets as widgets
import pytest
from test_notebook_text import ONE_PLURAL

from russia_china.charts import MAX_SOURCE_LINES, counted
from russia_china.citations import cite, short_source, source_line
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
    alt_text = chart.figure.alt_text
    assert alt_text.startswith(text.alt_text)
    assert metadata["image/png"]["alt"] == alt_text
    assert metadata["image/png"]["source"] == " ".join(chart.figure.source_text.split())
    assert base64.b64decode(data["image/png"]) == chart.png
    # The live view is sent the same PNG, with the same alt text, on the <img> the browser tests look for.
    assert (chart.image.png, chart.image.alt, chart.image.css_class) == (
        chart.png, alt_text, "russia-china-chart-image")


@pytest.mark.parametrize("key", sorted(FACTORIES))
def test_source_line_is_short_and_nothing_of_it_is_lost(key):
    """At most three lines of small type under the chart; every full citation and
    the note are on the chart or, when it names its sources briefly, in the text alternative."""
    chart = FACTORIES[key]()
    on_chart = " ".join(chart.figure.source_text.split())
    assert chart.figure.source_text.count("\n") + 1 <= MAX_SOURCE_LINES, on_chart
    full = source_line(chart.text.sources, chart.text.source_note)
    assert full in on_chart or full.removeprefix("Source: ") in chart.figure.alt_text, on_chart
    for source_id in chart.text.sources:
        assert cite(source_id) in on_chart or short_source(source_id) in on_chart, source_id


@pytest.mark.parametrize("key", sorted(FACTORIES))
def test_counts_in_the_text_alternative_agree_with_their_nouns(key):
    """'1 event', never '1 events' or 'event(s)', whatever the controls show."""
    chart = FACTORIES[key]()
    texts = [chart.figure.alt_text]
    for control in chart.controls.values():
        default = control.value
        for value in alternative_values(control):
            control.value = value
            texts.append(chart.figure.alt_text)
        control.value = default
    wrong = {m.group(0) for text in texts for m in ONE_PLURAL.finditer(text)}
    wrong |= {m.group(0) for text in texts for m in re.finditer(r"\w+\(s\)", text)}
    assert not wrong, f"{key}: {sorted(wrong)}"


def test_counted_takes_the_singular_for_one():
    assert [counted(n, "veto", "vetoes") for n in (0, 1, 2)] == ["0 vetoes", "1 veto", "2 vetoes"]
    assert counted(1, "event") == "1 event" and counted(21, "event") == "21 events"


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


# --- never a wrong state (issue 13, goal 3) ------------------------------------------------

def _invalid_choices(chart) -> list[tuple[str, object]]:
    """Each control's invalid value: an emptied multi-select, a reversed range."""
    choices: list[tuple[str, object]] = []
    for name, control in chart.controls.items():
        if isinstance(control, widgets.SelectMultiple):
            choices.append((name, ()))
        elif isinstance(control, (widgets.IntRangeSlider, widgets.FloatRangeSlider)):
            choices.append((name, (control.max, control.min)))
    return choices


@pytest.mark.parametrize("key", sorted(FACTORIES))
def test_an_invalid_choice_clears_the_chart_and_says_why_above_it(key):
    chart = FACTORIES[key]()
    drawn_png = chart.png
    for name, value in _invalid_choices(chart):
        if isinstance(chart.controls[name], widgets.SelectMultiple):
            chart.controls[name].value = value  # as the student does it, through the control
        else:
            chart.update(**{name: value})  # a range slider refuses a reversed value itself
        assert chart.message, f"{key}: {name}={value!r} drew a chart"
        children = list(chart.view.children)
        assert children.index(chart.alert) < children.index(chart.image), "the message sits above the chart"
        assert 'role="alert"' in chart.alert.value and chart.message.split(":")[0] in chart.alert.value
        assert chart.png != drawn_png, f"{key}: the old chart stays on screen after {name}={value!r}"
        assert not chart.axes.lines and not chart.axes.collections and not chart.axes.patches, "nothing is plotted"
        assert not chart.axes.axison, "no axes left from the old chart"
        assert "russia-china-chart-empty" in chart.image.css_class and chart.image.alt.startswith("No chart: ")
        assert chart.image.png == chart.png, "the page is sent the empty frame"
        assert "Text alternative" not in chart.caption.value, "no text alternative of a chart no longer shown"
        if isinstance(chart.controls[name], widgets.SelectMultiple):
            chart.controls[name].value = tuple(FACTORIES[key]().controls[name].value)
        else:
            chart.update()
        assert chart.message == "" and chart.alert.value == "", f"{key}: the message outlives the fix"
        assert chart.axes.axison and "russia-china-chart-empty" not in chart.image.css_class


def test_emptying_the_timeline_filters_greys_the_event_menu_and_restores_it():
    from russia_china.lessons.history import timeline_widget

    chart = timeline_widget(selected="E25")
    event = chart.controls["event"]
    chart.controls["topics"].value = ()
    assert event.disabled, "the Event menu is greyed while no event is shown"
    labels = [label for label, _ in event.options]
    assert labels and all(label.strip() for label in labels), "the Event menu never goes blank"
    assert "add an era or a topic" in labels[0]
    assert event.index == 0, "the menu shows its one entry: with no index the browser shows it blank"
    chart.controls["topics"].value = ("history", "economics", "military", "regional")
    assert not event.disabled and event.value == "E25", "the event chosen before comes back"
    assert chart.message == ""


# --- every chart's data as a table (issue 13, goal 5) ----------------------------------------

@pytest.mark.parametrize("key", sorted(FACTORIES))
def test_every_chart_offers_its_data_as_a_table(key):
    chart = FACTORIES[key]()
    data = chart.text.data
    assert data is not None and len(data) > 0 and len(data.columns) >= 2, f"{key}: no table of plotted data"
    html_text = chart.caption.value
    assert "<details" in html_text and "<summary>Show the data</summary>" in html_text
    assert "<caption" in html_text and chart.text.title.split("\n")[0][:30] in html.unescape(html_text)
    assert html_text.count('<th scope="col">') == len(data.columns)
    assert html_text.count("<tr>") == len(data) + 1
    assert "nan" not in html_text.lower().replace("nanjing", ""), "a missing value shows as —, not nan"


# --- one encoding per entity, ranks, log scales, menus (issue 13, goal 4) ---------------------

def _colour_of(artist) -> str | None:
    from matplotlib.collections import PathCollection
    from matplotlib.colors import to_hex
    from matplotlib.lines import Line2D

    if isinstance(artist, Line2D):
        hollow = str(artist.get_markerfacecolor()).lower() == "none"
        return to_hex(artist.get_markeredgecolor() if hollow else artist.get_color())
    if isinstance(artist, PathCollection):
        faces: Any = artist.get_facecolor()  # an (n, 4) RGBA array; matplotlib's stubs allow any colour spec
        if len(faces):
            return to_hex(faces[0])
    return None


@pytest.mark.parametrize("key", sorted(FACTORIES))
def test_entities_keep_their_course_wide_look(key):
    """Every labelled line or set of points that names a supplier, country, record,
    flow or article is drawn in that entity's colour from charts.LOOKS, at every control value."""
    from matplotlib.colors import to_hex

    from russia_china.charts import LOOKS

    chart = FACTORIES[key]()
    checked = 0
    states = [dict(chart.values)]
    for name, control in chart.controls.items():
        states += [{**chart.values, name: value} for value in alternative_values(control)]
    for state in states:
        chart.update(**state)
        if chart.message:
            continue
        for artist in [*chart.axes.lines, *chart.axes.collections]:
            label = artist.get_label()
            colour = _colour_of(artist)
            if label in LOOKS and colour is not None:
                assert colour == to_hex(LOOKS[label].colour), f"{key}: {label} drawn in {colour}"
                checked += 1
    if key in {"00:trade_records", "00:series_gallery", "02:trade_explorer", "03:arms", "05:claim_explorer"}:
        assert checked, f"{key}: no entity's line was found to check"


def _colour_literals_for_entities(tree) -> list[str]:
    """Dict literals keyed by an entity's name whose values pick a colour themselves."""
    import ast

    from russia_china.charts import ALIASES, LOOKS

    entities = set(LOOKS) | set(ALIASES)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):  # a call that names an entity and picks a palette colour itself
            named = {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
            text = ast.unparse(node)
            if named & entities and ("PALETTE" in text or re.search(r"#[0-9A-Fa-f]{6}\b", text)):
                found.append(f"{sorted(named & entities)}: {text[:120]}")
        if not isinstance(node, ast.Dict):
            continue
        keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        if not keys & entities:
            continue
        for value in node.values:
            text = ast.unparse(value)
            if "PALETTE" in text or re.search(r"#[0-9A-Fa-f]{6}\b", text):
                found.append(f"{sorted(keys & entities)}: {text}")
    return found


def test_no_lesson_or_notebook_picks_its_own_colours_for_an_entity():
    import ast

    import nbformat

    from russia_china.lessons import LESSON_MODULES
    from russia_china.paths import REPO_ROOT

    offenders = {}
    for name in LESSON_MODULES.values():
        path = REPO_ROOT / "src" / "russia_china" / "lessons" / f"{name}.py"
        offenders[path.name] = _colour_literals_for_entities(ast.parse(path.read_text(encoding="utf-8")))
    for path in sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        code = "\n".join(line for cell in notebook.cells if cell.cell_type == "code"
                         for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        offenders[path.name] = _colour_literals_for_entities(ast.parse(code))
    assert {k: v for k, v in offenders.items() if v} == {}, "use charts.look(entity), not a colour of your own"


def test_the_rule_finds_an_entity_given_its_own_colour():
    import ast

    assert _colour_literals_for_entities(ast.parse('STYLE = {"Russia": (PALETTE[0], "s")}'))
    assert _colour_literals_for_entities(ast.parse('STYLE = {"gill2025": "#123456"}'))
    assert _colour_literals_for_entities(ast.parse('ax.plot(x, y, color=charts.PALETTE[1], label="Soviet Union")'))
    assert not _colour_literals_for_entities(ast.parse('STYLE = {"history": PALETTE[0]}'))
    assert not _colour_literals_for_entities(ast.parse('ax.plot(x, y, color=charts.look("Russia").colour)'))


def test_ranks_are_points_on_a_rank_axis_with_first_place_first():
    from matplotlib.patches import Rectangle

    from russia_china.lessons.economics import asymmetry_chart

    chart = asymmetry_chart().set(measure="rank")
    assert not [p for p in chart.axes.patches if isinstance(p, Rectangle)], "a rank is not drawn as a bar's length"
    points = {float(line.get_xdata()[0]) for line in chart.axes.lines if line.get_marker() not in (None, "None", "")}
    assert points == {1.0, 6.0}
    labels = [t.get_text() for t in chart.axes.get_xticklabels()]
    assert labels[0] == "1st" and "6th" in labels


@pytest.mark.parametrize("dataset", ["trade_by_reporter", "arms_deliveries_to_china", "gdp", "gas_power_of_siberia",
                                     "unsc_vetoes"])
def test_no_zero_is_drawn_on_a_log_scale(dataset):
    from russia_china.lessons.introduction import series_gallery_widget

    chart = series_gallery_widget().set(dataset=dataset, log_scale=True)
    assert chart.axes.get_yscale() == "log"
    for line in chart.axes.lines:
        values = [v for v in line.get_ydata() if v == v]
        assert all(v > 0 for v in values), f"{dataset}: {line.get_label()} draws a value ≤ 0 on a log scale"


def test_the_vetoes_log_scale_marks_its_zero_years_in_words():
    from russia_china.lessons.introduction import series_gallery_widget

    chart = series_gallery_widget().set(dataset="unsc_vetoes", log_scale=True)
    assert "Years with 0" in chart.text.alt_text
    assert any("log scale has no 0" in c.get_label() for c in chart.axes.collections)


@pytest.mark.parametrize("key", sorted(FACTORIES))
def test_menus_show_human_names_not_file_names(key):
    from russia_china.paths import REPO_ROOT

    files = {path.stem for path in (REPO_ROOT / "data").glob("*.csv")}
    chart = FACTORIES[key]()
    for name, control in chart.controls.items():
        labels = getattr(control, "_options_labels", ())
        assert not [label for label in labels if label in files or re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", label)], (
            f"{key}: the {name} menu shows a file or column name")


@pytest.mark.parametrize("key", sorted(FACTORIES))
def test_checkboxes_take_the_width_of_their_words(key):
    chart = FACTORIES[key]()
    for control in chart.controls.values():
        if isinstance(control, widgets.Checkbox):
            assert control.layout.width == "auto", "the default 300 px cuts a long description short"
