"""Widget response where the student is: in JupyterLab, in Chromium. Run from
`make bench`; never a timed test.

For every widget chart of every lesson, each control is moved through its
range as a student would (options picked, buttons and checkboxes clicked,
slider handles moved with keys), at least ``changes`` times per chart. The page
times each change with performance.now(): from the control's event to the
chart's new <img> in the DOM (a MutationObserver), then to the image decoded.
A second client in the same kernel (tools/bench_probe.py) records the kernel's
side of each change: the redraw, the PNG and the bytes sent.
"""

from __future__ import annotations

import ast
import json
import math
import os
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import nbformat

from ..lessons import LESSON_MODULES, lesson_module
from ..paths import REPO_ROOT
from . import lab_browser
from .bench import percentile

#: Times one change on chart `index`; `take()` returns the timings once the new image is decoded.
HARNESS = r"""() => { window.__rcBench = {
  state: null,
  arm(index) {
    const chart = document.querySelectorAll('.russia-china-chart')[index];
    const image = () => chart.querySelector('img.russia-china-chart-image');
    const old = image() ? image().getAttribute('src') : null;
    const state = {start: null, swapped: null, decoded: null, bytes: 0};
    const events = ['keydown', 'click', 'input', 'change'];
    const onEvent = () => { if (state.start === null) state.start = performance.now(); };
    const observer = new MutationObserver(() => {
      const now = image();
      if (state.swapped !== null || !now || now.getAttribute('src') === old) return;
      state.swapped = performance.now();
      state.bytes = now.getAttribute('src').length;
      observer.disconnect();
      const done = () => { state.decoded = performance.now(); };
      now.decode().then(done, done);
    });
    events.forEach(t => chart.addEventListener(t, onEvent, true));
    observer.observe(chart, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
    state.stop = () => { events.forEach(t => chart.removeEventListener(t, onEvent, true)); observer.disconnect(); };
    this.state = state;
  },
  take() {
    const s = this.state; s.stop(); this.state = null;
    return {total_ms: s.decoded - s.start, swap_ms: s.swapped - s.start, decode_ms: s.decoded - s.swapped,
            bytes: s.bytes};
  },
}; }"""
DECODED = "() => window.__rcBench.state && window.__rcBench.state.decoded !== null"
SLIDER_HANDLES = {"slider": [".noUi-handle"], "range": [".noUi-handle-lower", ".noUi-handle-upper"]}
#: noUiSlider moves a handle 5 steps for PageUp/PageDown.
PAGE_STEPS = 5
FIRST_WAIT_MS, LAST_WAIT_MS = 1500, 15000


class KernelProbe:
    """A second client of the notebook's kernel, for tools/bench_probe.py."""

    def __init__(self, lab: lab_browser.Lab):
        from jupyter_client import BlockingKernelClient

        kernel = lab.api("sessions")[0]["kernel"]["id"]
        self.client = BlockingKernelClient(connection_file=str(lab.runtime / f"kernel-{kernel}.json"))
        self.client.load_connection_file()
        self.client.start_channels()

    def call(self, expression: str):
        """Evaluate a bench_probe call in the kernel; it returns JSON text."""
        message = self.client.execute("import russia_china.tools.bench_probe as _rc_bench_probe", silent=True,
                                      store_history=False, user_expressions={"r": f"_rc_bench_probe.{expression}"})
        while True:
            reply = self.client.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == message:
                break
        result = reply["content"]["user_expressions"]["r"]
        if result["status"] != "ok":
            raise RuntimeError(f"bench_probe.{expression} failed in the kernel: {result.get('evalue')}")
        return json.loads(ast.literal_eval(result["data"]["text/plain"]))

    def close(self) -> None:
        self.client.stop_channels()


