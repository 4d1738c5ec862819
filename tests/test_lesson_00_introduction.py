"""Lesson 00: on the first trade chart every point stays visible — China's
customs squares above the IMF lines, the article's crosses inside the squares
they share a year with (Gill's 2022 figure equals the customs total) — in the
widget and in the notebook's own chart cell."""

from __future__ import annotations

import io

import matplotlib.colors as mcolors
import nbformat
import numpy as np
import pytest
from PIL import Image

from russia_china import charts
from russia_china.data import load
from russia_china.lessons import introduction
from russia_china.paths import REPO_ROOT

CUSTOMS = "China customs headline (GACC)"
CUSTOMS_COLOUR = np.array(mcolors.to_rgb(charts.PALETTE[2])) * 255


def _pixels(fig) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(charts.png_bytes(fig))).convert("RGB"), dtype=float)


def _customs_ink(fig, ax, points) -> list[int]:
    """Pixels of the customs colour in a small box round each customs point."""
    fig.canvas.draw()
    image = _pixels(fig)
    height = image.shape[0]
    scale = charts.PNG_DPI / fig.dpi
    counts = []
    for x, y in points:
        px, py = ax.transData.transform((x, y)) * scale
        row, col = round(height - py), round(px)
        box = image[row - 9:row + 10, col - 9:col + 10]
        counts.append(int((np.abs(box - CUSTOMS_COLOUR).sum(axis=2) < 60).sum()))
    return counts


def _assert_every_customs_point_shows(fig, ax, customs_artist, article_artist, points):
    """Each customs square keeps at least 70% of the ink it has when drawn alone,
    and the article's crosses are drawn on top of it, smaller."""
    together = _customs_ink(fig, ax, points)
    others = [a for a in [*ax.lines, *ax.collections] if a is not customs_artist]
    for artist in others:
        artist.set_visible(False)
    alone = _customs_ink(fig, ax, points)
    for artist in others:
        artist.set_visible(True)
    hidden = [(p, t, a) for p, t, a in zip(points, together, alone) if t < 0.7 * a]
    assert not hidden, f"customs points partly hidden (point, ink together, ink alone): {hidden}"
    lines = [line for line in ax.lines if line is not customs_artist and line is not article_artist
             and line.get_linestyle() not in ("None", "")]
    assert lines and all(customs_artist.get_zorder() > line.get_zorder() for line in lines)
    assert article_artist.get_zorder() > customs_artist.get_zorder()


def test_widget_keeps_every_customs_point_visible():
    chart = introduction.trade_records_widget()
    ax = chart.axes
    customs = next(line for line in ax.lines if line.get_label() == CUSTOMS)
    article = next(line for line in ax.lines if line.get_label() == introduction.ARTICLE_FIGURES)
    assert article.get_markersize() < customs.get_markersize()
    assert customs.get_markerfacecolor() == "none"  # open: the IMF points under it show through
    points = list(zip(customs.get_xdata(), customs.get_ydata()))
    assert (2022, pytest.approx(190.3, abs=0.05)) in [(int(x), y) for x, y in points]
    _assert_every_customs_point_shows(chart.figure, ax, customs, article, points)


def test_notebook_chart_keeps_every_customs_point_visible(monkeypatch):
    """Runs the lesson's own cells up to the chart and checks the figure it shows."""
    nb = nbformat.read(REPO_ROOT / "notebooks" / "00_introduction.ipynb", as_version=4)
    shown = []
    monkeypatch.setattr(charts, "show", shown.append)
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or "widget()" in cell.source:
            continue
        exec(compile(cell.source, cell.get("id", "cell"), "exec"), namespace)
        if shown:
            break
    fig = shown[0]
    ax = fig.axes[0]
    customs = next(c for c in ax.collections if c.get_label() == CUSTOMS)
    article = next(c for c in ax.collections if c.get_label().startswith("Figure stated in Gill"))
    assert article.get_sizes().max() < customs.get_sizes().min()
    assert customs.get_facecolor().size == 0 or (customs.get_facecolor()[:, 3] == 0).all()  # open squares
    points = [tuple(p) for p in customs.get_offsets()]
    gill = load("figures").query("measure == 'China–Russia trade, total value'")
    assert set(gill["year_start"]) <= {int(x) for x, _ in points}  # each cross shares a year with a square
    _assert_every_customs_point_shows(fig, ax, customs, article, points)
