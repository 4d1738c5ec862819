"""Lesson 06: the articles' forecasts laid beside what later evidence shows,
and the US–Russia–China triangle on a timeline.

Two widget charts:

* ``forecast_explorer`` — choose a forecast from the ledger (data/forecasts.csv),
  then one of the reference series tagged on it; the chart shades the years
  after the forecast was made, and the source line ends with its words.
* ``triangle_timeline`` — the ledger's forecasts by year, one lane per article
  (or per verdict), under the dated events that involve the United States.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from functools import partial
from typing import cast

import ipywidgets as widgets
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..chart_table import plotted_data
from ..charts import PALETTE
from ..citations import readable_date, short_cite
from ..data import load
from ..widgets import ChartText, ChartWidget, InvalidSelection, year_range, year_window
from .claims import DRAWERS, SERIES_LABELS, SERIES_TITLES, Drawn, prepare_evidence, split_list

#: The verdicts of forecasts.csv in the order the lesson teaches them, each with its own marker.
VERDICTS = ["borne out so far", "partly borne out so far", "not borne out so far", "too early to tell",
            "not testable with these data"]
VERDICT_MARKERS = dict(zip(VERDICTS, ["o", "s", "X", "^", "D"]))

#: An extra view for forecasts tagged with the trade series: the yearly change of the customs totals.
CUSTOMS_GROWTH = "customs_growth"
GROWTH_LABEL = "China customs totals, change on the year before (GACC)"

#: Dated events in events.csv that involve the United States, with a short label for the timeline; the 2022
#: statement (which decried AUKUS and NATO enlargement) and the invasion that followed it are in as well.
TRIANGLE_EVENTS = {
    "E10": "Brzezinski's warning",
    "E17": "Biden elected",
    "E21": "Russia meets US, NATO, OSCE",
    "E25": "'No limits' statement",
    "E26": "Invasion of Ukraine",
    "E20": "NATO Madrid summit",
    "E28": "Patrol near Alaska",
    "E33": "Blinken on components",
    "E36": "Trump returns",
    "E38": "Lavrov meets US bloggers",
    "E40": "Putin–Trump, Alaska",
}


def customs_growth(trade: pd.DataFrame) -> pd.DataFrame:
    """China customs (GACC) China–Russia totals and their change on the year
    before, in %, for each year whose previous year is in the record. Years
    where either total is a bound (2018's 'exceeding $107 billion') are left
    out: a change from a lower bound is not a number."""
    totals = trade[(trade["provider"] == "gacc") & (trade["partner"] == "Russia") & (trade["flow"] == "total")]
    totals = totals.set_index("year").sort_index()
    previous = totals.reindex(totals.index - 1)
    rows = pd.DataFrame({
        "year": totals.index,
        "value_usd_bn": totals["value_usd_bn"].to_numpy(),
        "previous_usd_bn": previous["value_usd_bn"].to_numpy(),
        "exact": (totals["bound"].to_numpy() != "lower bound") & (previous["bound"].to_numpy() != "lower bound"),
    })
    rows = rows[rows["previous_usd_bn"].notna() & rows["exact"]].drop(columns="exact")
    return rows.assign(growth_pct=(rows["value_usd_bn"] / rows["previous_usd_bn"] - 1) * 100).reset_index(drop=True)


def _draw_customs_growth(ax: Axes, growth: pd.DataFrame, figures: pd.DataFrame) -> Drawn:
    """Bars of the yearly change in China customs' totals; falls hatched apart from rises."""
    rises = growth["growth_pct"] >= 0
    for chosen, colour, hatch, label in [(rises, PALETTE[0], "", "Rise on the year before"),
                                         (~rises, PALETTE[1], "//", "Fall on the year before")]:
        rows = growth[chosen]
        if len(rows):
            bars = ax.bar(rows["year"], rows["growth_pct"], color=colour, hatch=hatch, edgecolor="white", label=label)
            ax.bar_label(bars, labels=[f"{v:+.1f}" for v in rows["growth_pct"]], fontsize=7, padding=2)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set(xlabel="Year", ylabel="% change on the year before")
    low, high = growth["growth_pct"].min(), growth["growth_pct"].max()
    ax.set_ylim(min(low, 0) * 1.25 - 2, high * 1.3)
    recent = growth[growth["year"] >= growth["year"].max() - 2]
    description = (f"Yearly change of China customs' China–Russia trade totals, in current US dollars, for the "
                   f"{len(growth)} years whose previous year is in the record ({growth['year'].min()}–"
                   f"{growth['year'].max()}, with gaps). The last three: "
                   + "; ".join(f"{y} {g:+.1f} % (to {v:.1f} billion)" for y, g, v in
                               zip(recent["year"], recent["growth_pct"], recent["value_usd_bn"])) + ".")
    return Drawn("% on the year before", ["gacc"], description, [], legend_loc="upper left")


def forecasts_with_evidence(forecasts: pd.DataFrame) -> pd.DataFrame:
    """The forecasts tagged with at least one reference series, with the tags as
    lists; the customs-growth view is offered first wherever trade is tagged."""
    series = forecasts["evidence_series"].map(split_list).map(
        lambda names: ([CUSTOMS_GROWTH] if "trade_by_reporter" in names else []) + names)
    tagged = forecasts.assign(series=series, figure_ids=forecasts["evidence_figures"].map(split_list))
    return tagged[tagged["series"].map(len) > 0].set_index("forecast_id")


def series_label(name: str) -> str:
    return GROWTH_LABEL if name == CUSTOMS_GROWTH else SERIES_LABELS[name]


def series_title(name: str) -> str:
    return "China customs' trade totals, yearly change" if name == CUSTOMS_GROWTH else SERIES_TITLES[name]


def forecast_label(forecast_id: str, row: pd.Series) -> str:
    """The forecast as the menu shows it: id, year, words and who made it."""
    return f"{forecast_id} · {row['year']} · {row['forecast']} ({row['forecaster'].split(' (')[0]})"


def draw_forecast_evidence(ax: Axes, forecasts: pd.DataFrame, figures: pd.DataFrame, evidence: dict, *,
                           forecast: str, series: str) -> ChartText:
    """One forecast beside one series tagged on it: the years after the
    forecast was made are shaded, so what the evidence shows *since* is apart
    from what the forecaster could already see."""
    if forecast not in forecasts.index:
        raise InvalidSelection(f"Forecast {forecast} has no reference series tagged in forecasts.csv.")
    row = forecasts.loc[forecast]
    assert isinstance(row, pd.Series), "forecast ids are the index's unique keys"
    # The evidence menu is refilled when the forecast changes; a series the new
    # forecast lacks (the menu is catching up) means its first series.
    name = series if series in row["series"] else row["series"][0]
    drawer = _draw_customs_growth if name == CUSTOMS_GROWTH else DRAWERS[name]
    shown = figures[figures["figure_id"].isin(row["figure_ids"])]
    drawn = drawer(ax, evidence[name], shown)
    year = int(row["year"])
    when = readable_date(row["made_on"])
    if drawn.x_is_year:
        low, high = ax.get_xlim()
        high = max(high, year + 1)
        ax.axvspan(year, high, facecolor="#DDDDDD", edgecolor="#999999", hatch="..", alpha=0.5, zorder=0,
                   label=f"After the forecast ({when})")
        ax.axvline(year, color="black", linestyle="-.", linewidth=1.2)
        ax.set_xlim(min(low, year - 1), high)
    ax.legend(loc=drawn.legend_loc, fontsize=8, framealpha=0.9)
    after = _after_forecast(name, evidence[name], year)
    who = f" — {row['forecaster'].split(' (')[0]}, {row['year']}"
    title = "“" + textwrap.shorten(row["forecast"], max(78 - len(who), 30), placeholder="…") + "”" + who
    return ChartText(
        data=plotted_data(ax, x="year" if drawn.x_is_year else "x", y=drawn.units),
        title=f"{title}\nEvidence: {series_title(name)}",
        units=drawn.units,
        sources=[row["source_id"], *drawn.providers],
        source_note=(f"Forecast {forecast} ({row['forecast_kind']}) by {row['forecaster']}, {when}, "
                     f"{row['made_where']}; as reported in {short_cite(row['source_id'])}: “{row['quote']}” "
                     f"The course's provisional verdict: {row['verdict_so_far']}."),
        alt_text=(f"Forecast {forecast} by {row['forecaster']} ({when}), reported in {short_cite(row['source_id'])}: "
                  f"“{row['quote']}” Evidence shown: {series_label(name)}. {drawn.description} {after} "
                  f"The course's provisional verdict: {row['verdict_so_far']}."),
    )


def _after_forecast(name: str, prepared: object, year: int) -> str:
    """How many of the series' years come after the forecast: the evidence a verdict can rest on."""
    years = None
    if isinstance(prepared, pd.DataFrame) and "year" in prepared.columns:
        years = prepared["year"]
    elif isinstance(prepared, (pd.Series, pd.DataFrame)):
        years = pd.Series(prepared.index)
    elif isinstance(prepared, dict) and "joint" in prepared:
        years = prepared["joint"]["year"]
    if years is None:
        return ""
    # A yearly series' value for the forecast's own year is partly later evidence, so that year counts.
    later = sorted({int(y) for y in years if int(y) >= year})
    if not later:
        return f"The series ends before {year}, when the forecast was made: it holds no later evidence."
    span = f"{later[0]}" if len(later) == 1 else f"{later[0]}–{later[-1]}"
    return f"Years in the series from the forecast's year on: {len(later)} ({span})."


def forecast_explorer() -> ChartWidget:
    """Choose a forecast, then one of the series tagged on it."""
    forecasts = forecasts_with_evidence(load("forecasts"))
    evidence = prepare_evidence()
    evidence[CUSTOMS_GROWTH] = customs_growth(load("trade_by_reporter"))
    default = "FC11" if "FC11" in forecasts.index else forecasts.index[0]
    forecast_menu = widgets.Dropdown(options=[(forecast_label(str(fid), row), fid)
                                              for fid, row in forecasts.iterrows()],
                                     value=default, description="Forecast", style={"description_width": "initial"},
                                     layout=widgets.Layout(width="100%"))
    # A cell of lists: pandas-stubs type a single cell as a scalar.
    default_series = cast(list[str], forecasts.loc[default, "series"])
    series_menu = widgets.Dropdown(options=_series_options(default_series),
                                   value=default_series[0], description="Evidence",
                                   style={"description_width": "initial"}, layout=widgets.Layout(width="70%"))

    def offer_forecasts_series(changed: str, controls: Mapping[str, object]) -> None:
        if changed == "forecast":
            names = forecasts.loc[forecast_menu.value, "series"]
            series_menu.options = _series_options(names)
            series_menu.value = names[0]

    return ChartWidget(partial(draw_forecast_evidence, forecasts=forecasts, figures=load("figures"),
                               evidence=evidence),
                       {"forecast": forecast_menu, "series": series_menu}, height=6.2,
                       before_redraw=offer_forecasts_series)


def _series_options(names: list[str]) -> list[tuple[str, str]]:
    return [(series_label(name), name) for name in names]


# ---------------------------------------------------------------------------
# Widget 2: the triangle on a timeline
# ---------------------------------------------------------------------------

LANES = {"source": "By article", "verdict": "By verdict so far"}


def timeline_items() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ledger's forecasts with a decimal date, and the US events with their labels."""
    forecasts = load("forecasts").assign(when=lambda rows: rows["made_on"].map(decimal_year))
    events = load("events").set_index("event_id").loc[list(TRIANGLE_EVENTS)].reset_index()
    events = events.assign(when=events["date"].map(decimal_year), label=events["event_id"].map(TRIANGLE_EVENTS))
    return forecasts, events.sort_values("when", ignore_index=True)


def decimal_year(date: str) -> float:
    """'2022-02-04' -> 2022.09, '2024-04' -> 2024.25, '1997' -> 1997.0: a date as a point on a year axis."""
    parts = [int(p) for p in str(date).split("-")]
    month = parts[1] if len(parts) > 1 else 1
    day = parts[2] if len(parts) > 2 else 1
    return parts[0] + (month - 1) / 12 + (day - 1) / 365


def draw_triangle_timeline(ax: Axes, forecasts: pd.DataFrame, events: pd.DataFrame, lane_order: list[str], *,
                           years: tuple[int, int], lanes: str) -> ChartText:
    """Forecasts as markers in lanes (per article, oldest first, or per verdict),
    under a top lane of the dated events that involve the United States."""
    start, end = year_range(years)
    if lanes not in LANES:
        raise InvalidSelection(f"Unknown grouping {lanes!r}; choose one of: {', '.join(LANES.values())}.")
    shown = forecasts[forecasts["year"].between(start, end)]
    shown_events = events[events["year"].between(start, end)]
    if lanes == "source":
        order, names = lane_order, {sid: short_cite(sid) for sid in lane_order}
    else:
        order = [v for v in VERDICTS if v in set(forecasts["verdict_so_far"])]
        names = {v: v.capitalize() for v in order}
    position = {key: i + 1.3 for i, key in enumerate(order)}
    lane_of = shown["source_id"] if lanes == "source" else shown["verdict_so_far"]
    # Forecasts made on the same date, or too close to tell apart at this window, in one lane (Gill's
    # twelve, Chan's four) sit in a small grid around their dates, at most four to a column, so that
    # every marker shows and none strays far from its date.
    step_x = 0.012 * (end - start + 1.5)  # about one marker's width, in years, at any window
    ordered = shown.assign(lane=lane_of).sort_values(["lane", "when"])
    gap = ordered.groupby("lane")["when"].diff().fillna(np.inf)
    ordered["cluster"] = (gap > step_x).cumsum()
    group = ordered.groupby("cluster")
    rank, size = group.cumcount(), group["when"].transform("size")
    rows = size.clip(upper=4)
    columns = -(-size // rows)
    row, column = rank % rows, rank // rows
    x = (group["when"].transform("mean") + (column - (columns - 1) / 2) * step_x).reindex(shown.index)
    y = (ordered["lane"].map(position) + (row - (rows - 1) / 2) * 0.22).reindex(shown.index)
    for verdict in VERDICTS:
        chosen = shown["verdict_so_far"] == verdict
        if chosen.any():
            ax.scatter(x[chosen], y[chosen], marker=VERDICT_MARKERS[verdict], s=40,
                       color=PALETTE[VERDICTS.index(verdict)], edgecolor="black", linewidth=0.6,
                       label=verdict, zorder=3)
    ax.scatter(shown_events["when"], [0] * len(shown_events), marker="v", s=55, color="black",
               label="Event involving the US", zorder=3)
    _label_events(ax, shown_events, start - 0.5, end + 1)
    for key in order:
        ax.annotate(names[key], (start - 0.4, position[key] - 0.34), fontsize=8, va="center", color="#333333")
    ax.annotate("Events involving the US", (start - 0.4, 0.42), fontsize=8, va="center", color="#333333")
    for key in order:
        ax.axhline(position[key] + 0.5, color="#CCCCCC", linewidth=0.6)
    ax.set_yticks([])
    ax.set_ylim(len(order) + 2.0, _LABEL_ROWS[-1] - 0.4)  # room below the lanes for the legend
    ax.set_xlim(start - 0.5, end + 1)
    ax.set_xlabel("Year the forecast was made or the event happened")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower center", fontsize=7, ncol=3, framealpha=0.9)
    counts = lane_of.value_counts()
    lane_text = "; ".join(f"{names[k]}: {counts.get(k, 0)}" for k in order)
    event_text = "; ".join(f"{label} ({readable_date(d)})"
                           for label, d in zip(shown_events["label"], shown_events["date"]))
    table = pd.concat([
        pd.DataFrame({"kind": "forecast", "date": shown["made_on"].astype(str), "lane": lane_of.map(names),
                      "what": shown["forecast"], "verdict so far": shown["verdict_so_far"]}),
        pd.DataFrame({"kind": "event involving the US", "date": shown_events["date"].astype(str),
                      "lane": "Events involving the US", "what": shown_events["label"], "verdict so far": ""}),
    ], ignore_index=True).sort_values(["date", "kind"], ignore_index=True)
    return ChartText(
        data=table,
        title=f"Forecasts and the US–Russia–China triangle, {start}–{end}",
        units="one marker each",
        sources=sorted(set(shown["source_id"]) | set(shown_events["source_id"])) or lane_order,
        source_note=("Forecasts from data/forecasts.csv, with the course's provisional verdicts; "
                     "events from data/events.csv."),
        alt_text=(f"Timeline, {start} to {end}, of {len(shown)} forecasts from the ledger in lanes "
                  f"{LANES[lanes].lower()} ({lane_text}), marker shape by verdict so far. Top lane: "
                  f"{len(shown_events)} dated events involving the United States"
                  + (f": {event_text}." if len(shown_events) else ".")),
    )


#: Rows above the event lane that the event labels are placed in, nearest first.
_LABEL_ROWS = [-0.55, -1.05, -1.55, -2.05, -2.55, -3.05]


def _label_events(ax: Axes, events: pd.DataFrame, low: float, high: float) -> None:
    """Place each event's label in the row and position nearest its event where
    it overlaps no other label; a line leads from the label to its event."""
    figure = ax.get_figure(root=True)
    assert figure is not None, "the chart's axes sit on a figure"
    char_width = 5.4 / (figure.get_figwidth() * figure.dpi * 0.89) * (high - low)  # 7-pt text, in years
    placed: list[list[tuple[float, float]]] = [[] for _ in _LABEL_ROWS]
    for when, label in zip(events["when"], events["label"]):
        width, gap = len(label) * char_width, char_width
        best = None
        for row, taken in enumerate(placed):
            candidates = [when - width / 2] + [e + gap for _, e in taken] + [s - gap - width for s, _ in taken]
            for candidate in candidates:
                left = min(max(candidate, low), high - width)
                if any(left < e + gap and left + width > s - gap for s, e in taken):
                    continue
                cost = abs(left + width / 2 - when) + row * 0.3
                if best is None or cost < best[0]:
                    best = (cost, row, left)
        _, row, left = best if best else (0, len(_LABEL_ROWS) - 1, when - width / 2)
        placed[row].append((left, left + width))
        ax.annotate(label, (when, 0), xytext=(left + width / 2, _LABEL_ROWS[row]), textcoords="data",
                    fontsize=7, ha="center", va="center",
                    arrowprops={"arrowstyle": "-", "color": "#777777", "linewidth": 0.6, "shrinkB": 4})


def triangle_timeline() -> ChartWidget:
    """Forecasts and US events by year, grouped by article or by verdict."""
    forecasts, events = timeline_items()
    first = int(min(forecasts["year"].min(), events["year"].min()))
    controls = {
        "years": year_window(first, 2025, start=2014),
        "lanes": widgets.ToggleButtons(options=[(label, key) for key, label in LANES.items()], value="source",
                                       description="Lanes", style={"description_width": "initial"}),
    }
    sources = load("sources")
    articles = sources[sources["record_kind"] == "article"].sort_values("published")["source_id"]
    lane_order = [sid for sid in articles if sid in set(forecasts["source_id"])]
    return ChartWidget(partial(draw_triangle_timeline, forecasts=forecasts, events=events, lane_order=lane_order),
                       controls, height=6.4)


WIDGETS = {
    "forecast_explorer": forecast_explorer,
    "triangle_timeline": triangle_timeline,
}
