"""The chart helpers widgets redraw with: the PNG they encode and the text they draw."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from russia_china.charts import PNG_DPI, _encode_png, label_chart, new_chart, png_bytes


@pytest.mark.parametrize("alpha", [255, 128])
def test_the_png_encoder_keeps_every_pixel(alpha):
    rng = np.random.default_rng(7)
    rgba = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    rgba[..., 3] = alpha
    decoded = np.asarray(Image.open(io.BytesIO(_encode_png(rgba))))
    if alpha == 255:
        assert decoded.shape == (37, 53, 3) and (decoded == rgba[..., :3]).all()
    else:
        assert decoded.shape == (37, 53, 4) and (decoded == rgba).all()


def _labelled(fixed_layout: bool):
    fig, ax = new_chart(fixed_layout=fixed_layout)
    ax.plot([2000, 2010, 2020], [1, 5, 3], label="trade")
    ax.legend()
    label_chart(fig, ax, title="A test chart", units="US$ billion", sources=["imf"],
                alt_text="A line rising from 1 in 2000 to 5 in 2010, then falling to 3 in 2020.")
    return fig


def test_a_widget_chart_is_a_png_at_the_course_resolution():
    fig = _labelled(fixed_layout=True)
    image = Image.open(io.BytesIO(png_bytes(fig)))
    assert image.format == "PNG" and image.size == (9 * PNG_DPI, round(4.8 * PNG_DPI))


def test_widget_text_looks_like_matplotlibs_own():
    """The widget canvas draws each string as one bitmap: it must land where
    matplotlib's own renderer puts the text, give or take a pixel's rounding."""
    fig = _labelled(fixed_layout=True)
    fast = np.asarray(Image.open(io.BytesIO(png_bytes(fig))).convert("L"), dtype=float)
    FigureCanvasAgg(fig)  # the same figure through matplotlib's stock Agg renderer
    buffer = io.BytesIO()
    with rc_context({"text.hinting": "no_hinting"}):
        fig.savefig(buffer, format="png", dpi=PNG_DPI)
    stock = np.asarray(Image.open(buffer).convert("L"), dtype=float)
    assert fast.shape == stock.shape
    ink_fast, ink_stock = (255 - fast).sum(), (255 - stock).sum()
    assert abs(ink_fast - ink_stock) / ink_stock < 0.03  # the same text, in about the same amount of ink
    # Every pixel close to one of matplotlib's at most a pixel away (strings are placed to the whole pixel).
    padded = np.pad(stock, 1, mode="edge")
    height, width = fast.shape
    nearest = np.min([np.abs(fast - padded[1 + dy:1 + dy + height, 1 + dx:1 + dx + width])
                      for dy in (-1, 0, 1) for dx in (-1, 0, 1)], axis=0)
    assert np.mean(nearest > 64) < 0.002