def chart_names(notebook: Path) -> list[str]:
    """'NN:name' of each widget chart, in the order the notebook shows them."""
    number = notebook.name[:2]
    if number not in LESSON_MODULES:
        return []
    by_factory = {factory.__name__: f"{number}:{name}" for name, factory in lesson_module(number).WIDGETS.items()}
    shown: list[str] = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code":
            for call in re.findall(r"\b(\w+)\(", cell.source):
                if call in by_factory and by_factory[call] not in shown:
                    shown.append(by_factory[call])
    return shown


def _timed_change(page, probe: KernelProbe, index: int, act: Callable[[], object]) -> dict | None:
    """One change, timed in the page; None when the chart's image did not change."""
    from playwright.sync_api import TimeoutError as Timeout

    page.evaluate("i => window.__rcBench.arm(i)", index)
    before = probe.call(f"records({index}, since=10**9)")["count"]
    act()
    try:
        page.wait_for_function(DECODED, timeout=FIRST_WAIT_MS, polling=5)
    except Timeout:
        new = probe.call(f"records({index}, since={before})")["redraws"]
        try:
            if new and new[-1]["same_image"]:
                raise Timeout("the redraw drew the same image: nothing for the student to see") from None
            page.wait_for_function(DECODED, timeout=LAST_WAIT_MS, polling=5)
        except Timeout:
            page.evaluate("() => { window.__rcBench.state.stop(); window.__rcBench.state = null; }")
            return None
    return page.evaluate("() => window.__rcBench.take()")


def _slider_key(handle, target: int, step: int) -> str | None:
    """The key that brings a slider handle closer to the target: a page of steps while far, then single steps."""
    distance = round((target - float(handle.get_attribute("aria-valuenow"))) / step)
    if distance == 0:
        return None
    if abs(distance) >= PAGE_STEPS:
        return "PageUp" if distance > 0 else "PageDown"
    return "ArrowRight" if distance > 0 else "ArrowLeft"


def _change_action(element, kind: str, target: int) -> Callable[[], object]:
    """What a student does to set a non-slider control to option `target`."""
    if kind in ("select", "multi"):
        return lambda: element.locator("select").select_option(index=target)
    if kind == "buttons":
        return lambda: element.locator("button").nth(target).click()
    if kind == "radio":
        return lambda: element.locator("input[type=radio]").nth(target).click()
    if kind == "check":
        return lambda: element.locator("input[type=checkbox]").click()
    return element.click  # a toggle button is itself the button


def sweep_control(page, probe: KernelProbe, index: int, control: int, count: int) -> list[dict | None]:
    """Move one control through `count` values of the shared sweep; every event the student causes is timed."""
    chart = page.locator(".russia-china-chart").nth(index)
    element = chart.locator(":scope > .widget-hbox > *").nth(control)
    plan = probe.call(f"plan({index}, {control}, {count})")
    timings: list[dict | None] = []
    current = plan.get("current")
    for target in plan["targets"]:
        kind = plan["kind"]
        if kind in ("slider", "range"):
            handles = [element.locator(h) for h in SLIDER_HANDLES[kind]]
            wanted = target if kind == "range" else [target]
            order = [0, 1] if kind == "slider" or wanted[0] <= plan["current"][1] else [1, 0]
            for position in order[:len(handles)]:
                handle = handles[position]
                for _ in range(500):  # at most: a guard against a handle that will not move
                    key = _slider_key(handle, wanted[position], plan["step"])
                    if key is None:
                        break
                    handle.focus()
                    timings.append(_timed_change(page, probe, index, partial(handle.press, key)))
            plan["current"] = wanted if kind == "range" else target
            continue
        if target == current:
            continue
        timings.append(_timed_change(page, probe, index, _change_action(element, kind, target)))
        current = target
    return timings


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def summarise(name: str, timings: list[dict | None], kernel: list[dict]) -> dict:
    """One chart's row: browser median and p95, and the parts of the time."""
    seen = [t for t in timings if t is not None]
    total = [t["total_ms"] for t in seen]
    drawn = [k for k in kernel if not k["same_image"]]
    redraw = [k["redraw_ms"] for k in drawn if k["redraw_ms"] is not None]
    row = {"widget": name, "changes": len(seen), "unchanged": len(timings) - len(seen),
           "median_ms": _median(total), "p95_ms": round(percentile(total, 0.95), 1) if total else None,
           "max_ms": round(max(total), 1) if total else None,
           "swap_median_ms": _median([t["swap_ms"] for t in seen]),
           "decode_median_ms": _median([t["decode_ms"] for t in seen]),
           "kernel_median_ms": _median(redraw),
           "kernel_p95_ms": round(percentile(redraw, 0.95), 1) if redraw else None}
    for part in ("png_ms", "encode_ms", "html_ms"):
        row[f"{part[:-3]}_median_ms"] = _median([k[part] for k in drawn if k.get(part) is not None])
    row["message_kb"] = _median([k["message_bytes"] / 1000 for k in drawn])
    if len(drawn) == len(seen) and redraw and len(redraw) == len(seen):
        # Same changes in the same order: what is neither the kernel's redraw nor the decode is the trip
        # (websocket both ways, the widget message parsed, the HTML set in the page).
        row["transfer_median_ms"] = _median([t["swap_ms"] - r for t, r in zip(seen, redraw, strict=True)])
    else:
        row["transfer_median_ms"] = None
    return row


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes" if dirty else "")


