"""Lesson 01: the history of the relationship as the five articles date it —
an interactive timeline of events.csv, and the dates the articles disagree on."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from functools import partial
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..charts import MARKERS, PALETTE, approximate_band, look
from ..citations import cite, readable_date, short_cite
from ..data import load
from ..widgets import ChartText, ChartWidget, InvalidSelection, at_least_one

#: The course's topics, in the order rows and legends show them; each keeps one
#: colour and one marker shape, so the shape alone tells topics apart.
TOPICS = ["history", "economics", "military", "regional"]
TOPIC_STYLE = {topic: (PALETTE[i], MARKERS[i]) for i, topic in enumerate(TOPICS)}

#: Each article keeps its course-wide colour and marker (charts.LOOKS).
ARTICLE_STYLE = {source_id: (look(source_id).colour, look(source_id).marker)
                 for source_id in ("brooker2015", "chan2022", "kuhrt2024", "bobby2025", "gill2025")}

#: Plain-words names for the disagreement keys of events.csv (the key itself is shown for others).
DISAGREEMENT_NAMES = {
    "split_date": "when the split came",
    "turn_to_china_start": "when Russia's turn to China began",
}

#: What the timeline's rows can stand for: the event's topic or the article that dates it.
ROWS = {"Topic": "topic", "Article": "article"}

_BAND_SHADES = ["#EDEDED", "#FFFFFF"]
_TIMELINE_SIZE = (9.2, 6.2)
_DISAGREEMENT_SIZE = (9.5, 5.6)


#: How the lesson names an article in prose and on charts: 'Bobby (2025)'.
article_label = short_cite


def short_era_label(label: str) -> str:
    """'Strategic partnership 1996–2014' -> 'Strategic partnership'; dates stay on the axis."""
    return re.sub(r"\s*(\(to \d{4}\)|\d{4}–(\d{4}|present))$", "", label)


def when(row: pd.Series) -> str:
    """The event's date in words, saying so when an approximate date was placed on a year."""
    if row["date_precision"] == "years":
        return f"‘{row['date_as_written']}’ (placed at {row['year']})"
    if row["date_precision"] == "season":
        return row["date_as_written"]
    return readable_date(row["date"])


def approximate_span(row: pd.Series) -> tuple[int, int] | None:
    """The span of years an approximate date is read as, from ``year_derivation``
    ('... the middle of 1957–1959' -> (1957, 1959)); None for a date the data
    place on a year without writing a span ('read as about 2002'), or a dated event."""
    if row["date_precision"] != "years" or pd.isna(row["year_derivation"]):
        return None
    spans = re.findall(r"(\d{4})\s*[–-]\s*(\d{4})", row["year_derivation"])
    if not spans:
        return None
    first, last = (int(year) for year in spans[-1])
    return (first, last) if first < last else None


def timeline_events(events: pd.DataFrame, eras: pd.DataFrame) -> pd.DataFrame:
    """events.csv merged with its era labels, plus what the timeline shows for each event:
    the article's short name, the date in words, the full citation and a label for the list."""
    merged = events.merge(eras[["era_id", "label", "start_year"]].rename(columns={"label": "era_label"}),
                          left_on="era", right_on="era_id", how="left", validate="many_to_one")
    citations = {source_id: cite(source_id) for source_id in merged["source_id"].unique()}
    merged["article"] = merged["source_id"].map(article_label)
    merged["when"] = merged.apply(when, axis=1)
    merged["citation"] = merged["source_id"].map(citations)
    merged["option"] = [f"{year} · {textwrap.shorten(event, 62, placeholder='…')}"
                        for year, event in zip(merged["year"], merged["event"])]
    return merged.sort_values("event_id", ignore_index=True)


def filter_events(timeline: pd.DataFrame, eras: Sequence[str], topics: Sequence[str]) -> pd.DataFrame:
    """The events of the chosen eras (by label) and topics, in date order."""
    return timeline[timeline["era_label"].isin(eras) & timeline["topic"].isin(topics)]


def _stacked_positions(shown: pd.DataFrame, row_column: str, row_order: list[str]) -> pd.DataFrame:
    """x = year; y = the row's number, with events of the same row and year
    spread a little up and down so no marker hides another."""
    y_of_row = {row: len(row_order) - 1 - i for i, row in enumerate(row_order)}  # first row on top
    group = shown.groupby([row_column, "year"], sort=False)["event_id"]
    rank, size = group.cumcount(), group.transform("size")
    step = np.minimum(0.22, 0.84 / size)
    return shown.assign(x=shown["year"], y=shown[row_column].map(y_of_row) + (rank - (size - 1) / 2) * step)


