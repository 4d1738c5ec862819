"""The live chart's image in JupyterLab: PNG bytes in, an <img> with alt text out.

A widgets.HTML view of ``<img src="data:image/png;base64,...">`` sends each
redraw as a third more bytes of base64 inside JSON, and the page parses it as
HTML and builds a new <img> every time. This view (an anywidget: its few
lines of JavaScript travel with the widget, so it works offline and needs no
JupyterLab build) receives the PNG as a binary message and swaps the ``src``
of one <img>, keeping its class and alt text, which widgets.Image has no way
to set.
"""

from __future__ import annotations

import anywidget
import traitlets

CSS_CLASS = "russia-china-chart-image"

_ESM = """
function render({ model, el }) {
  const img = document.createElement("img");
  img.style.maxWidth = "100%";
  img.style.height = "auto";
  let url = null;
  const showPng = () => {
    const png = model.get("png");
    if (!png || png.byteLength === 0) return;
    const next = URL.createObjectURL(new Blob([png], { type: "image/png" }));
    img.src = next;
    if (url) URL.revokeObjectURL(url);
    url = next;
  };
  const showText = () => {
    img.alt = model.get("alt");
    img.className = model.get("css_class");
  };
  showText();
  showPng();
  model.on("change:alt", showText);
  model.on("change:css_class", showText);
  model.on("change:png", showPng);
  el.appendChild(img);
  return () => { if (url) URL.revokeObjectURL(url); };
}
export default { render };
"""


class ChartImage(anywidget.AnyWidget):
    """One chart image; :meth:`show` replaces it in a single message."""

    _esm = _ESM
    png = traitlets.Bytes(b"").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
    css_class = traitlets.Unicode(CSS_CLASS).tag(sync=True)

    def show(self, png: bytes, alt: str, css_class: str = CSS_CLASS) -> None:
        # alt and class go with the bytes, so the page never shows one chart with another's alt
        with self.hold_sync():
            self.png, self.alt, self.css_class = png, alt, css_class
