"""One place that gives every course chart what readers need: a title with
units, a source line underneath (as Our World in Data does), a colour-blind
safe palette backed by line styles and markers, and a text alternative."""

from __future__ import annotations

import base64
import html
import io
import math
import struct
import textwrap
import zlib
from collections.abc import Iterable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure

from .citations import source_line

#: Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
#: Line styles and markers carry the same distinction as colour, for print and for readers who see no colour.
LINE_STYLES = ["-", "--", ":", "-."] * 2
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

SOURCE_FONT_SIZE = 8
_SOURCE_WIDTH = 110  # characters per line of source text
PNG_DPI = 100  # every chart's PNG: 100 pixels per inch of figure size


def new_chart(width: float = 9, height: float = 4.8, *, fixed_layout: bool = False) -> tuple[Figure, Axes]:
    """A figure and axes in the course's style, with room below for the source line.

    ``fixed_layout`` is for widget charts, redrawn into a PNG on every control
    change and never shown by pyplot. Their axes sit at fixed margins instead
    of matplotlib's constrained layout, which costs a second full draw on every
    save; and the figure is made outside pyplot with an Agg canvas of its own,
    kept for the chart's life, so each redraw reuses the canvas's renderer and
    matplotlib's cache of text sizes (a figure closed in pyplot gets a new
    canvas, renderer and empty cache at every save).
    """
    if fixed_layout:
        fig = Figure(figsize=(width, height), dpi=PNG_DPI)
        WidgetCanvas(fig)
        ax = fig.add_subplot()
    else:
        fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    style_axes(ax)
    return fig, ax


#: Bitmaps of the strings widget charts have drawn, by (text, font file, size,
#: dpi, hinting, antialiasing): see _StringAtOnceRenderer.
_STRING_BITMAPS: dict[tuple, tuple[np.ndarray, float, float, float]] = {}
_MAX_STRING_BITMAPS = 4096


class _StringAtOnceRenderer(RendererAgg):
    """An Agg renderer that draws each string of text as one bitmap, as
    matplotlib did before 3.11, and keeps the bitmaps of the strings it drew.

    From 3.11 matplotlib draws text one glyph at a time in Python, which made
    text most of a widget chart's redraw. A string's bitmap does not depend on
    where it goes, so the titles, labels, tick labels and source lines that
    redraws repeat are copied, not drawn again. Text looks the same: glyphs
    within a string are placed to the whole pixel rather than a fraction.
    """

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        font = self._prepare_font(prop)
        key = (s, font.fname, prop.get_size_in_points(), self.dpi, get_hinting_flag(), gc.get_antialiased())
        if key not in _STRING_BITMAPS:
            if len(_STRING_BITMAPS) >= _MAX_STRING_BITMAPS:
                del _STRING_BITMAPS[next(iter(_STRING_BITMAPS))]  # the oldest
            font.set_text(s, 0, flags=get_hinting_flag())
            font.draw_glyphs_to_bitmap(antialiased=gc.get_antialiased())
            left, top = (offset / 64 for offset in font.get_bitmap_offset())
            _STRING_BITMAPS[key] = (np.array(font.get_image()), left, top, font.get_descent() / 64)
        bitmap, left, top, descent = _STRING_BITMAPS[key]
        x = round(x + left + descent * math.sin(math.radians(angle)))
        y = round(y + top + descent * math.cos(math.radians(angle)))
        self._renderer.draw_text_image(bitmap, x, y + 1, angle, gc)


class WidgetCanvas(FigureCanvasAgg):
    """The canvas of a widget chart: Agg, with text drawn a string at a time
    where this matplotlib would draw it a glyph at a time."""

    def get_renderer(self):
        if not hasattr(RendererAgg, "_draw_text_glyphs_and_boxes"):  # matplotlib < 3.11 draws strings at once
            return super().get_renderer()
        key = (*self.get_width_height(physical=True), self.figure.dpi)
        if self._lastKey != key:
            self.renderer = _StringAtOnceRenderer(*key)
            self._lastKey = key
        return self.renderer


