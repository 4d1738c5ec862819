"""One place that gives every course chart what readers need: a title with
units, a source line underneath (as Our World in Data does), a colour-blind
safe palette backed by line styles and markers, and a text alternative."""

from __future__ import annotations

import base64
import html
import io
import struct
import textwrap
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .chart_canvas import WidgetCanvas
from .citations import short_source, source_line

#: Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
#: Line styles and markers carry the same distinction as colour, for print and for readers who see no colour.
LINE_STYLES = ["-", "--", ":", "-."] * 2
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


@dataclass(frozen=True)
class Look:
    """How one entity is drawn: colour, marker and line style together."""

    colour: str
    marker: str
    linestyle: str = "-"


#: One look per entity the lessons compare, the same in every lesson: a reader
#: who learns that Russia is vermilion squares in lesson 02 finds it so in 03.
#: Lessons ask :func:`look` and never pick palette colours for these entities.
LOOKS: dict[str, Look] = {
    # Countries: as economies, as reporters of trade and as SIPRI suppliers.
    "China": Look(PALETTE[0], "o", "-"),
    "Russia": Look(PALETTE[1], "s", "--"),
    "Soviet Union": Look(PALETTE[3], "^", "-"),
    "All suppliers": Look(PALETTE[7], "D", ":"),
    "Saudi Arabia": Look(PALETTE[2], "o", "-"),  # China's other large crude supplier
    # The other permanent members of the UN Security Council.
    "USA": Look(PALETTE[2], "P", "-"),
    "UK": Look(PALETTE[5], "X", "--"),
    "France": Look(PALETTE[4], "v", ":"),
    # The three records of China–Russia trade (data.derived.TRADE_RECORDS): each side in its country's look.
    "Reported by China (IMF)": Look(PALETTE[0], "o", "-"),
    "Reported by Russia (IMF)": Look(PALETTE[1], "s", "--"),
    # Customs headlines are points only (a line would invent the years between them), drawn hollow.
    "China customs headline (GACC)": Look(PALETTE[2], "s", ""),
    # Trade flows.
    "exports": Look(PALETTE[5], "^", "-"),
    "imports": Look(PALETTE[4], "v", "--"),
    "total": Look(PALETTE[7], "D", ":"),
    # The five articles, by source_id.
    "brooker2015": Look(PALETTE[4], "v", "-"),
    "chan2022": Look(PALETTE[5], "X", "--"),
    "kuhrt2024": Look(PALETTE[3], "*", ":"),
    "bobby2025": Look(PALETTE[1], "P", "-."),
    "gill2025": Look(PALETTE[0], "s", "-"),
}
#: Other names of the same entities.
ALIASES = {"USSR": "Soviet Union", "China (IMF)": "Reported by China (IMF)",
           "Russia (IMF)": "Reported by Russia (IMF)"}


def look(entity: str) -> Look:
    """The one look of a country, supplier, trade record, flow or article (source_id)."""
    try:
        return LOOKS[ALIASES.get(entity, entity)]
    except KeyError:
        raise KeyError(f"{entity!r} has no look in charts.LOOKS; add it there, not in a lesson") from None

SOURCE_FONT_SIZE = 8
_SOURCE_WIDTH = 110  # characters per line of source text
#: More lines than this under a chart are a block of small type the eye skips: the chart then names
#: its sources briefly, and the full citations go into the text alternative.
MAX_SOURCE_LINES = 3


def _wrap(text: str) -> list[str]:
    # Never at a hyphen: "China-\nRussia" would read as a hyphenated word.
    return textwrap.wrap(text, _SOURCE_WIDTH, break_on_hyphens=False)


def fitted_source(sources: Iterable[str], note: str = "") -> tuple[str, str]:
    """The source text under a chart, wrapped to at most :data:`MAX_SOURCE_LINES`
    lines, and what the text alternative must add so nothing is lost ('' if the
    full source line fits)."""
    ids = list(sources)
    full = source_line(ids, note)
    lines = _wrap(full)
    if len(lines) <= MAX_SOURCE_LINES:
        return "\n".join(lines), ""
    in_full = f"Sources in full: {full.removeprefix('Source: ')}"
    brief = "Source: " + "; ".join(short_source(i) for i in ids) + "."
    with_note = _wrap(f"{brief} {note} Full citations in the text alternative.")
    if note and len(with_note) <= MAX_SOURCE_LINES:
        return "\n".join(with_note), in_full
    shortened = f"{brief} {'Note and full' if note else 'Full'} citations in the text alternative."
    return "\n".join(_wrap(shortened)), in_full


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


