"""The canvas widget charts draw on: Agg, with each string of text drawn once
and then copied, through matplotlib's public renderer interface only.

From 3.11 matplotlib's Agg renderer draws text one glyph at a time in Python,
which made text about half of a widget chart's redraw. A string's pixels do
not depend on where it goes, and a widget's redraws repeat the same titles,
tick labels and source lines, so :class:`TextCachingRenderer` draws each
string once on a scratch renderer (``RendererAgg.draw_text``), keeps its
coverage, and copies it onto the chart (``RendererAgg.draw_image``) in the
text's colour. Text lands within a pixel of where matplotlib puts it: a string
is placed to the whole pixel, where matplotlib places each glyph to 1/64 px.
"""

from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

#: Coverage bitmaps of the strings drawn so far, shared by every widget chart:
#: key -> (coverage rows top to bottom, left and top offset from the anchor) or None for blank text.
_COVERAGE: dict[tuple, tuple[np.ndarray, int, int] | None] = {}
_MAX_STRINGS = 4096
#: Room around a string's box on the scratch renderer, as a share of its size: glyphs may overhang
#: their advance (italics, bearings) and antialiasing spills a pixel past them.
_PAD_SHARE = 0.3


class TextCachingRenderer(RendererAgg):
    """Agg, with plain (non-math) text drawn from a cache of string bitmaps."""

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        # OpenType features and languages (matplotlib 3.11) change the shapes: leave those to matplotlib.
        shaped = mtext is not None and any(getattr(mtext, getter, lambda: None)()
                                           for getter in ("get_fontfeatures", "get_language"))
        if ismath or shaped or not s:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        key = (s, hash(prop), round(angle, 3), gc.get_antialiased(), self.dpi,
               mpl.rcParams["text.hinting"], mpl.rcParams["text.hinting_factor"])
        if key not in _COVERAGE:
            if len(_COVERAGE) >= _MAX_STRINGS:
                del _COVERAGE[next(iter(_COVERAGE))]  # the oldest
            _COVERAGE[key] = self._coverage(s, prop, angle, gc.get_antialiased())
        found = _COVERAGE[key]
        if found is None:
            return None
        coverage, left, top = found
        red, green, blue, alpha = gc.get_rgb()
        # draw_image multiplies by the gc's own alpha again; a colour's own alpha is not in it.
        alpha = alpha / gc.get_alpha() if gc.get_alpha() else 0.0
        if alpha <= 0:
            return None
        image = np.empty((*coverage.shape, 4), np.uint8)
        image[..., 0], image[..., 1], image[..., 2] = (round(255 * c) for c in (red, green, blue))
        image[..., 3] = coverage if alpha >= 1 else (coverage * alpha).round().astype(np.uint8)
        # x, y arrive with y downwards (matplotlib flips it for Agg); draw_image wants y upwards
        # and the image's bottom row first.
        top_row = round(y) + top
        return self.draw_image(gc, round(x) + left, self.height - top_row - coverage.shape[0], image[::-1])

    def _coverage(self, s, prop, angle, antialiased) -> tuple[np.ndarray, int, int] | None:
        """Draw the string once, black on a transparent scratch renderer, and keep its alpha."""
        width, height, descent = self.get_text_width_height_descent(s, prop, ismath=False)
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        corners = [(dx * cos - dy * sin, dx * sin + dy * cos)  # y upwards, from the anchor
                   for dx in (0, width) for dy in (-descent, height - descent)]
        low_x, high_x = math.floor(min(c[0] for c in corners)), math.ceil(max(c[0] for c in corners))
        low_y, high_y = math.floor(min(c[1] for c in corners)), math.ceil(max(c[1] for c in corners))
        pad = 2 + math.ceil(_PAD_SHARE * self.points_to_pixels(prop.get_size_in_points()))
        anchor_x, anchor_y = pad - low_x, pad + high_y  # the anchor on the scratch, y downwards
        scratch = RendererAgg(high_x - low_x + 2 * pad, high_y - low_y + 2 * pad, self.dpi)
        scratch_gc = scratch.new_gc()
        scratch_gc.set_foreground("black")
        scratch_gc.set_antialiased(antialiased)
        RendererAgg.draw_text(scratch, scratch_gc, anchor_x, anchor_y, s, prop, angle)
        coverage = np.asarray(scratch.buffer_rgba())[..., 3]
        rows, columns = np.nonzero(coverage.any(axis=1))[0], np.nonzero(coverage.any(axis=0))[0]
        if not len(rows):
            return None
        cropped = coverage[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1].copy()
        return cropped, int(columns[0]) - anchor_x, int(rows[0]) - anchor_y


class WidgetCanvas(FigureCanvasAgg):
    """The canvas of a widget chart: Agg, with text from :class:`TextCachingRenderer`.

    It keeps one renderer for the chart's life (remade only if the size or dpi
    changes), as FigureCanvasAgg does with its own.
    """

    _renderer_key: tuple | None = None

    def get_renderer(self):
        key = (*self.get_width_height(physical=True), self.figure.dpi)
        if self._renderer_key != key:
            self.renderer = TextCachingRenderer(*key)
            self._renderer_key = key
        return self.renderer