def _draw_era_bands(ax: Axes, eras: pd.DataFrame, x_low: float, x_high: float, label_y: float,
                    last_year: int) -> list[str]:
    """Shade each era in view, alternating grey and white, and name it where the name fits."""
    span = x_high - x_low
    years_per_char = span / 125  # about 125 characters of 7-point text fit across the axes
    named = []
    era: Any  # itertuples' fields are the table's columns, which pandas-stubs can only type as any scalar
    for i, era in enumerate(eras.sort_values("start_year").itertuples()):
        start = era.start_year - 0.5
        end = (era.end_year if not pd.isna(era.end_year) else last_year) + 0.5
        left, right = max(start, x_low), min(end, x_high)
        if right <= left:
            continue
        ax.axvspan(left, right, color=_BAND_SHADES[i % 2], zorder=0, lw=0)
        name = short_era_label(era.label)
        lines = textwrap.wrap(name, max(1, int((right - left) / years_per_char)), break_long_words=False)
        if lines and len(lines) <= 2 and all(len(line) * years_per_char <= right - left for line in lines):
            ax.text((left + right) / 2, label_y, "\n".join(lines), ha="center", va="bottom", fontsize=7,
                    color="#444444", zorder=1)
        named.append(era.label)
    return named


def _label_rows(ax: Axes, order: list[str], x_left: float) -> None:
    """Name each row inside the axes, just above its line (the widget's fixed
    margins leave no room for long tick labels)."""
    for i, row in enumerate(order):
        y = len(order) - 1 - i
        ax.axhline(y, color="#BBBBBB", linewidth=0.7, zorder=1)
        ax.text(x_left, y + 0.1, f" {row}", ha="left", va="bottom", fontsize=8.5, fontweight="bold",
                color="#333333", zorder=2)


def _disagreement_line(event: pd.Series) -> str:
    """The box's last line for an event another article dates differently; '' for the others."""
    if pd.isna(event["disagreement"]):
        return ""
    return f"Another article dates this differently: see the disagreement ‘{event['disagreement']}’."


def _detail_text(event: pd.Series) -> str:
    """Date, description, source and quote of one event, wrapped for the box on the chart."""
    parts = [f"{event['when']} · {event['event']} ({event['era_label']})",
             f"Source: {event['citation']}",
             f"“{event['quote']}”"]
    if _disagreement_line(event):
        parts.append(_disagreement_line(event))
    return "\n".join(textwrap.fill(part, 100, break_on_hyphens=False) for part in parts)