def style_axes(ax: Axes) -> None:
    """The course's axes style; re-applied after ``ax.clear()`` when a widget redraws."""
    ax.set_prop_cycle(color=PALETTE[:4], linestyle=LINE_STYLES[:4])
    ax.grid(True, alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def clear_axes(ax: Axes) -> None:
    """Empty the axes for a widget's redraw and re-apply the course's style."""
    ax.clear()
    style_axes(ax)


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
    wrapped, in_full = fitted_source(sources, source_note)
    if fig.get_layout_engine() is None:
        # Pinned to the top of the axes: left to itself, matplotlib would lay
        # out the y axis' ticks an extra time per draw, to see whether the title
        # must move up above ticks or an offset on top, which widget charts never have.
        ax.set_title(f"{title} ({units})", loc="left", fontsize=12, fontweight="bold", y=1.0)
        _place_with_fixed_margins(fig, wrapped)
    else:
        ax.set_title(f"{title} ({units})", loc="left", fontsize=12, fontweight="bold")
        fig.supxlabel(wrapped, x=0.0, ha="left", fontsize=SOURCE_FONT_SIZE, color="#333333")
    # Carried on the figure for show() and the widgets; matplotlib's Figure type does not declare them.
    fig.alt_text = f"{alt_text} {in_full}".strip()  # type: ignore[attr-defined]
    fig.source_text = wrapped  # type: ignore[attr-defined]
    return fig


def _place_with_fixed_margins(fig: Figure, source_text: str) -> None:
    """Reserve room under the axes for the x label and the source line's lines."""
    height_px = fig.get_figheight() * fig.dpi
    line_px = SOURCE_FONT_SIZE * 1.5 * fig.dpi / 72
    bottom_px = 48 + line_px * (source_text.count("\n") + 1)
    fig.subplots_adjust(left=0.085, right=0.98, top=0.92, bottom=bottom_px / height_px)
    artist = getattr(fig, "source_artist", None)
    if artist is None:  # one text artist for the widget's life, in the bottom left corner
        fig.source_artist = artist = fig.text(  # type: ignore[attr-defined]  # kept on the figure to reuse
            6 / fig.bbox.width, 8 / fig.bbox.height, "", ha="left", va="bottom", fontsize=SOURCE_FONT_SIZE,
            color="#333333")
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


def mimebundle(png: bytes, alt: str, plain: str, source: str = "") -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Data and metadata for displaying a chart: HTML with alt, the PNG, text.

    The PNG's metadata carries the alt text and the source line as text, so a
    static page (``make site``) can print the source under the image.
    """
    data = {"text/html": img_html(png, alt), "image/png": base64.b64encode(png).decode("ascii"), "text/plain": plain}
    metadata: dict[str, Any] = {"alt": alt}
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


# ---------------------------------------------------------------------------
# Text alternatives, written from the data a chart plots. Each returns a plain
# sentence fragment, so a chart cell reads: pandas, the seaborn call, then
# label_chart(..., alt_text=f"... {describe_lines(...)} ...").
# ---------------------------------------------------------------------------

def _number(value: float, fmt: str) -> str:
    return format(value, fmt)


def _suffix(unit: str) -> str:
    """' billion' after a number, but '%' straight after it."""
    return "" if not unit else unit if unit.startswith("%") else f" {unit}"


def _name(value) -> str:
    """A category as one line of text: line breaks made for an axis label become spaces."""
    return " ".join(str(value).split())


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """'1 event', '0 events', '3 vetoes': a count with its noun in the right number."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def year_ranges(years: Iterable[int]) -> str:
    """Years as runs: [1969, 1970, 1971, 1975] -> '1969–1971, 1975'."""
    ordered = sorted({int(year) for year in years})
    runs: list[list[int]] = []
    for year in ordered:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 1 else f"{run[0]}" for run in runs)


