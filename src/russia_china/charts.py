"""One place that gives every course chart what readers need: a title with
units, a source line underneath (as Our World in Data does), a colour-blind
safe palette backed by line styles and markers, and a text alternative."""

from __future__ import annotations

import base64
import html
import io
import textwrap
from collections.abc import Iterable
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .citations import source_line

#: Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
#: Line styles and markers carry the same distinction as colour, for print and for readers who see no colour.
LINE_STYLES = ["-", "--", ":", "-."] * 2
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

SOURCE_FONT_SIZE = 8
_SOURCE_WIDTH = 110  # characters per line of source text


def new_chart(width: float = 9, height: float = 4.8, *, fixed_layout: bool = False) -> tuple[Figure, Axes]:
    """A figure and axes in the course's style, with room below for the source line.

    ``fixed_layout`` places the axes by fixed margins instead of matplotlib's
    constrained layout, which costs a second full draw on every save: widget
    charts, redrawn on every slider step, use it.
    """
    fig, ax = plt.subplots(figsize=(width, height), layout=None if fixed_layout else "constrained")
    style_axes(ax)
    return fig, ax


def style_axes(ax: Axes) -> None:
    """The course's axes style; re-applied after ``ax.clear()`` when a widget redraws."""
    ax.set_prop_cycle(color=PALETTE[:4], linestyle=LINE_STYLES[:4])
    ax.grid(True, alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


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
    ax.set_title(f"{title} ({units})", loc="left", fontsize=12, fontweight="bold")
    wrapped = "\n".join(textwrap.wrap(source_line(sources, source_note), _SOURCE_WIDTH))
    if fig.get_layout_engine() is None:
        _place_with_fixed_margins(fig, wrapped)
    else:
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
    # The source line is the longest text on a chart and rarely changes
    # between redraws: blit a cached rendering instead of laying out its
    # glyphs on every slider step.
    pixels = _rendered_text(source_text, fig.dpi)
    artist = getattr(fig, "source_artist", None)
    if artist is None:
        fig.source_artist = fig.figimage(pixels, xo=4, yo=4, origin="upper")
    else:
        artist.set_data(pixels)


@lru_cache(maxsize=128)
def _rendered_text(text: str, dpi: float) -> np.ndarray:
    """RGBA pixels of the source line as the course prints it."""
    canvas = FigureCanvasAgg(Figure(dpi=dpi))
    label = canvas.figure.text(0, 0, text, fontsize=SOURCE_FONT_SIZE, color="#333333", ha="left", va="bottom")
    extent = label.get_window_extent(canvas.get_renderer())
    canvas.figure.set_size_inches((extent.width + 4) / dpi, (extent.height + 4) / dpi)
    label.set_position((2 / (extent.width + 4), 2 / (extent.height + 4)))
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    # Text is most of a chart's drawing time; unhinted glyphs draw 15–25 % faster
    # and look as sharp at this size. Light compression: the default level costs
    # more than drawing.
    with plt.rc_context({"text.hinting": "no_hinting"}):
        fig.savefig(buffer, format="png", dpi=100, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def img_html(png: bytes, alt: str, css_class: str = "russia-china-chart-image") -> str:
    """An <img> with the PNG inline and its text alternative as alt: JupyterLab
    and nbconvert both prefer this HTML to a bare PNG, which would lose the alt."""
    encoded = base64.b64encode(png).decode("ascii")
    return (f'<img class="{css_class}" src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}" '
            'style="max-width:100%;height:auto">')


def mimebundle(png: bytes, alt: str, plain: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Data and metadata for displaying a chart: HTML with alt, the PNG (alt in its metadata), text."""
    data = {"text/html": img_html(png, alt), "image/png": base64.b64encode(png).decode("ascii"), "text/plain": plain}
    return data, {"image/png": {"alt": alt}}


def show(fig: Figure) -> None:
    """Display the chart with its alt text, then the text alternative itself.

    The visible caption serves screen readers and readers of the printed page alike.
    """
    from IPython.display import Markdown, display

    alt = getattr(fig, "alt_text", None)
    if not alt:
        raise ValueError("this chart has no text alternative: call label_chart() first")
    data, metadata = mimebundle(png_bytes(fig), alt, f"Chart: {alt}")
    display(data, metadata=metadata, raw=True)
    display(Markdown(f"*Text alternative:* {alt}"))
    plt.close(fig)