def draw_timeline(ax: Axes, timeline: pd.DataFrame, era_table: pd.DataFrame, *, eras: tuple[str, ...],
                  topics: tuple[str, ...], event: str | None, rows: str) -> ChartText:
    """Every event of the chosen eras and topics on a line of years, one row per
    topic or per article, with the selected event's date, words and source in a box."""
    chosen_eras = at_least_one(eras, "era")
    chosen_topics = at_least_one(topics, "topic")
    shown = filter_events(timeline, chosen_eras, chosen_topics)
    if shown.empty:
        raise InvalidSelection("No event the articles date has these eras and topics together: "
                               "add an era or a topic.")
    if event not in set(shown["event_id"]):
        raise InvalidSelection("The selected event is not among the events shown: pick one from the Event list.")
    row_column = ROWS.get(rows, rows)
    order = (TOPICS if row_column == "topic"
             else sorted(timeline["article"].unique(), key=lambda a: (a[-5:-1], a)))
    order = [row for row in order if row in set(shown[row_column])]
    placed = _stacked_positions(shown, row_column, order)
    selected = placed[placed["event_id"] == event].iloc[0]

    # The rows take the lower part of the axes; the box with the selected event sits above them.
    bottom, rows_top = -1.0, len(order) - 0.5
    top = bottom + (rows_top - bottom) / 0.6
    x_low, x_high = placed["x"].min() - 4, placed["x"].max() + 1.5
    last_year = int(timeline["year"].max())
    named = _draw_era_bands(ax, era_table, x_low, x_high, bottom + 0.08, last_year)
    _label_rows(ax, order, x_low)

    for topic in [t for t in TOPICS if t in set(placed["topic"])]:
        points = placed[placed["topic"] == topic]
        colour, marker = TOPIC_STYLE[topic]
        ax.scatter(points["x"], points["y"], s=36, color=colour, marker=marker, edgecolor="white",
                   linewidth=0.6, zorder=3, label=f"{topic} ({len(points)})")
    ax.scatter([selected["x"]], [selected["y"]], s=260, facecolor="none", edgecolor="black", linewidth=2,
               zorder=4, label="selected event")
    ax.annotate(_detail_text(selected), xy=(selected["x"], selected["y"]), xycoords="data",
                xytext=(0.01, 0.985), textcoords="axes fraction", ha="left", va="top", fontsize=7.5,
                bbox={"boxstyle": "round,pad=0.5", "facecolor": "#FFFBEA", "edgecolor": "#999999"},
                arrowprops={"arrowstyle": "->", "color": "black", "lw": 1.2, "shrinkB": 9}, zorder=5)
    ax.set(xlim=(x_low, x_high), ylim=(bottom, top), xlabel="Year (events dated only to a year sit on it)",
           yticks=[])
    ax.grid(axis="y", visible=False)
    ax.legend(title="Topic (events shown)", loc="upper right", fontsize=7.5, title_fontsize=7.5,
              framealpha=0.95)

    first, last = shown.iloc[0], shown.iloc[-1]
    table = shown.sort_values(["year", "event_id"])[["event_id", "when", "event", "topic", "article", "era_label"]]
    return ChartText(
        data=table.rename(columns={"event_id": "id", "era_label": "era"}),
        title="Events the five articles date",
        units="one marker per event",
        sources=sorted(shown["source_id"].unique()),
        alt_text=(f"Timeline of {len(shown)} of the {len(timeline)} events the articles date, from "
                  f"{first['year']} ({first['event']}) to {last['year']} ({last['event']}), one row per "
                  f"{row_column} ({', '.join(order)}), markers by topic. Eras shown: {', '.join(named)}. "
                  f"Selected event: {selected['when']}: {selected['event']} ({selected['era_label']}). "
                  f"Source: {selected['citation']}. Quote: “{selected['quote']}”"
                  + (f" {_disagreement_line(selected)}" if _disagreement_line(selected) else "")),
    )


#: The Event menu's one value while the filters show no event.
NO_EVENT = ""


def _event_options(shown: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(shown["option"], shown["event_id"]))


def _keep_event_list_in_step(timeline: pd.DataFrame, changed: str, controls: dict, *,
                             remembered: dict[str, str]) -> None:
    """Offer in the Event list only the events the filters show, keeping the
    selection when it is still shown (ipywidgets would jump to the first)."""
    if changed not in ("eras", "topics"):
        return
    event = controls["event"]
    shown = filter_events(timeline, tuple(controls["eras"].value), tuple(controls["topics"].value))
    options = _event_options(shown)
    if not options:
        # Nothing to pick: say so in the menu and grey it, rather than leave it blank; the
        # last event is remembered and comes back with the filters.
        if event.value:
            remembered["event"] = event.value
        # A value of its own: with None, ipywidgets would select nothing and the menu would show blank.
        event.options = [("(no event shown: add an era or a topic)", NO_EVENT)]
        event.disabled = True
        return
    event.disabled = False
    if [tuple(option) for option in event.options] == options:
        return
    current = event.value or remembered.get("event")
    event.options = options
    ids = [value for _, value in options]
    event.value = current if current in ids else ids[0]



def timeline_widget(selected: str = "E25") -> ChartWidget:
    """Filter the events by era and topic, pick one, and read its date, source and quote."""
    era_table = load("eras").sort_values("start_year", ignore_index=True)
    timeline = timeline_events(load("events"), era_table)
    era_labels = tuple(era_table["label"])
    topics = tuple(t for t in TOPICS if t in set(timeline["topic"]))
    controls = {
        "eras": widgets.SelectMultiple(options=era_labels, value=era_labels, rows=len(era_labels),
                                       description="Eras", style={"description_width": "initial"}),
        "topics": widgets.SelectMultiple(options=topics, value=topics, rows=len(topics),
                                         description="Topics", style={"description_width": "initial"}),
        "rows": widgets.ToggleButtons(options=list(ROWS.items()), value="topic", description="Rows",
                                      style={"description_width": "initial", "button_width": "70px"}),
        "event": widgets.Dropdown(options=_event_options(timeline), value=selected, description="Event",
                                  layout=widgets.Layout(width="580px"), style={"description_width": "initial"}),
    }
    return ChartWidget(partial(draw_timeline, timeline=timeline, era_table=era_table), controls,
                       width=_TIMELINE_SIZE[0], height=_TIMELINE_SIZE[1],
                       before_redraw=partial(_keep_event_list_in_step, timeline, remembered={}))


