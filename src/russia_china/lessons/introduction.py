"""Lesson 00: the first look at trade as each side reports it, and a gallery
of the reference series for practising reading source lines."""

from __future__ import annotations

from functools import partial

import ipywidgets as widgets
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator, NullFormatter, ScalarFormatter

from ..charts import LINE_STYLES, LOOKS, MARKERS, PALETTE, look, mark_not_recorded, year_ranges
from ..data import load, manifest
from ..data.derived import TRADE_RECORDS, joint_vetoes, trade_totals
from ..widgets import ChartText, ChartWidget, at_least_one, year_range, year_window

ARTICLE_FIGURES = "Figures stated in Gill (2025)"
_STYLE = {label: (look(label).colour, look(label).marker, look(label).linestyle) for label in TRADE_RECORDS.values()}
#: Drawing order and sizes that keep every point visible: the customs points sit above the
#: IMF lines as large open squares (the lines and their points show through), and the
#: article's smaller crosses on top, inside them (Gill's 2022 figure equals the customs total).
LINE_ZORDER, CUSTOMS_ZORDER, ARTICLE_ZORDER = 2, 4, 5
CUSTOMS_SIZE, ARTICLE_SIZE = 10, 7  # marker sizes in points: a cross fits inside a square


def draw_trade_records(ax: Axes, totals: pd.DataFrame, article: pd.DataFrame, *,
                       records: tuple[str, ...], years: tuple[int, int], show_article: bool) -> ChartText:
    """Each chosen record of China–Russia trade as a line (annual series) or
    points (scattered headline years), with the article's figures on top."""
    chosen = at_least_one(records, "record of trade")
    start, end = year_range(years)
    window = totals[totals["year"].between(start, end) & totals["record"].isin(chosen)]
    for record in chosen:
        rows = window[window["record"] == record]
        colour, marker, line = _STYLE[record]
        if line:
            ax.plot(rows["year"], rows["value_usd_bn"], color=colour, marker=marker, linestyle=line,
                    markersize=5, label=record, zorder=LINE_ZORDER)
        else:  # headline points: open squares above the lines, so the lines show through
            ax.plot(rows["year"], rows["value_usd_bn"], linestyle="", marker=marker, markersize=CUSTOMS_SIZE,
                    color=colour, markerfacecolor="none", markeredgecolor=colour, markeredgewidth=2, label=record,
                    zorder=CUSTOMS_ZORDER)
    shown_article = article[article["year_start"].between(start, end)] if show_article else article.iloc[0:0]
    if len(shown_article):
        ax.plot(shown_article["year_start"], shown_article["value"], linestyle="", marker="X",
                markersize=ARTICLE_SIZE, color="black", zorder=ARTICLE_ZORDER, label=ARTICLE_FIGURES)
    ax.set(xlabel="Year", ylabel="US$ billion", xlim=(start - 0.5, end + 0.5))
    ax.legend(loc="best", fontsize=8)
    # pandas-stubs type idxmax's label as Hashable, which they do not let .loc take.
    peak = window.loc[window["value_usd_bn"].idxmax()] if len(window) else None  # type: ignore[call-overload]
    described = (f"The highest value shown is {peak['value_usd_bn']:.1f} billion dollars "
                 f"({peak['record']}, {peak['year']}). " if peak is not None else "No record has data in these years. ")
    article_points = zip(shown_article["year_start"], shown_article["value"])
    article_text = ("The article's figures are marked with crosses: "
                    + ", ".join(f"{v:.0f} billion for {y}" for y, v in article_points)
                    + "." if len(shown_article) else "")
    data = pd.concat([window[["record", "year", "value_usd_bn"]].sort_values(["record", "year"]),
                      pd.DataFrame({"record": ARTICLE_FIGURES, "year": shown_article["year_start"].astype(int),
                                    "value_usd_bn": shown_article["value"]})], ignore_index=True)
    return ChartText(
        title="China–Russia goods trade, as each side reports it",
        units="US$ billion, current prices",
        sources=["imf", "gacc"] + (["gill2025"] if len(shown_article) else []),
        alt_text=(f"Trade totals from {start} to {end} for: {', '.join(chosen)}. " + described + article_text),
        data=data.rename(columns={"value_usd_bn": "US$ billion"}),
    )


def trade_records_widget() -> ChartWidget:
    """Compare the records of the same trade, and the article's figures, over a year window."""
    totals = trade_totals(load("trade_by_reporter"))
    figures = load("figures")
    article = figures[figures["measure"] == "China–Russia trade, total value"]
    first, last = int(totals["year"].min()), int(totals["year"].max())
    controls = {
        "records": widgets.SelectMultiple(options=list(TRADE_RECORDS.values()), value=tuple(TRADE_RECORDS.values()),
                                          description="Records", rows=3, style={"description_width": "initial"}),
        "years": year_window(first, last),
        "show_article": widgets.Checkbox(value=True, description="Show the article's figures"),
    }
    return ChartWidget(partial(draw_trade_records, totals=totals, article=article), controls)


#: Series that count events: a year with none is a zero, not a gap in the record.
COUNT_SERIES = {"unsc_vetoes"}