def describe_lines(data, *, x: str, y: str, by: str | None = None, unit: str = "", fmt: str = ",.0f",
                   extremes: tuple[str, ...] = ("highest",)) -> str:
    """One clause per line: where it starts and ends, its extremes, and the x
    values where it has no value (a gap, which a chart leaves empty).

    ``data`` is the long table the chart plots (one row per point), ``by`` the
    column that names the lines. ``extremes`` names the points to give besides
    the ends: "highest", "lowest" or both, in the order given; one that falls
    at an end is named there, as in '1.5 in 1990 (lowest) to 4.2 in 2010'.
    Example: 'Russia: 5 billion in 1992 to 108 billion in 2020, highest 111
    billion in 2014'.
    """
    if not set(extremes) <= {"highest", "lowest"}:
        raise ValueError(f"extremes can be 'highest' and 'lowest', not {extremes}")
    suffix = _suffix(unit)
    groups = [(None, data)] if by is None else list(data.groupby(by, sort=False))
    clauses = []
    for name, unsorted in groups:
        rows = unsorted.sort_values(x)
        valued = rows[rows[y].notna()]
        if valued.empty:
            clauses.append(f"{name}: no values")
            continue
        xs, ys = valued[x].tolist(), valued[y].tolist()  # columns, not rows: a row would turn years into floats
        last = len(ys) - 1
        at_ends: dict[int, list[str]] = {0: [], last: []}
        between: list[str] = []
        for extreme in extremes:  # an extreme at an end is said there, not a second time
            at = ys.index(max(ys) if extreme == "highest" else min(ys))
            if at in at_ends:
                at_ends[at].append(extreme)
            else:
                between.append(f", {extreme} {_number(ys[at], fmt)}{suffix} in {xs[at]}")
        ends = [f"{_number(ys[i], fmt)}{suffix} in {xs[i]}" + (f" ({' and '.join(at_ends[i])})" if at_ends[i] else "")
                for i in (0, last)]
        clause = f"{ends[0]} to {ends[1]}" + "".join(between)
        missing = rows[rows[y].isna()]
        if len(missing):
            clause += f", no value in {year_ranges(missing[x])}"
        clauses.append(clause if name is None else f"{name}: {clause}")
    return "; ".join(clauses)


def describe_points(data, *, x: str, y: str, unit: str = "", fmt: str = ",.0f") -> str:
    """The plotted points in x order: '190 billion for 2022 and 237 billion for 2024'."""
    suffix = _suffix(unit)
    parts = [f"{_number(value, fmt)}{suffix} for {at}" for at, value in sorted(zip(data[x], data[y]))]
    if len(parts) <= 1:
        return parts[0] if parts else "no points"
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def describe_counts(counts, *, unit: str = "") -> str:
    """A count per category, in the order given: 'history 12, military 7'.

    ``counts`` is a pandas Series (e.g. from ``value_counts()``) or a dict.
    """
    suffix = _suffix(unit)
    return ", ".join(f"{_name(name)} {int(count)}{suffix}" for name, count in dict(counts).items())


def hedged_numbers(data, *, value: str, qualifier: str | None = None, unit: str = "", fmt: str = "g",
                   plain: tuple[str, ...] = ("exact", "as reported")) -> list[str]:
    """Each row's number as its source hedged it: ['more than 107 Mt', '85.96 Mt'].

    ``qualifier`` is the column with the article's hedge ('about', 'more than'),
    written before the number unless it is one of ``plain``, the words for a
    number given as it stands. For bar labels as well as text alternatives: a
    chart must not make 'about 24%' look exact.
    """
    suffix = _suffix(unit)
    hedges = data[qualifier] if qualifier else [plain[0]] * len(data)
    return [("" if hedge in plain else f"{hedge} ") + f"{_number(number, fmt)}{suffix}"
            for number, hedge in zip(data[value], hedges)]


def describe_values(data, *, name: str | list[str], value: str, qualifier: str | None = None,
                    detail: str | None = None, unit: str = "", fmt: str = "g") -> str:
    """One item per row, in the table's order, each number with its hedge
    (see :func:`hedged_numbers`): 'Heilongjiang imports: 78%; Heilongjiang
    exports: about 24%'.

    ``name`` is the column (or columns, joined by spaces) naming the bar or
    point; ``detail`` a column added in brackets, e.g. who gave the figure.
    """
    columns = [name] if isinstance(name, str) else list(name)
    names = [" ".join(_name(part) for part in parts) for parts in zip(*(data[c] for c in columns))]
    numbers = hedged_numbers(data, value=value, qualifier=qualifier, unit=unit, fmt=fmt)
    details = [f" ({_name(d)})" for d in data[detail]] if detail else [""] * len(data)
    return "; ".join(f"{n}: {number}{d}" for n, number, d in zip(names, numbers, details))