def disputed_events(timeline: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows of the articles that date the same development differently, earliest first."""
    return timeline[timeline["disagreement"] == key].sort_values(["year", "event_id"])


def draw_disagreement(ax: Axes, timeline: pd.DataFrame, era_table: pd.DataFrame, *, key: str, context: int,
                      show_eras: bool) -> ChartText:
    """Each article's date for a disputed development on its own row, the gap
    between them, and the other dated events within ``context`` years."""
    disputed = disputed_events(timeline, key)
    if disputed.empty:
        raise InvalidSelection(f"No articles disagree under the key {key!r}.")
    low, high = int(disputed["year"].min()), int(disputed["year"].max())
    window = (low - context, high + context)
    others = timeline[(timeline["disagreement"] != key) & timeline["year"].between(*window)]
    x_low, x_high = window[0] - 2.5, window[1] + 1.5
    n = len(disputed)
    top = n + 1.6
    order = [*list(reversed(disputed["article"].tolist())), "other dated events"]

    if show_eras:
        _draw_era_bands(ax, era_table, x_low, x_high, top - 0.4, int(timeline["year"].max()))
        for start in era_table["start_year"]:
            if x_low < start - 0.5 < x_high:
                ax.axvline(start - 0.5, color="#777777", linestyle=":", linewidth=1, zorder=1)
    _label_rows(ax, order, x_low)

    middle = (x_low + x_high) / 2
    gap_y = n + 0.55
    spans: dict[int, tuple[int, int]] = {}
    row: Any  # itertuples' fields are the table's columns, which pandas-stubs can only type as any scalar
    for i, row in enumerate(disputed.itertuples()):
        y = i + 1
        approximate = row.date_precision == "years"
        span = approximate_span(disputed.loc[row.Index])
        if span:  # the years the words can mean, as a band: a line would look as exact as a dated year
            spans[row.year] = span
            colour = ARTICLE_STYLE.get(row.source_id, (PALETTE[7],))[0]
            approximate_band(ax, *span, rows=(y - 0.35, gap_y), color=colour,
                             label=f"‘{row.date_as_written}’ read as {span[0]}–{span[1]}")
        colour, marker = ARTICLE_STYLE.get(row.source_id, (PALETTE[7], MARKERS[7]))
        ax.scatter([row.year], [y], s=150, marker=marker, zorder=4, linewidth=2,
                   color="white" if approximate else colour, edgecolor=colour)
        left_side = row.year <= middle
        label = f"‘{row.date_as_written}’" + (f", read as {span[0]}–{span[1]}, placed at {row.year}" if span
                                              else f", placed at {row.year} (approximate)" if approximate else "")
        anchor = (span[1] + 0.5 if left_side else span[0] - 0.5) if span else row.year  # beside the band
        ax.annotate(textwrap.fill(f"{label}: {row.event}", 50), xy=(anchor, y),
                    xytext=(12 if left_side else -12, -6), textcoords="offset points",
                    ha="left" if left_side else "right", va="top", fontsize=8, zorder=5,
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1})

    gap = high - low
    about = "about " if (disputed["date_precision"] == "years").any() else ""
    gap_words = f"{about}{gap} years apart"
    if len(spans) == 1 and len(disputed) == 2:  # one date is a span: the gap is a range too
        (placed, (first, last)), = spans.items()
        other = high if placed == low else low
        apart = sorted((abs(other - first), abs(other - last)))
        gap_words = f"{apart[0]} to {apart[1]} years apart (about {gap} as placed)"
    ax.annotate("", xy=(high, gap_y), xytext=(low, gap_y),
                arrowprops={"arrowstyle": "<->", "color": "black", "lw": 1.3, "shrinkA": 0, "shrinkB": 0})
    for year in (low, high):
        if year not in spans:  # a span has its band instead of a line
            ax.plot([year, year], [1, gap_y], color="#555555", linestyle="--", linewidth=0.8, zorder=2)
    ax.text((low + high) / 2, gap_y + 0.08, gap_words, ha="center", va="bottom", fontsize=9,
            fontweight="bold", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})

    if len(others):
        stacked = _stacked_positions(others.assign(row="others"), "row", ["others"])
        ax.scatter(stacked["x"], stacked["y"], s=40, marker="o", facecolor="white", edgecolor="#333333",
                   linewidth=1.2, zorder=3)
        if len(stacked) <= 6:
            edge = 0.12 * (x_high - x_low)
            for j, row in enumerate(stacked.sort_values("x").itertuples()):
                text = textwrap.fill(f"{row.year}: {textwrap.shorten(row.event, 44, placeholder='…')}", 24)
                align = "left" if row.x < x_low + edge else "right" if row.x > x_high - edge else "center"
                ax.annotate(text, xy=(row.x, row.y), xytext=(0, -8 if j % 2 == 0 else 8),
                            textcoords="offset points", ha=align, va="top" if j % 2 == 0 else "bottom",
                            fontsize=7, color="#333333")
        else:
            ax.text(x_high, -0.8, f"{len(stacked)} events: too many to name here; see the timeline ",
                    ha="right", va="center", fontsize=7.5, color="#555555", style="italic")
    else:
        ax.text(middle, -0.45, "no other dated event in this window", ha="center", va="center", fontsize=8,
                color="#555555", style="italic")

    ax.set(xlim=(x_low, x_high), ylim=(-1.0, top), xlabel="Year", yticks=[])
    ax.grid(axis="y", visible=False)

    dates = "; ".join(f"{row.article} dates it ‘{row.date_as_written}’ ({row.year}): {row.event}"
                      for row in disputed.itertuples())
    listed = ": " + "; ".join(f"{r.year} {r.event}" for r in others.itertuples()) if len(others) <= 6 else ""
    other_text = (f"{len(others)} other dated events fall between {window[0]} and {window[1]}{listed}"
                  if len(others) else f"No other dated event falls between {window[0]} and {window[1]}")
    table = pd.concat([disputed.assign(role="disputed date"), others.assign(role="other dated event")])
    return ChartText(
        data=table[["role", "year", "date_as_written", "event", "article"]].rename(
            columns={"date_as_written": "date as written"}),
        title=f"Where the articles disagree: {DISAGREEMENT_NAMES.get(key, key)}",
        units="calendar year",
        sources=sorted(set(disputed["source_id"]) | set(others["source_id"])),
        alt_text=(f"{dates}. The dates are {gap_words}"
                  + "".join(f"; a hatched band marks {first}–{last}, the span ‘{written}’ is read as"
                            for written, year in zip(disputed["date_as_written"], disputed["year"]) if year in spans
                            for first, last in [spans[year]])
                  + f". {disputed['disagreement_note'].iloc[0]}. "
                  f"{other_text}." + (" The course's eras are shaded." if show_eras else "")),
    )


def disagreement_widget() -> ChartWidget:
    """Pick a disputed development and see each article's date side by side, in context."""
    era_table = load("eras").sort_values("start_year", ignore_index=True)
    timeline = timeline_events(load("events"), era_table)
    keys = list(timeline["disagreement"].dropna().unique())
    controls = {
        "key": widgets.Dropdown(options=[(DISAGREEMENT_NAMES.get(k, k), k) for k in keys], value=keys[0],
                                description="Disagreement", style={"description_width": "initial"}),
        # Wide enough for the long description and a slider track a student can aim at.
        "context": widgets.IntSlider(value=8, min=0, max=20, description="Years of context either side",
                                     continuous_update=False, style={"description_width": "initial"},
                                     layout=widgets.Layout(width="440px")),
        "show_eras": widgets.Checkbox(value=True, description="Show the course's eras"),
    }
    return ChartWidget(partial(draw_disagreement, timeline=timeline, era_table=era_table), controls,
                       width=_DISAGREEMENT_SIZE[0], height=_DISAGREEMENT_SIZE[1])


WIDGETS = {
    "timeline": timeline_widget,
    "disagreements": disagreement_widget,
}
