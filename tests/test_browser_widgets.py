"""Every widget chart in a real JupyterLab, in Chromium, for what headless tests cannot see:
nothing is cut off, every control works from the keyboard alone, an invalid choice
replaces the chart at once with a message above it, and the data table opens.

One notebook shows every lesson's widget charts (the factories the lessons call), so
the whole set is checked with one kernel. Screenshots go to test-artifacts/widgets/.
"""

from __future__ import annotations

import nbformat
import pytest
from browser import ARTIFACTS, block_outside_requests, launch, need_chromium

from russia_china.lessons import all_widget_factories
from russia_china.tools.lab_browser import open_and_run, running_lab, shut_down

KEYS = sorted(all_widget_factories())
SHOTS = ARTIFACTS / "widgets"
REDRAW_MS = 30_000
MIN_TRACK_PX = 150

#: The <img> is replaced on each redraw: look it up afresh.
IMAGE_SOURCE = """(index) => {
  const img = document.querySelectorAll('.russia-china-chart')[index].querySelector('img.russia-china-chart-image');
  return img ? img.getAttribute('src') : null;
}"""
SOURCE_CHANGED = f"([index, old]) => ({IMAGE_SOURCE})(index) !== old"

#: Every label, readout and menu in a chart whose text does not fit its box.
CLIPPED = """(chart) => {
  const canvas = document.createElement('canvas').getContext('2d');
  const textWidth = (text, element) => {
    canvas.font = getComputedStyle(element).font; return canvas.measureText(text).width;
  };
  const name = e => (e.className || e.tagName) + ': ' + (e.textContent || e.value || '').trim().slice(0, 60);
  const clipped = [];
  const labels = '.widget-label, .widget-label-basic, .widget-readout, .widget-toggle-button';
  for (const e of chart.querySelectorAll(labels)) {
    if (e.clientWidth > 0 && getComputedStyle(e).display !== 'none' && e.scrollWidth > e.clientWidth + 1) {
      clipped.push(name(e));
    }
  }
  for (const select of chart.querySelectorAll('select')) {
    const style = getComputedStyle(select);
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const shown = select.multiple ? [...select.options] : [select.options[select.selectedIndex]].filter(Boolean);
    for (const option of shown) {
      const width = textWidth(option.text, select);
      if (width > room + 1) {
        clipped.push(`select option "${option.text}" needs ${Math.ceil(width)} px, has ${Math.floor(room)}`);
      }
    }
  }
  return clipped;
}"""
TRACKS = """(chart) => [...chart.querySelectorAll('.noUi-target')]
  .map(t => Math.round(t.getBoundingClientRect().width))"""
#: Where the alert and the chart image are: the alert must come first, in the page and on screen.
ALERT_ABOVE_IMAGE = """(chart) => {
  const alert = chart.querySelector('[role=alert]');
  const img = chart.querySelector('img.russia-china-chart-image');
  if (!alert || !img) return {alert: !!alert, img: !!img};
  return {alert: true, img: true, text: alert.textContent,
          before: !!(alert.compareDocumentPosition(img) & Node.DOCUMENT_POSITION_FOLLOWING),
          above: alert.getBoundingClientRect().bottom <= img.getBoundingClientRect().top + 1,
          empty: img.classList.contains('russia-china-chart-empty')};
}"""


def _gallery_notebook(path) -> None:
    cells = [nbformat.v4.new_code_cell("from russia_china.lessons import all_widget_factories\n"
                                       "factories = all_widget_factories()")]
    cells += [nbformat.v4.new_code_cell(f"factories[{key!r}]()") for key in KEYS]
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}}
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=kernel), path)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    need_chromium()
    from playwright.sync_api import sync_playwright

    with running_lab(tmp_path_factory.mktemp("lab")) as lab:
        _gallery_notebook(lab.root / "widget_gallery.ipynb")
        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                blocked = block_outside_requests(context)
                page = open_and_run(lab, context, "widget_gallery.ipynb")
                page.locator(".russia-china-chart").nth(len(KEYS) - 1).wait_for(timeout=REDRAW_MS)
                try:
                    yield page
                finally:
                    shut_down(lab, page)
                assert blocked == [], "a widget chart tried to reach the network"
            finally:
                browser.close()


def _chart(page, key):
    chart = page.locator(".russia-china-chart").nth(KEYS.index(key))
    chart.scroll_into_view_if_needed()
    return chart