def bench_browser(changes: int = 30, only: list[str] | None = None, progress: Callable | None = None) -> dict:
    """Median and p95 browser latency per widget chart, with the parts of the time; `only` picks charts."""
    from playwright.sync_api import sync_playwright

    notebooks = sorted((REPO_ROOT / "notebooks").glob("0*.ipynb"))
    wanted = {n: names for n in notebooks if (names := [c for c in chart_names(n) if not only or c in only])}
    load_before = os.getloadavg()
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory() as scratch, lab_browser.running_lab(Path(scratch)) as lab, \
            sync_playwright() as playwright:
        browser = lab_browser.launch(playwright)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            blocked = lab_browser.block_outside_requests(context)
            items = progress(wanted.items(), total=len(wanted), desc="lessons") if progress else wanted.items()
            for notebook, names in items:
                rows += bench_notebook(lab, context, notebook, names, changes)
            if blocked:
                raise RuntimeError(f"a lesson tried to reach the network: {blocked[:3]}")
        finally:
            browser.close()
    return {"rows": rows, "commit": _commit(), "chromium": str(lab_browser.CHROMIUM),
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()], "seconds": round(time.perf_counter() - started)}


def bench_notebook(lab, context, notebook: Path, names: list[str], changes: int) -> list[dict]:
    """Run one lesson in a new page and time the named charts; the kernel is shut down afterwards."""
    every = chart_names(notebook)
    page = lab_browser.open_and_run(lab, context, f"notebooks/{notebook.name}")
    probe = KernelProbe(lab)
    try:
        shown = page.locator(".russia-china-chart").count()
        if shown != len(every) or probe.call(f"attach({shown})") != shown:
            raise RuntimeError(f"{notebook.name}: {shown} charts on the page, {len(every)} expected")
        page.evaluate(HARNESS)
        rows = []
        for index, name in enumerate(every):
            if name not in names:
                continue
            chart = page.locator(".russia-china-chart").nth(index)
            chart.scroll_into_view_if_needed()
            controls = chart.locator(":scope > .widget-hbox > *").count()
            per_control = max(1, math.ceil(changes / controls))
            timings: list[dict | None] = []
            for _ in range(5):  # rounds: a chart whose changes often redraw the same image needs more
                if sum(t is not None for t in timings) >= changes:
                    break
                for control in range(controls):
                    timings += sweep_control(page, probe, index, control, per_control)
            rows.append(summarise(name, timings, probe.call(f"records({index})")["redraws"]))
        return rows
    finally:
        probe.close()
        lab_browser.shut_down(lab, page)