def _series_gallery_frames() -> dict[str, tuple[pd.DataFrame, str, str, str]]:
    """For each reference series: tidy (x, y, group) data, y label, title and units."""
    arms = load("arms_deliveries_to_china")
    gdp = load("gdp")
    gas = load("gas_power_of_siberia")
    gas = gas[gas["headline"] == "yes"].assign(group="Gazprom (via TASS)")
    vetoes = load("unsc_vetoes")
    joint = (joint_vetoes(vetoes).groupby("year").size().rename("count").reset_index()
             .assign(group="China and Russia together"))
    trade = trade_totals(load("trade_by_reporter"))
    return {
        "trade_by_reporter": (trade.rename(columns={"value_usd_bn": "y", "record": "group"}),
                              "Total trade", "China–Russia goods trade as each side reports it", "US$ billion"),
        "arms_deliveries_to_china": (arms.rename(columns={"tiv_millions": "y", "supplier": "group"}),
                                     "Arms delivered", "Major arms delivered to China, by supplier",
                                     "SIPRI TIV, millions"),
        "gdp": (gdp.rename(columns={"gdp_usd_bn": "y", "country": "group"}),
                "GDP", "Gross domestic product of China and Russia", "US$ billion, current prices"),
        "gas_power_of_siberia": (gas.rename(columns={"flow_bcm": "y"}),
                                 "Gas delivered", "Gas delivered to China through Power of Siberia",
                                 "billion cubic metres"),
        "unsc_vetoes": (joint.rename(columns={"count": "y"}),
                        "Joint vetoes", "UN Security Council drafts vetoed by both China and Russia",
                        "drafts per year"),
    }


def draw_series(ax: Axes, frames: dict, *, dataset: str, log_scale: bool) -> ChartText:
    """One reference series, drawn the same way for every provider, with the
    manifest's first caveat under the source line."""
    data, y_label, title, units = frames[dataset]
    if "value_status" in data:  # SIPRI's blanks: a gap in the line, not a 0
        not_recorded = data["value_status"] == "none recorded"
        none_years = data.loc[not_recorded, "year"]
        groups = " and ".join(sorted(data.loc[not_recorded, "group"].unique()))
        none_label = f"{groups}: no deliveries recorded by SIPRI"
        data = data.assign(y=data["y"].mask(not_recorded))
    else:
        none_years, none_label = data["year"].iloc[0:0], ""
    zero_years: list[int] = []
    plotted = []
    for i, (group, rows) in enumerate(data.groupby("group", sort=True)):
        # Reindexing to every year leaves NaN in missing years, where matplotlib
        # breaks the line: a gap in the record stays a gap on the chart.
        years = range(rows["year"].min(), rows["year"].max() + 1)
        by_year = (rows.groupby("year")["y"].sum(min_count=1)
                   .reindex(years, fill_value=0 if dataset in COUNT_SERIES else None))
        plotted.append(pd.DataFrame({"series": group, "year": by_year.index, "value": by_year.to_numpy()}))
        if log_scale:
            zero_years += [int(year) for year in by_year.index[by_year <= 0]]
            by_year = by_year.mask(by_year <= 0)
        own = LOOKS.get(group, LOOKS.get(str(group).split(" (")[0]))  # suppliers, countries, trade records
        colour, marker, line = (own.colour, own.marker, own.linestyle or "") if own else (
            PALETTE[i], MARKERS[i], LINE_STYLES[i])
        ax.plot(by_year.index, by_year.values, color=colour, marker=marker, linestyle=line or "none",
                markersize=5, label=group)
    none_note = mark_not_recorded(ax, none_years, y=None if log_scale else 0, label=none_label)
    zero_note = ""
    if log_scale and zero_years:  # a log scale has no 0: a zero drawn there would plunge off the chart
        label = "0 in the series: a log scale has no 0"
        mark_not_recorded(ax, zero_years, y=None, label=label, note=False)
        zero_note = f"Years with 0, crosses at the foot of the chart and a gap in the line: {year_ranges(zero_years)}"
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if dataset in COUNT_SERIES:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if log_scale:
        ax.set_yscale("log")
        major = ScalarFormatter()
        major.set_scientific(False)
        ax.yaxis.set_major_formatter(major)  # '1,000', not '10³': the reader compares amounts
        positive = data.loc[data["y"] > 0, "y"]
        # Within one decade the only ticks are minor ones: label them, or the axis has one number.
        ax.yaxis.set_minor_formatter(ScalarFormatter() if positive.max() < 10 * positive.min() else NullFormatter())
    ax.set(xlabel="Year", ylabel=f"{y_label} ({units})")
    ax.legend(loc="best", fontsize=8)
    spec = manifest(dataset)
    latest = data.loc[data["year"].idxmax()]
    first_caveat = spec.content.get("caveats", [""])[0].split(". ")[0]
    return ChartText(
        title=title, units=units + (", log scale" if log_scale else ""),
        sources=spec.content["providers"],
        source_note=f"Caveat: {first_caveat}." if first_caveat else "",
        alt_text=(f"{title}, {int(data['year'].min())} to {int(data['year'].max())}, "
                  f"{'on a logarithmic scale' if log_scale else 'on a linear scale'}; "
                  f"series: {', '.join(sorted(data['group'].unique()))}. "
                  f"Latest point: {latest['y']:,.1f} ({latest['group']}, {int(latest['year'])})."
                  + (f" {none_note}." if none_note else "") + (f" {zero_note}." if zero_note else "")),
        data=pd.concat(plotted, ignore_index=True).rename(columns={"value": f"{y_label} ({units})"}),
    )


def series_gallery_widget() -> ChartWidget:
    """Pick a reference series and read its source line and caveat."""
    frames = _series_gallery_frames()
    controls = {
        # Human names in the menu, the file's name only behind them.
        "dataset": widgets.Dropdown(options=[(title, key) for key, (_, _, title, _) in frames.items()],
                                    value="arms_deliveries_to_china", description="Series",
                                    layout=widgets.Layout(width="36em")),
        "log_scale": widgets.Checkbox(value=False, description="Logarithmic scale"),
    }
    return ChartWidget(partial(draw_series, frames=frames), controls)


WIDGETS = {
    "trade_records": trade_records_widget,
    "series_gallery": series_gallery_widget,
}