def test_every_widget_chart_is_on_the_page(page):
    assert page.locator(".russia-china-chart").count() == len(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_no_label_readout_or_menu_is_cut_off(page, key):
    chart = _chart(page, key)
    SHOTS.mkdir(parents=True, exist_ok=True)
    chart.screenshot(path=str(SHOTS / f"{key.replace(':', '-')}.png"))
    assert chart.evaluate(CLIPPED) == [], f"{key}: text cut off"
    tracks = chart.evaluate(TRACKS)
    assert all(width >= MIN_TRACK_PX for width in tracks), f"{key}: slider tracks {tracks} px, at least {MIN_TRACK_PX}"


def _focusables(chart) -> list:
    """The elements of each control that take the keyboard, in the order the controls sit."""
    return chart.locator("select, input, button:not(.mod-active), .noUi-handle").all()


def _change_with_keys(page, element) -> str:
    """Change the focused control with keys only; returns the keys pressed."""
    kind = element.evaluate("e => e.tagName === 'SELECT' ? (e.multiple ? 'multiple' : 'select')"
                            " : e.type === 'checkbox' ? 'checkbox' : e.tagName === 'BUTTON' ? 'button'"
                            " : e.classList.contains('noUi-handle') ? (e.classList.contains('noUi-handle-upper')"
                            " ? 'upper' : 'handle') : e.tagName")
    if kind == "select":
        last = element.evaluate("e => e.selectedIndex === e.options.length - 1")
        keys = "ArrowUp" if last else "ArrowDown"
    elif kind == "multiple":
        keys = "ArrowDown"  # selects the next option alone
    elif kind == "checkbox":
        keys = "Space"
    elif kind == "button":
        keys = "Enter"
    elif kind == "upper":
        keys = "PageDown"  # five steps: one year can fall where a series has no data and change nothing
    elif kind == "handle":
        at_max = element.evaluate("e => e.getAttribute('aria-valuenow') === e.getAttribute('aria-valuemax')")
        keys = "PageDown" if at_max else "PageUp"
    else:
        raise AssertionError(f"no keyboard plan for a {kind}")
    page.keyboard.press(keys)
    return f"{kind}: {keys}"


#: The keys that take a change back; Home, Shift+End choose every option of a multi-select.
UNDO = {"ArrowDown": ["ArrowUp"], "ArrowUp": ["ArrowDown"], "PageUp": ["PageDown"], "PageDown": ["PageUp"],
        "Space": ["Space"]}


@pytest.mark.parametrize("key", KEYS)
def test_every_control_works_from_the_keyboard_alone(page, key):
    """Tab to each control in turn and change it with keys: the chart must redraw each time."""
    chart = _chart(page, key)
    index = KEYS.index(key)
    targets = _focusables(chart)
    assert targets, f"{key}: no control takes the keyboard"
    targets[0].focus()
    reached = []
    for target in targets:
        if target.evaluate("e => e.disabled"):
            continue
        for _ in range(12):  # Tab from the last control until this one has the focus
            if target.evaluate("e => e === document.activeElement"):
                break
            page.keyboard.press("Tab")
        assert target.evaluate("e => e === document.activeElement"), f"{key}: Tab never reaches {target}"
        before = page.evaluate(IMAGE_SOURCE, index)
        action = _change_with_keys(page, target)
        try:
            page.wait_for_function(SOURCE_CHANGED, arg=[index, before], timeout=REDRAW_MS)
        except Exception as error:
            raise AssertionError(f"{key}: the chart did not change after {[*reached, action]}") from error
        reached.append(action)
        # A keyboard user stays where they were: the redraw must not throw the focus out of the chart.
        # (The chart, not the target: a pressed toggle button leaves the locator's :not(.mod-active) set.)
        assert chart.evaluate("c => document.activeElement !== document.body && c.contains(document.activeElement)"), (
            f"{key}: the redraw took the focus out of the chart after {action}")
        undo = UNDO.get(action.split(": ")[1]) if not action.startswith("multiple") else ["Home", "Shift+End"]
        if undo:  # back to where it was, with keys, so each control is tried from the chart's first view
            before = page.evaluate(IMAGE_SOURCE, index)
            for keys in undo:
                page.keyboard.press(keys)
            try:
                page.wait_for_function(SOURCE_CHANGED, arg=[index, before], timeout=REDRAW_MS)
            except Exception as error:
                raise AssertionError(f"{key}: the chart did not change back after {reached} and {undo}") from error
    assert reached, f"{key}: no control could be changed from the keyboard"


@pytest.mark.parametrize("key", [k for k in KEYS if any(
    type(c).__name__ == "SelectMultiple" for c in all_widget_factories()[k]().controls.values())])
def test_emptying_a_multi_select_replaces_the_chart_with_a_message_above_it(page, key):
    chart = _chart(page, key)
    index = KEYS.index(key)
    select = chart.locator("select[multiple]").first
    chosen = select.evaluate("s => [...s.selectedOptions].map(o => o.value)")
    before = page.evaluate(IMAGE_SOURCE, index)
    select.select_option([])
    page.wait_for_function(SOURCE_CHANGED, arg=[index, before], timeout=REDRAW_MS)
    found = chart.evaluate(ALERT_ABOVE_IMAGE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    chart.screenshot(path=str(SHOTS / f"{key.replace(':', '-')}-emptied.png"))
    assert found.get("alert") and found.get("before") and found.get("above"), f"{key}: {found}"
    assert found["empty"], f"{key}: the old chart is still shown"
    if key == "01:timeline":
        event = chart.locator(".widget-dropdown select").last
        shown = event.evaluate("s => s.options[s.selectedIndex].text.replace(/\\u00a0/g, ' ')")
        assert event.is_disabled() and "add an era or a topic" in shown
    emptied = page.evaluate(IMAGE_SOURCE, index)
    select.select_option(chosen)
    page.wait_for_function(SOURCE_CHANGED, arg=[index, emptied], timeout=REDRAW_MS)
    assert chart.locator("[role=alert]").count() == 0, f"{key}: the message outlives the fix"


@pytest.mark.parametrize("key", KEYS)
def test_the_data_table_opens_from_the_keyboard(page, key):
    chart = _chart(page, key)
    summary = chart.locator("details.russia-china-chart-data summary")
    assert summary.count() == 1, f"{key}: no 'Show the data' toggle"
    table = chart.locator("details.russia-china-chart-data table")
    assert not table.is_visible()
    summary.focus()
    page.keyboard.press("Enter")
    table.wait_for(state="visible", timeout=5_000)
    assert "Data plotted in" in table.locator("caption").inner_text()
    assert table.locator("tbody tr").count() > 0 and table.locator("th[scope=col]").count() >= 2
    page.keyboard.press("Enter")  # fold it again