def style_axes(ax: Axes) -> None:
    """The course's axes style; re-applied after ``ax.clear()`` when a widget redraws."""
    ax.set_prop_cycle(color=PALETTE[:4], linestyle=LINE_STYLES[:4])
    ax.grid(True, alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def clear_axes(ax: Axes) -> None:
    """Empty the axes for a widget's redraw and re-apply the course's style.

    ``ax.clear()`` throws away the axes' tick objects, and building ticks
    again (five artists each) is a sixth of a redraw: the old ones are reset
    to the new first tick's properties, as matplotlib does for each tick it
    adds, and kept for the next draw.
    """
    spare = {axis: (axis.majorTicks[1:], axis.minorTicks[1:]) for axis in (ax.xaxis, ax.yaxis)}
    ax.clear()
    style_axes(ax)
    if not hasattr(ax.xaxis, "_copy_tick_props"):  # not in this matplotlib: build ticks anew
        return
    for axis, (major, minor) in spare.items():
        for ticks, kept in ((axis.majorTicks, major), (axis.minorTicks, minor)):
            for tick in kept:
                axis._copy_tick_props(ticks[0], tick)
            ticks.extend(kept)


def label_chart(
    fig: Figure,
    ax: Axes,
    *,
    title: str,
    units: str,
    sources: Iterable[str],
    alt_text: str,
    source_note: str = "",
) -> Figure:
    """Title the chart with its units, add the source line, and attach the text alternative.

    ``sources`` are source_ids from data/sources.csv. The text alternative is
    stored as ``fig.alt_text`` and shown under the chart by :func:`show`.
    """
    if not units.strip():
        raise ValueError("a chart title needs its units, e.g. 'US$ billion'")
    if not alt_text.strip():
        raise ValueError("every chart needs a text alternative describing what it shows")
    wrapped = "\n".join(textwrap.wrap(source_line(sources, source_note), _SOURCE_WIDTH))
    if fig.get_layout_engine() is None:
        # Pinned to the top of the axes: left to itself, matplotlib would lay
        # out the y axis' ticks an extra time per draw, to see whether the title
        # must move up above ticks or an offset on top, which widget charts never have.
        ax.set_title(f"{title} ({units})", loc="left", fontsize=12, fontweight="bold", y=1.0)
        _place_with_fixed_margins(fig, wrapped)
    else:
        ax.set_title(f"{title} ({units})", loc="left", fontsize=12, fontweight="bold")
        fig.supxlabel(wrapped, x=0.0, ha="left", fontsize=SOURCE_FONT_SIZE, color="#333333")
    fig.alt_text = alt_text
    fig.source_text = wrapped
    return fig


def _place_with_fixed_margins(fig: Figure, source_text: str) -> None:
    """Reserve room under the axes for the x label and the source line's lines."""
    height_px = fig.get_figheight() * fig.dpi
    line_px = SOURCE_FONT_SIZE * 1.5 * fig.dpi / 72
    bottom_px = 48 + line_px * (source_text.count("\n") + 1)
    fig.subplots_adjust(left=0.085, right=0.98, top=0.92, bottom=bottom_px / height_px)
    artist = getattr(fig, "source_artist", None)
    if artist is None:  # one text artist for the widget's life, in the bottom left corner
        fig.source_artist = artist = fig.text(6 / fig.bbox.width, 8 / fig.bbox.height, "", ha="left",
                                              va="bottom", fontsize=SOURCE_FONT_SIZE, color="#333333")
    artist.set_text(source_text)


def png_bytes(fig: Figure) -> bytes:
    """The chart as a PNG at :data:`PNG_DPI` dots per inch."""
    # Text is most of a chart's drawing time; unhinted glyphs draw 15–25 % faster
    # and look as sharp at this size.
    with plt.rc_context({"text.hinting": "no_hinting"}):
        if isinstance(fig.canvas, FigureCanvasAgg) and fig.dpi == PNG_DPI:
            # What savefig would do, minus its PNG encoder (see _encode_png).
            fig.canvas.draw()
            return _encode_png(np.asarray(fig.canvas.buffer_rgba()))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=PNG_DPI, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()


def _encode_png(rgba: np.ndarray) -> bytes:
    """A PNG of the pixels, RGB when they are all opaque.

    Rows go unfiltered, with light compression: the encoder savefig uses spends
    most of its time choosing a filter for each row, which buys nothing on a
    chart's flat colours, so this is 2–3 times faster for a file of the same size.
    """
    opaque = rgba[..., 3].min() == 255
    pixels = rgba[..., :3] if opaque else rgba
    height, width, channels = pixels.shape
    rows = np.empty((height, 1 + width * channels), np.uint8)
    rows[:, 0] = 0  # each row starts with its filter type: 0, none
    rows[:, 1:].reshape(height, width, channels)[...] = pixels  # one copy, channels dropped on the way
    header = struct.pack(">IIBBBBB", width, height, 8, 2 if opaque else 6, 0, 0, 0)  # 8 bits, RGB or RGBA
    return b"".join([b"\x89PNG\r\n\x1a\n", _png_chunk(b"IHDR", header),
                     _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)), _png_chunk(b"IEND", b"")])


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def img_html(png: bytes, alt: str, css_class: str = "russia-china-chart-image") -> str:
    """An <img> with the PNG inline and its text alternative as alt: JupyterLab
    and nbconvert both prefer this HTML to a bare PNG, which would lose the alt."""
    encoded = base64.b64encode(png).decode("ascii")
    return (f'<img class="{css_class}" src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}" '
            'style="max-width:100%;height:auto">')


def mimebundle(png: bytes, alt: str, plain: str, source: str = "") -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Data and metadata for displaying a chart: HTML with alt, the PNG, text.

    The PNG's metadata carries the alt text and the source line as text, so a
    static page (``make site``) can print the source under the image.
    """
    data = {"text/html": img_html(png, alt), "image/png": base64.b64encode(png).decode("ascii"), "text/plain": plain}
    metadata = {"alt": alt}
    if source.strip():
        metadata["source"] = " ".join(source.split())  # unwrapped: the chart's line breaks fit its width only
    return data, {"image/png": metadata}


def show(fig: Figure) -> None:
    """Display the chart with its alt text, then the text alternative itself.

    The visible caption serves screen readers and readers of the printed page alike.
    """
    from IPython.display import Markdown, display

    alt = getattr(fig, "alt_text", None)
    if not alt:
        raise ValueError("this chart has no text alternative: call label_chart() first")
    data, metadata = mimebundle(png_bytes(fig), alt, f"Chart: {alt}", getattr(fig, "source_text", ""))
    display(data, metadata=metadata, raw=True)
    display(Markdown(f"*Text alternative:* {alt}"))
    plt.close(fig)
