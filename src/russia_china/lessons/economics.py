"""Lesson 02: China–Russia trade as each side records it, and the measures of
an unequal partnership (shares of each other's trade, ranks, size of the two
economies)."""

from __future__ import annotations

import textwrap
from functools import partial

import ipywidgets as widgets
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from ..chart_table import plotted_data
from ..charts import counted, look
from ..data import load
from ..data.derived import TRADE_RECORDS, trade_flows
from ..widgets import ChartText, ChartWidget, InvalidSelection, at_least_one, year_range, year_window

#: The flows a reporter records, with the words a chart uses for them.
FLOWS = {
    "exports": "each side's exports to the other",
    "imports": "each side's imports from the other",
    "total": "each side's exports + imports",
}
MEASURES = {"level": "Level", "growth": "Growth on the previous year"}

#: One look per record: colour, marker and line style (customs headlines are
#: points only, because a line would invent the years between them).
_LOOK = {label: (look(label).colour, look(label).marker, look(label).linestyle or "none")
         for label in TRADE_RECORDS.values()}
CUSTOMS = TRADE_RECORDS[("gacc", "China")]
ARTICLE_LABEL = "Figure stated in Gill (2025)"
HOLLOW_LABEL = "China customs: lower bound or rounded (hollow)"


def year_runs(years) -> str:
    """'1997–1999, 2008–2011, 2016' from a list of years: where the gaps are."""
    years = sorted(int(y) for y in years)
    runs, start = [], None
    for i, year in enumerate(years):
        start = year if start is None else start
        if i == len(years) - 1 or years[i + 1] != year + 1:
            runs.append(f"{start}–{year}" if year != start else f"{year}")
            start = None
    return ", ".join(runs)


