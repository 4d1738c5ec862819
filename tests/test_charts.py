"""The chart helpers widgets redraw with: the PNG they encode and the text they draw."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from russia_china.charts import (
    MAX_SOURCE_LINES,
    PNG_DPI,
    _encode_png,
    approximate_band,
    describe_counts,
    describe_lines,
    describe_points,
    describe_spread,
    describe_table,
    describe_values,
    end_point,
    fitted_source,
    hedged_numbers,
    label_chart,
    mark_not_recorded,
    new_chart,
    png_bytes,
    year_ranges,
)
from russia_china.citations import cite, source_line


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
    # Rotated, coloured and half-transparent text too, as lessons draw them.
    ax.set_ylabel("US$ billion")
    ax.text(2005, 2, "a note at 30°", rotation=30, color="#D55E00", alpha=0.5)
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


def test_widget_text_is_drawn_once_and_then_copied():
    from russia_china import chart_canvas

    fig = _labelled(fixed_layout=True)
    first = png_bytes(fig)
    strings = len(chart_canvas._COVERAGE)
    assert png_bytes(fig) == first and len(chart_canvas._COVERAGE) == strings, "a redraw draws no string again"
    fig.axes[0].set_title("A different title", loc="left")
    assert png_bytes(fig) != first and len(chart_canvas._COVERAGE) == strings + 1


# ---------------------------------------------------------------- text alternatives from the plotted data



def test_year_ranges_joins_runs():
    assert year_ranges([1971, 1969, 1970, 1975]) == "1969–1971, 1975"
    assert year_ranges([2000]) == "2000"


def test_describe_lines_follows_the_data():
    data = pd.DataFrame({"year": [2000, 2001, 2002, 2000, 2001, 2002],
                         "value": [1.0, 5.0, 3.0, 2.0, None, 4.0], "who": ["A"] * 3 + ["B"] * 3})
    text = describe_lines(data, x="year", y="value", by="who", unit="bn")
    assert text == ("A: 1 bn in 2000 to 3 bn in 2002, highest 5 bn in 2001; "
                    "B: 2 bn in 2000 to 4 bn in 2002 (highest), no value in 2001")
    changed = data.assign(value=data["value"] * 10)
    assert describe_lines(changed, x="year", y="value", by="who", unit="bn") != text
    assert "highest 50 bn in 2001" in describe_lines(changed, x="year", y="value", by="who", unit="bn")


def test_describe_points_and_counts_follow_the_data():
    points = pd.DataFrame({"year": [2024, 2022], "value": [237.0, 190.0]})
    assert (describe_points(points, x="year", y="value", unit="billion")
            == "190 billion for 2022 and 237 billion for 2024")
    assert describe_points(points.iloc[:1], x="year", y="value") == "237 for 2024"
    assert describe_counts(pd.Series({"history": 3, "military": 1})) == "history 3, military 1"
    assert describe_counts({"history": 4}, unit="events") == "history 4 events"


def test_describe_lines_gives_the_lowest_point_when_asked():
    data = pd.DataFrame({"year": [2000, 2001, 2002], "ratio": [0.9, 0.42, 1.15]})
    text = describe_lines(data, x="year", y="ratio", fmt=".2f", extremes=("lowest", "highest"))
    assert text == "0.90 in 2000 to 1.15 in 2002 (highest), lowest 0.42 in 2001"
    assert describe_lines(data.assign(ratio=[0.3, 0.42, 1.15]), x="year", y="ratio", fmt=".2f",
                          extremes=("lowest", "highest")) == "0.30 in 2000 (lowest) to 1.15 in 2002 (highest)"
    assert describe_lines(data.assign(ratio=[0.3, 2.0, 1.15]), x="year", y="ratio", fmt=".2f",
                          extremes=("lowest",)) == "0.30 in 2000 (lowest) to 1.15 in 2002"
    with pytest.raises(ValueError):
        describe_lines(data, x="year", y="ratio", extremes=("middle",))


def test_hedged_values_keep_the_sources_hedge():
    rows = pd.DataFrame({"province": ["Heilongjiang", "Heilongjiang"], "flow": ["imports", "exports"],
                         "value": [78.0, 24.0], "qualifier": ["exact", "about"], "who": ["Gill", "Gill\n(2025)"]})
    assert hedged_numbers(rows, value="value", qualifier="qualifier", unit="%") == ["78%", "about 24%"]
    assert hedged_numbers(rows, value="value", unit="Mt") == ["78 Mt", "24 Mt"]
    text = describe_values(rows, name=["province", "flow"], value="value", qualifier="qualifier", unit="%")
    assert text == "Heilongjiang imports: 78%; Heilongjiang exports: about 24%"
    assert describe_values(rows, name="flow", value="value", detail="who") == \
        "imports: 78 (Gill); exports: 24 (Gill (2025))"
    changed = rows.assign(qualifier=["more than", "exact"], value=[80.0, 24.0])
    assert describe_values(changed, name="flow", value="value", qualifier="qualifier", unit="%") == \
        "imports: more than 80%; exports: 24%"


def test_describe_spread_and_table_follow_the_data():
    reports = pd.DataFrame({"year": [2022, 2022, 2023, 2023, 2024], "bcm": [15.1, 15.5, 22.7, 22.73, 31.12]})
    assert describe_spread(reports, x="year", y="bcm", unit="bcm") == \
        "2022 (15.1 to 15.5 bcm), 2023 (22.7 to 22.73 bcm)"
    assert describe_spread(reports[reports["year"] != 2022], x="year", y="bcm") == "2023 (22.7 to 22.73)"
    assert describe_spread(reports.drop_duplicates("year"), x="year", y="bcm") == "no year"
    table = pd.DataFrame({"events": [3, 1], "claims": [0, 2]}, index=["Central Asia", "The Arctic"])
    assert describe_table(table) == "Central Asia: 3 events, 0 claims; The Arctic: 1 events, 2 claims"
    assert describe_table(table * 2) != describe_table(table)


def test_not_recorded_years_are_crossed_on_the_baseline_with_a_note():
    _fig, ax = new_chart()
    words = mark_not_recorded(ax, [1970, 1969, 1971], label="None recorded")
    crosses = [c for c in ax.collections if c.get_gid() == "none recorded"]
    assert crosses[0].get_offsets().tolist() == [[1969, 0], [1970, 0], [1971, 0]]
    assert "1969–1971" in words and "not as 0" in words
    assert any("not a measured 0" in t.get_text() for t in ax.texts)
    assert mark_not_recorded(ax, []) == ""


def test_an_approximate_date_is_a_hatched_band_and_a_stated_count_one_point():
    _fig, ax = new_chart()
    band = approximate_band(ax, 1957, 1959, label="late 1950s")
    assert band.get_hatch() == "///" and band.get_label() == "late 1950s"
    assert (band.get_x(), band.get_x() + band.get_width()) == (1956.5, 1959.5)
    point = end_point(ax, 2025, 16, label="16 since 2006", note="up to 16, or up by 16?")
    assert point.get_offsets().tolist() == [[2025, 16]]
    assert not ax.get_lines()


def test_a_short_source_line_stays_whole_on_the_chart():
    on_chart, in_full = fitted_source(["sipri"], "A short note.")
    assert " ".join(on_chart.split()) == source_line(["sipri"], "A short note.") and in_full == ""


def test_a_long_source_line_names_sources_briefly_and_keeps_the_note_when_it_fits():
    ids = ["bobby2025", "gill2025", "kuhrt2024", "imf"]
    on_chart, in_full = fitted_source(ids, "Caveat: partial years.")
    assert on_chart.count("\n") < MAX_SOURCE_LINES
    assert "Bobby (2025); Gill (2025); Kuhrt (2024); International Monetary Fund." in " ".join(on_chart.split())
    assert "Caveat: partial years. Full citations in the text alternative." in " ".join(on_chart.split())
    assert in_full == "Sources in full: " + source_line(ids, "Caveat: partial years.").removeprefix("Source: ")


def test_a_long_note_moves_to_the_text_alternative_with_the_citations():
    note = "A quotation that runs on and on. " * 12
    on_chart, in_full = fitted_source(["bobby2025", "gill2025", "kuhrt2024"], note)
    assert on_chart.count("\n") < MAX_SOURCE_LINES and "Note and full citations in the text alternative" in on_chart
    assert note.strip() in in_full and cite("kuhrt2024") in in_full


def test_source_lines_never_break_at_a_hyphen():
    on_chart, _ = fitted_source(["gill2025"], "China-Russia " * 30)
    assert not any(line.endswith("-") for line in on_chart.splitlines())