def describe_spread(data, *, x: str, y: str, unit: str = "", fmt: str = "g") -> str:
    """Where reports of the same x disagree, the range they span:
    '2022 (15.1 to 15.5 bcm), 2023 (22.7 to 22.73 bcm)'; 'no year' if all agree."""
    suffix = _suffix(unit)
    spans = data.groupby(x)[y].agg(["min", "max"])
    spans = spans[spans["min"] < spans["max"]]
    if spans.empty:
        return "no year"
    return ", ".join(f"{at} ({_number(low, fmt)} to {_number(high, fmt)}{suffix})"
                     for at, low, high in zip(spans.index, spans["min"], spans["max"]))


def describe_table(table, *, fmt: str = "g") -> str:
    """A wide table of counts, one clause per row, the column names as units:
    'The Arctic: 1 events, 0 figures; Central Asia: 3 events, 3 figures'."""
    return "; ".join(f"{_name(row)}: " + ", ".join(f"{_number(v, fmt)} {_name(c)}" for c, v in values.items())
                     for row, values in table.iterrows())


# ---------------------------------------------------------------------------
# Marks that keep a chart from saying more than its data.
# ---------------------------------------------------------------------------

def mark_not_recorded(ax: Axes, years: Iterable[int], *, y: float | None = 0,
                      label: str = "No deliveries recorded by SIPRI", note: bool = True,
                      note_height: float = 0.25) -> str:
    """Crosses on the baseline for the years a source recorded nothing, and a
    note saying the gap in the line is a blank in the source, not a measured 0.

    Draw the series itself with those years as NaN (``Series.mask``), so its line
    breaks there. ``y=None`` puts the crosses at the foot of the axes (on a log
    scale there is no 0); ``note_height`` is the note's height as a fraction of
    the axes. Returns the note's words, for the text alternative.
    """
    years = sorted(int(year) for year in years)
    if not years:
        return ""
    transform = ax.get_xaxis_transform() if y is None else ax.transData
    y = 0.03 if y is None else y
    ax.scatter(years, [y] * len(years), marker="x", s=40, linewidths=1.4, color="black", zorder=5,
               label=label, gid="none recorded", transform=transform)
    words = f"{label} in {year_ranges(years)}: a blank in the source, drawn as a gap, not as 0"
    if note:  # above the crosses, clear of lines near the baseline, with an arrow down to them
        middle = (years[0] + years[-1]) / 2
        ax.annotate(f"{label}, {year_ranges(years)}:\na blank in the source, not a measured 0",
                    (middle, y), xycoords=transform, xytext=(middle, note_height),
                    textcoords=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=7.5, color="#333333",
                    arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 0.8, "shrinkB": 4},
                    bbox={"facecolor": "white", "edgecolor": "#999999", "alpha": 0.9, "pad": 2})
    return words


def approximate_band(ax: Axes, start: float, end: float, *, label: str, color: str = PALETTE[1],
                     rows: tuple[float, float] | None = None):
    """A hatched band over the years an approximate date can mean (e.g. 'the
    late 1950s' read as 1957–1959), where a single line would look as exact as a
    dated year. Each year's band runs from half a year before to half after;
    ``rows`` limits it to a (bottom, top) range of y, in data units."""
    style: dict[str, Any] = {"facecolor": "none", "edgecolor": color, "hatch": "///", "linewidth": 1.2, "label": label,
             "zorder": 1, "gid": "approximate date"}
    if rows is None:
        return ax.axvspan(start - 0.5, end + 0.5, **style)
    return ax.fill_betweenx(list(rows), start - 0.5, end + 0.5, **style)


def end_point(ax: Axes, x: float, y: float, *, label: str, note: str = "", marker: str = "D",
              color: str = "black"):
    """One marker at the moment a count is stated ('16 since 2006', said in
    2025), not a line back to the period's start: on a running total a line
    from 2006 would read as if the count stood there already."""
    artist = ax.scatter([x], [y], marker=marker, s=70, facecolor="white", edgecolor=color, linewidths=2,
                        zorder=6, label=label)
    if note:  # well to the left, with an arrow: the last points of the series sit just before it
        ax.annotate(note, (x, y), xytext=(-90, 0), textcoords="offset points", ha="right", va="center",
                    fontsize=7.5, color="#333333", arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 0.8},
                    bbox={"facecolor": "white", "edgecolor": "#999999", "alpha": 0.9, "pad": 2})
    return artist