def legend_above_data(ax: Axes, ncol: int = 2) -> None:
    """Put the legend in a band of empty space added above the data, so it
    never covers a point (widget charts have fixed margins, so the legend
    stays inside the axes)."""
    handles, _ = ax.get_legend_handles_labels()
    if not handles:
        return
    rows = -(-len(handles) // ncol)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + (high - low) * (0.1 * rows + 0.05))
    ax.legend(loc="upper left", ncol=ncol, fontsize=8, frameon=False)


# ---------------------------------------------------------------- trade data

def _growth_bound(previous: str, current: str) -> str:
    """How exact a growth rate is, given how exact its two levels are."""
    if current == "lower bound":
        return "lower bound"  # growth into a year that is 'exceeding' X is at least this
    if previous == "lower bound":
        return "upper bound"
    return "rounded" if "rounded" in (previous, current) else "exact"


def year_on_year(flows: pd.DataFrame) -> pd.DataFrame:
    """Growth in % on the previous year, only where the previous year exists
    in the same record: a gap in the customs headlines gives no growth rate."""
    rows = []
    for (record, flow), unsorted in flows.groupby(["record", "flow"], sort=False):
        group = unsorted.sort_values("year")
        previous = group.shift(1)
        consecutive = group["year"] - previous["year"] == 1
        growth = (group["value_usd_bn"] / previous["value_usd_bn"] - 1) * 100
        bounds = [_growth_bound(p, c) for p, c in zip(previous["bound"], group["bound"])]
        rows.append(pd.DataFrame({"year": group["year"], "record": record, "flow": flow,
                                  "value": growth, "bound": bounds})[consecutive.to_numpy()])
    return pd.concat(rows, ignore_index=True)


def trade_series(trade: pd.DataFrame) -> pd.DataFrame:
    """One tidy frame for the trade explorer: year, record, flow, measure
    ('level' in US$ bn or 'growth' in %), value and bound."""
    flows = trade_flows(trade)[["year", "record", "flow", "value_usd_bn", "bound"]]
    levels = flows.rename(columns={"value_usd_bn": "value"}).assign(measure="level")
    growth = year_on_year(flows).assign(measure="growth")
    return pd.concat([levels, growth], ignore_index=True)


def article_trade_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """The article's trade totals (Gill 2025) as year and value_usd_bn."""
    rows = figures[figures["measure"] == "China–Russia trade, total value"]
    return pd.DataFrame({"year": rows["year_start"].astype(int), "value_usd_bn": rows["value"]}).reset_index(drop=True)


# ------------------------------------------------------------ trade explorer

def _plot_record(ax: Axes, rows: pd.DataFrame, record: str) -> None:
    """One record: IMF as a line, customs headlines as points; figures that
    are a lower bound or rounded are drawn hollow."""
    colour, marker, line = _LOOK[record]
    exact = rows[rows["bound"] == "exact"]
    inexact = rows[rows["bound"] != "exact"]
    if line != "none":
        ax.plot(rows["year"], rows["value"], color=colour, marker=marker, linestyle=line, markersize=4, label=record)
        return
    if len(exact):
        ax.plot(exact["year"], exact["value"], color=colour, marker=marker, linestyle="none", markersize=7,
                label=record, zorder=6)
    if len(inexact):
        ax.plot(inexact["year"], inexact["value"], color=colour, marker=marker, linestyle="none", markersize=9,
                markerfacecolor="none", markeredgewidth=1.5, label=HOLLOW_LABEL)


def _describe_record(rows: pd.DataFrame, record: str, measure: str, everything: pd.DataFrame,
                     flow: str) -> str:
    """One record's part of the text alternative; when it has nothing to
    draw, say which years it does have, so the gap is explained."""
    if rows.empty:
        own = everything[everything["record"] == record]
        if len(own):
            return f"{record}: no values in these years (it has values for {year_runs(own['year'])})"
        return (f"{record}: no growth rates, because its figures for {flow} never cover two years in a row"
                if measure == "growth" else f"{record}: no {flow} figures")
    fmt = (lambda v: f"{v:+.1f}%") if measure == "growth" else (lambda v: f"{v:.1f} bn")
    first, last = rows.iloc[0], rows.iloc[-1]
    inexact = rows[rows["bound"] != "exact"]
    note = ("; " + ", ".join(f"{y}: {b}" for y, b in zip(inexact["year"], inexact["bound"]))
            if len(inexact) else "")
    return (f"{record}: {len(rows)} years, {fmt(first['value'])} in {first['year']} "
            f"to {fmt(last['value'])} in {last['year']}{note}")


def draw_trade(ax: Axes, series: pd.DataFrame, article: pd.DataFrame, *, years: tuple[int, int],
               sides: tuple[str, ...], flow: str, measure: str) -> ChartText:
    """Chosen records of one flow, as levels (US$ bn) or year-on-year growth
    (%), with Gill's (2025) totals marked when the chart shows total levels."""
    chosen = at_least_one(sides, "reporting side")
    start, end = year_range(years)
    if flow not in FLOWS or measure not in MEASURES:
        raise InvalidSelection(f"Choose a flow from {', '.join(FLOWS)} and a measure from {', '.join(MEASURES)}.")
    this = series[(series["flow"] == flow) & (series["measure"] == measure)]
    window = this[this["year"].between(start, end)]
    descriptions, drawn = [], 0
    for record in chosen:
        rows = window[window["record"] == record]
        descriptions.append(_describe_record(rows, record, measure, this, flow))
        if len(rows):
            _plot_record(ax, rows, record)
            drawn += len(rows)
    shown = article[article["year"].between(start, end)] if (flow, measure) == ("total", "level") else article.iloc[0:0]
    if len(shown):
        # A thin cross, so a customs point for the same year stays visible through it.
        ax.scatter(shown["year"], shown["value_usd_bn"], marker="x", s=120, linewidths=2.2, color="black",
                   zorder=5, label=ARTICLE_LABEL)
    if measure == "growth":
        ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set(xlabel="Year", xlim=(start - 0.7, end + 0.7),
           ylabel="US$ billion" if measure == "level" else "% change on previous year")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if drawn or len(shown):
        legend_above_data(ax)
    else:
        ax.set_yticks([])
        ax.text(0.5, 0.5, "No values for this choice:\nthe text alternative below says which years exist.",
                transform=ax.transAxes, ha="center", va="center", fontsize=11)
    providers = sorted({"imf" if "IMF" in r else "gacc" for r in chosen})
    article_text = ("Gill's (2025) figures are marked with crosses: "
                    + ", ".join(f"{v:.0f} bn for {y}" for y, v in zip(shown["year"], shown["value_usd_bn"])) + "."
                    if len(shown) else "")
    table = pd.concat([window[window["record"].isin(chosen)][["record", "year", "value", "bound"]],
                       pd.DataFrame({"record": ARTICLE_LABEL, "year": shown["year"], "value": shown["value_usd_bn"],
                                     "bound": "as stated"})], ignore_index=True)
    return ChartText(
        data=table.rename(columns={"value": "US$ billion" if measure == "level" else "% on previous year"}),
        title=("China–Russia trade: " if measure == "level" else "China–Russia trade growth: ") + FLOWS[flow],
        units="US$ billion, current prices" if measure == "level" else "% on previous year",
        sources=providers + (["gill2025"] if len(shown) else []),
        alt_text=(f"{MEASURES[measure]} of {FLOWS[flow]}, {start} to {end}, for {counted(len(chosen), 'record')}. "
                  + ". ".join(descriptions) + ". " + article_text).strip(),
    )


def trade_explorer() -> ChartWidget:
    """Explore each side's record of the same trade: years, sides, flow and
    level or growth."""
    series = trade_series(load("trade_by_reporter"))
    article = article_trade_figures(load("figures"))
    first, last = int(series["year"].min()), int(series["year"].max())
    wide = {"description_width": "initial"}
    controls = {
        "years": year_window(first, last),
        "sides": widgets.SelectMultiple(options=list(TRADE_RECORDS.values()), value=tuple(TRADE_RECORDS.values()),
                                        description="Reported by", rows=3, style=wide),
        "flow": widgets.Dropdown(options=[("Exports", "exports"), ("Imports", "imports"),
                                          ("Total (exports + imports)", "total")],
                                 value="total", description="Flow", style=wide),
        "measure": widgets.ToggleButtons(options=[("Level", "level"), ("Growth, % year on year", "growth")],
                                         value="level", description="Measure", style=wide),
    }
    return ChartWidget(partial(draw_trade, series=series, article=article), controls)


# ----------------------------------------------------------------- asymmetry

def gdp_ratio(gdp: pd.DataFrame) -> pd.DataFrame:
    """China's GDP divided by Russia's, for the years both exist (World Bank)."""
    wide = gdp.pivot(index="year", columns="country", values="gdp_usd_bn").dropna()
    return wide.assign(ratio=wide["China"] / wide["Russia"]).reset_index()[["year", "China", "Russia", "ratio"]]


def trade_to_gdp(flows: pd.DataFrame, gdp: pd.DataFrame) -> pd.DataFrame:
    """Total bilateral trade as a % of each economy's GDP.

    Each IMF side's own total is set against its own GDP; China's customs
    headlines, the only record after 2020, are set against both economies'
    GDP. Returns year, series, gdp_of, record, value (%) and bound.
    """
    totals = flows[flows["flow"] == "total"]
    by_country = gdp.pivot(index="year", columns="country", values="gdp_usd_bn")
    pairs = [
        (TRADE_RECORDS[("imf", "Russia")], "Russia", "Russia's record (IMF)"),
        (CUSTOMS, "Russia", "China customs (GACC)"),
        (TRADE_RECORDS[("imf", "China")], "China", "China's record (IMF)"),
        (CUSTOMS, "China", "China customs (GACC)"),
    ]
    parts = []
    for record, country, short in pairs:
        label = f"% of {country}'s GDP: {short}"
        rows = totals[totals["record"] == record].merge(by_country[[country]], left_on="year", right_index=True)
        parts.append(pd.DataFrame({"year": rows["year"], "series": label, "gdp_of": country, "record": short,
                                   "value": rows["value_usd_bn"] / rows[country] * 100, "bound": rows["bound"]}))
    return pd.concat(parts, ignore_index=True)


def article_asymmetry(figures: pd.DataFrame) -> pd.DataFrame:
    """The articles' snapshot measures: shares of each other's trade (Gill
    2025) and ranks among trading partners (bobby 2025)."""
    ids = ["F25", "F26", "F01", "F02"]
    rows = figures[figures["figure_id"].isin(ids)].set_index("figure_id").loc[ids]
    return rows[["source_id", "measure", "value", "value_as_written", "qualifier", "period"]].reset_index()


ASYMMETRY_MEASURES = {
    "gdp_ratio": "China's GDP as a multiple of Russia's",
    "trade_to_gdp": "Bilateral trade as a share of each economy",
    "share": "Each country's share of the other's trade (Gill 2025)",
    "rank": "Each country's rank among the other's trading partners (bobby 2025)",
}


def _gdp_context(ratio: pd.DataFrame, start: int, end: int) -> tuple[str, pd.DataFrame]:
    window = ratio[ratio["year"].between(start, end)]
    if window.empty:
        raise InvalidSelection(f"The World Bank GDP series has no year in {start}–{end}: it covers "
                               f"{ratio['year'].min()}–{ratio['year'].max()}.")
    # pandas-stubs type idxmin's and idxmax's labels as Hashable, which they do not let .loc take.
    low = window.loc[window["ratio"].idxmin()]  # type: ignore[call-overload]
    high = window.loc[window["ratio"].idxmax()]  # type: ignore[call-overload]
    context = (f"For comparison, China's GDP was {low['ratio']:.1f} times Russia's in {low['year']:.0f} and "
               f"{high['ratio']:.1f} times in {high['year']:.0f} (lowest and highest in {start}–{end}, World Bank)")
    return context, window


def _draw_gdp_ratio(ax: Axes, ratio: pd.DataFrame, start: int, end: int) -> tuple[str, str, list[str], str]:
    _context, window = _gdp_context(ratio, start, end)
    ax.plot(window["year"], window["ratio"], marker="o", markersize=4, color=look("China").colour,
            label="China's GDP ÷ Russia's GDP")
    ax.axhline(1, color="#555555", linestyle="--", linewidth=1.2, label="Equal size (ratio 1)")
    peak = window.loc[window["ratio"].idxmax()]  # type: ignore[call-overload]  # stubs: .loc refuses a Hashable
    on_left = peak["year"] < (window["year"].min() + window["year"].max()) / 2
    ax.annotate(f"{peak['ratio']:.1f}× in {peak['year']:.0f}", (peak["year"], peak["ratio"]),
                xytext=(8 if on_left else -8, 6), textcoords="offset points", ha="left" if on_left else "right",
                fontsize=9)
    ax.set(xlabel="Year", ylabel="China's GDP ÷ Russia's GDP", ylim=(0, None))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    first, last = window.iloc[0], window.iloc[-1]
    alt = (f"China's GDP divided by Russia's, {first['year']:.0f} to {last['year']:.0f}: {first['ratio']:.2f} in "
           f"{first['year']:.0f}, {last['ratio']:.2f} in {last['year']:.0f}, highest {peak['ratio']:.2f} in "
           f"{peak['year']:.0f}. A dashed line marks equal size.")
    return "China's GDP as a multiple of Russia's", "ratio, GDP in current US$", ["world_bank"], alt


def _draw_trade_to_gdp(ax: Axes, shares: pd.DataFrame, start: int, end: int) -> tuple[str, str, list[str], str]:
    window = shares[shares["year"].between(start, end)]
    if window.empty:
        raise InvalidSelection(f"No trade and GDP figures overlap in {start}–{end}; try years up to 2023.")
    described = []
    for i, (series, rows) in enumerate(window.groupby("series", sort=False)):
        label = str(series)
        colour = look("Russia" if "Russia's GDP" in label else "China").colour
        customs = "customs" in label
        ax.plot(rows["year"], rows["value"], color=colour, marker=["o", "s", "o", "s"][i],
                linestyle="none" if customs else ["-", "--"][i // 2], markersize=6 if customs else 4,
                markerfacecolor="none" if customs else colour, label=label)
        latest = rows.iloc[-1]
        described.append(f"{latest['value']:.1f}% of {latest['gdp_of']}'s GDP in {latest['year']:.0f} "
                         f"({latest['record']})")
    first, last = int(window["year"].min()), int(window["year"].max())
    ax.set(xlabel="Year", ylabel="% of GDP", ylim=(0, None), xlim=(first - 0.7, last + 0.7))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    alt = (f"China–Russia trade as a percentage of each economy's GDP, {first} to {last}. Latest values: "
           + "; ".join(described) + ".")
    return ("China–Russia trade, relative to each economy", "% of the economy's GDP, current US$",
            ["imf", "gacc", "world_bank"], alt)


def _draw_snapshot(ax: Axes, snapshot: pd.DataFrame, context: str,
                   kind: str) -> tuple[str, str, list[str], str, pd.DataFrame]:
    """The articles' two figures as bars, labelled inside the chart, with the
    GDP ratio in the chosen years written underneath for comparison."""
    rows = snapshot.iloc[:2] if kind == "share" else snapshot.iloc[2:]
    who = (["China's share of Russia's external trade", "Russia's share of China's external trade"] if kind == "share"
           else ["China's rank among Russia's trading partners", "Russia's rank among China's trading partners"])
    who = [f"{label} ({'year not stated' if period == 'not stated' else period})"
           for label, period in zip(who, rows["period"])]
    frame = pd.DataFrame({"who": who, "value": rows["value"].to_numpy(),
                          "written": rows["value_as_written"].to_numpy(), "qualifier": rows["qualifier"].to_numpy()})
    # Each bar or point in the look of the country whose share or rank it is; hatching and
    # marker shape tell them apart without colour.
    looks = [look("China"), look("Russia")]
    if kind == "share":
        ax.barh([0, 1], frame["value"], height=0.5, color=[lk.colour for lk in looks], hatch=["", "//"],
                edgecolor=["white", "black"])
    else:  # a rank is a place, not an amount: a point on a rank axis, never a bar whose length grows with the rank
        for y, (value, lk) in enumerate(zip(frame["value"], looks)):
            ax.plot([value], [y], linestyle="none", marker=lk.marker, markersize=12, color=lk.colour,
                    markeredgecolor="black", zorder=3)
    for at, (_, entry) in enumerate(frame.iterrows()):
        hedge = "" if entry["qualifier"] == "exact" else f"{entry['qualifier']} "
        ax.text(0 if kind == "share" else 0.6, at - 0.3, textwrap.fill(entry["who"], 100), va="bottom", fontsize=10)
        ax.text(entry["value"], at, f"  {hedge}{entry['written']}", va="center", fontsize=10, fontweight="bold")
    ax.set_yticks([])
    ax.set_ylim(2.05, -0.75)  # a free band under the bars for the comparison line
    ax.text(0 if kind == "share" else 0.6, 1.55, "\n".join(textwrap.wrap(context + ".", 110)), va="center",
            fontsize=9, color="#333333")
    source = rows["source_id"].iloc[0]
    data = frame.rename(columns={"who": "measure", "written": "as written"})
    if kind == "share":
        ax.set(xlabel="% of the other country's external trade", ylabel="", xlim=(0, frame["value"].max() * 1.4))
        ratio = frame["value"].iloc[0] / frame["value"].iloc[1]
        alt = (f"Bars: China accounts for {frame['qualifier'].iloc[0]} {frame['value'].iloc[0]:g}% of Russia's "
               f"external trade, Russia for {frame['qualifier'].iloc[1]} {frame['value'].iloc[1]:g}% of China's "
               f"(Gill 2025, year not stated), a ratio of {ratio:.1f}. {context}.")
        return ("Each country's share of the other's external trade", "% of external trade", [source, "world_bank"],
                alt, data)
    worst = int(frame["value"].max())
    ax.set(xlabel="Place among the other's trading partners (1st = largest)", ylabel="",
           xlim=(0.5, worst + 3.5))
    ax.set_xticks(range(1, worst + 2), [_ordinal(n) for n in range(1, worst + 2)])
    ax.grid(axis="x", visible=False)
    alt = (f"Points on a rank axis: China ranks {frame['value'].iloc[0]:.0f} ({frame['written'].iloc[0]}) "
           f"among Russia's trading partners and Russia ranks {frame['value'].iloc[1]:.0f} "
           f"({frame['written'].iloc[1]}) among China's, since 2023 (bobby 2025). {context}.")
    return ("Each country's rank among the other's trading partners", "rank, 1 = largest", [source, "world_bank"],
            alt, data)


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def draw_asymmetry(ax: Axes, frames: dict[str, pd.DataFrame], *, measure: str, years: tuple[int, int]) -> ChartText:
    """One measure of how unequal the partnership is, over the chosen years."""
    start, end = year_range(years)
    ratio = frames["gdp_ratio"]
    data = None
    if measure == "gdp_ratio":
        title, units, sources, alt = _draw_gdp_ratio(ax, ratio, start, end)
    elif measure == "trade_to_gdp":
        title, units, sources, alt = _draw_trade_to_gdp(ax, frames["trade_to_gdp"], start, end)
    elif measure in ("share", "rank"):
        context, _ = _gdp_context(ratio, start, end)
        title, units, sources, alt, data = _draw_snapshot(ax, frames["snapshot"], context, measure)
    else:
        raise InvalidSelection(f"Choose a measure from: {', '.join(ASYMMETRY_MEASURES.values())}.")
    if data is None:
        data = plotted_data(ax, x="year", y=units).query("series != 'Equal size (ratio 1)'")
    legend_above_data(ax, ncol=1 if measure == "gdp_ratio" else 2)
    return ChartText(title=title, units=units, sources=sources, alt_text=alt, data=data)


def asymmetry_frames() -> dict[str, pd.DataFrame]:
    """Everything the asymmetry chart draws, computed once."""
    gdp = load("gdp")
    return {
        "gdp_ratio": gdp_ratio(gdp),
        "trade_to_gdp": trade_to_gdp(trade_flows(load("trade_by_reporter")), gdp),
        "snapshot": article_asymmetry(load("figures")),
    }


def asymmetry_chart() -> ChartWidget:
    """Compare measures of how unequal the partnership is."""
    frames = asymmetry_frames()
    first, last = int(frames["gdp_ratio"]["year"].min()), int(frames["gdp_ratio"]["year"].max())
    controls = {
        "measure": widgets.Dropdown(options=[(label, key) for key, label in ASYMMETRY_MEASURES.items()],
                                    value="gdp_ratio", description="Measure", style={"description_width": "initial"},
                                    layout=widgets.Layout(width="46em")),  # room for the longest measure's name
        "years": year_window(first, last),
    }
    return ChartWidget(partial(draw_asymmetry, frames=frames), controls)


WIDGETS = {
    "trade_explorer": trade_explorer,
    "asymmetry": asymmetry_chart,
}
