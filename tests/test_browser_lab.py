"""What a student sees: the lessons in a real JupyterLab, in Chromium.

nbval proves the notebooks execute; this proves the widgets render in the
browser, respond to a control and redraw, and that check() feedback shows up.
One JupyterLab and one browser serve the whole module. Screenshots before and
after each control change go to test-artifacts/lab/.
"""

from __future__ import annotations

import json
import re

import pytest
from browser import ARTIFACTS, axe_violations, block_outside_requests, launch, need_axe, need_chromium

from russia_china.lessons import LESSON_MODULES, lesson_module
from russia_china.paths import REPO_ROOT
from russia_china.tools.lab_browser import open_and_run, running_lab, shut_down

LESSONS = sorted(p.name for p in (REPO_ROOT / "notebooks").glob("0*.ipynb"))
SHOTS = ARTIFACTS / "lab"
REDRAW_SECONDS = 30

#: The redraw replaces the <img>, so look it up afresh each time.
CHART_SOURCE_CHANGED = """([index, old]) => {
  const img = document.querySelectorAll('.russia-china-chart')[index].querySelector('img.russia-china-chart-image');
  return img !== null && img.getAttribute('src') !== old;
}"""
TRACEBACKS = r"""() => [...document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
  .map(o => o.textContent).filter(t => /Traceback|^-{20,}/m.test(t)).map(t => t.slice(0, 400))"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    need_chromium()
    with running_lab(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="module")
def browser_context(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.blocked = block_outside_requests(context)
            yield context
        finally:
            browser.close()


def move_one_control(chart) -> str:
    """Change one control as a student would; returns what was done."""
    dropdown = chart.locator(".widget-dropdown select")
    if dropdown.count():
        select = dropdown.first
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.selectedIndex")
        target = (current + 1) % len(options)
        select.select_option(index=target)
        return f"dropdown → {options[target].strip()}"
    toggles = chart.locator(".widget-toggle-buttons button:not(.mod-active)")
    if toggles.count():
        label = toggles.first.inner_text()
        toggles.first.click()
        return f"toggle → {label}"
    checkbox = chart.locator(".widget-checkbox input")
    if checkbox.count():
        checkbox.first.click()
        return "checkbox toggled"
    handle = chart.locator(".widget-slider .noUi-handle")
    if handle.count():
        handle.first.focus()
        handle.first.press("ArrowRight")
        return "slider ArrowRight"
    raise AssertionError("this chart has no control a student could move")


@pytest.mark.parametrize("notebook", LESSONS)
def test_lesson_runs_and_every_widget_chart_redraws(lab, browser_context, notebook):
    number = notebook[:2]
    expected_charts = len(lesson_module(number).WIDGETS) if number in LESSON_MODULES else 0
    page = open_and_run(lab, browser_context, f"notebooks/{notebook}")
    try:
        assert page.evaluate(TRACEBACKS) == [], f"{notebook}: a cell shows an error"
        charts = page.locator(".russia-china-chart")
        assert charts.count() == expected_charts, f"{notebook}: widget charts rendered"
        SHOTS.mkdir(parents=True, exist_ok=True)
        for index in range(expected_charts):
            chart = charts.nth(index)
            chart.scroll_into_view_if_needed()
            assert chart.locator("select, input, .noUi-handle, button").count() > 0, "controls render"
            image = chart.locator("img.russia-china-chart-image")
            image.wait_for(state="visible")
            before = image.get_attribute("src")
            assert len(image.get_attribute("alt")) > 20, "the chart image carries its text alternative"
            chart.screenshot(path=str(SHOTS / f"{notebook[:-6]}-{index + 1}-before.png"))
            action = move_one_control(chart)
            page.wait_for_function(CHART_SOURCE_CHANGED, arg=[index, before], timeout=REDRAW_SECONDS * 1000)
            chart.screenshot(path=str(SHOTS / f"{notebook[:-6]}-{index + 1}-after.png"))
            assert chart.locator("[role=alert]").count() == 0, f"chart {index + 1} after {action} shows a warning"
    finally:
        shut_down(lab, page)
    assert browser_context.blocked == [], "the lesson tried to reach the network"


def test_a_correct_answer_in_an_exercise_shows_public_checks_passed(lab, browser_context):
    page = open_and_run(lab, browser_context, "exercises/00_introduction_exercises.ipynb")
    try:
        cell = page.locator(".jp-CodeCell", has_text='check("00.5", difference_2022)')
        assert "not answered yet" in cell.locator(".jp-OutputArea").inner_text()
        cell.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.type(
            'article_2022 = figures.set_index("figure_id").loc["F05", "value"]\n'
            "customs_2022 = trade.query(\"provider == 'gacc' and flow == 'total' and year == 2022\")"
            '["value_usd_bn"].iloc[0]\n'
            "difference_2022 = abs(customs_2022 - article_2022)\n"
            'check("00.5", difference_2022)')
        page.keyboard.press("Shift+Enter")
        output = cell.locator(".jp-OutputArea")
        output.get_by_text("public checks passed").wait_for(timeout=REDRAW_SECONDS * 1000)
        assert re.search(r"Exercise 00\.5: public checks passed", output.inner_text())
        assert "all tests passed" not in output.inner_text().lower()
        SHOTS.mkdir(parents=True, exist_ok=True)
        cell.screenshot(path=str(SHOTS / "exercise-00.5-public-checks-passed.png"))
    finally:
        shut_down(lab, page)


def test_lesson_view_in_jupyterlab_gives_every_chart_an_accessible_name(lab, browser_context):
    """axe-core on a lesson in JupyterLab. JupyterLab's own interface is not ours to fix, so all
    its findings are recorded in test-artifacts/axe-jupyterlab.json; the lesson's content must
    have no images without a name."""
    need_axe()
    page = open_and_run(lab, browser_context, "notebooks/03_military.ipynb")
    try:
        everything = axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "axe-jupyterlab.json").write_text(json.dumps(everything, indent=1), encoding="utf-8")
        in_lesson = axe_violations(page, impacts=("minor", "moderate", "serious", "critical"),
                                   context=".jp-NotebookPanel-notebook")
        assert [v for v in in_lesson if v["id"] in ("image-alt", "role-img-alt", "svg-img-alt")] == []
    finally:
        shut_down(lab, page)


def test_the_browser_benchmark_times_one_chart_with_positive_numbers(lab, browser_context):
    """`make bench`'s browser part on one chart and three changes (a smoke test, never a timing), in a
    notebook that shows only that chart, so it runs in seconds."""
    import nbformat

    from russia_china.tools.bench_browser import bench_notebook
    from russia_china.tools.bench_report import validate_browser_row

    notebook = lab.root / "notebooks" / "00_bench_smoke.ipynb"
    nbformat.write(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("from russia_china.lessons import introduction\n"
                                         "introduction.series_gallery_widget()")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}), notebook)
    [row] = bench_notebook(lab, browser_context, notebook, ["00:series_gallery"], changes=3)
    validate_browser_row(row)
    assert row["widget"] == "00:series_gallery" and row["changes"] >= 3
    assert row["median_ms"] > 0 and row["swap_median_ms"] > 0 and row["decode_median_ms"] >= 0
    assert row["kernel_median_ms"] > 0 and row["png_median_ms"] > 0 and row["message_kb"] > 1
    assert browser_context.blocked == [], "the lesson tried to reach the network"
