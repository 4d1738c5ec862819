"""Keys meant for a chart's controls reach the controls, not JupyterLab.

In JupyterLab's command mode a focused ``<select>``, checkbox or slider handle
is not an editable element, so the notebook takes the keys: ArrowDown on an
event menu moves to the next cell instead of the next event, and a letter can
insert or delete cells. Lumino (JupyterLab's toolkit) skips its shortcuts
for an element marked ``data-lm-suppress-shortcuts``; ipywidgets cannot set
attributes, so this invisible anywidget marks the controls of the chart it sits in. Its few
lines of JavaScript travel with the widget: offline, no JupyterLab build.
"""

from __future__ import annotations

import anywidget
import ipywidgets as widgets

_ESM = """
const CONTROLS = "select, input, button, textarea, [tabindex], .noUi-handle";
function render({ el }) {
  let tries = 0;
  const markControls = (chart) => {
    // On each control itself: Lumino matches the focused element before it looks at its ancestors.
    for (const control of chart.querySelectorAll(CONTROLS)) {
      control.setAttribute("data-lm-suppress-shortcuts", "true");
    }
  };
  const mark = () => {
    const chart = el.closest(".russia-china-chart");
    if (chart) {
      markControls(chart);
      new MutationObserver(() => markControls(chart)).observe(chart, { childList: true, subtree: true });
    } else if (tries++ < 100) {
      requestAnimationFrame(mark);  // not in the page yet: the view is attached after render
    }
  };
  mark();
}
export default { render };
"""


class KeysToControls(anywidget.AnyWidget):
    """Put one in a chart's view (the element with class ``russia-china-chart``)."""

    _esm = _ESM

    def __init__(self, **kwargs) -> None:
        super().__init__(layout=widgets.Layout(display="none"), **kwargs)
