"""Lesson 05: the articles' main claims laid beside the evidence that bears on
them, and a comparison of the five sources.

Two widget charts:

* ``claim_explorer`` — choose a claim, then one of the reference series tagged
  on it; the chart shows that series, the claim's own figures where the series
  measures the same thing, and when the claim was made.
* ``source_comparison`` — figures, events and claims per article, by topic (or
  by kind of claim), as numbers or as shares.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal, cast

import ipywidgets as widgets
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from .. import joint_exercises
from ..chart_table import plotted_data
from ..charts import MARKERS, PALETTE, end_point, look, mark_not_recorded
from ..citations import readable_date, short_cite
from ..data import load
from ..data.derived import TRADE_RECORDS, joint_vetoes, trade_totals
from ..widgets import ChartText, ChartWidget, InvalidSelection

#: The reference series a claim can be tagged with, as the evidence menu names them.
SERIES_LABELS = {
    "trade_by_reporter": "Trade as each side reports it (IMF, China customs)",
    "arms_deliveries_to_china": "Arms delivered to China (SIPRI)",
    "unsc_vetoes": "Joint China+Russia UN vetoes (UN list)",
    "gdp": "China's GDP relative to Russia's (World Bank)",
    "joint_exercises": "Joint exercises, partial list (news reports)",
    "gas_power_of_siberia": "Power of Siberia gas to China (Gazprom)",
    "crude_oil_imports": "China's crude imports from Russia (China customs)",
}

#: The same series as the chart title names them (the source line names the providers).
SERIES_TITLES = {
    "trade_by_reporter": "trade as each side reports it",
    "arms_deliveries_to_china": "major arms delivered to China",
    "unsc_vetoes": "UN drafts vetoed by both China and Russia",
    "gdp": "China's GDP relative to Russia's",
    "joint_exercises": "joint exercises and patrols, partial list",
    "gas_power_of_siberia": "gas delivered through Power of Siberia",
    "crude_oil_imports": "China's crude-oil imports by supplier",
}

#: Marker style for an article's own figure drawn over a series.
_ARTICLE_MARK: dict[str, Any] = {"marker": "X", "s": 130, "color": "black", "zorder": 6}


def split_list(cell: object) -> list[str]:
    """A ';'-separated list cell of claims.csv as a list ('' or missing -> [])."""
    if pd.isna(cell) or not str(cell).strip():  # type: ignore[call-overload]  # pandas-stubs: isna takes any object
        return []
    return [item.strip() for item in str(cell).split(";") if item.strip()]


# ---------------------------------------------------------------------------
# Evidence series: each prepared once, each drawn by one small function.
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Drawn:
    """What a series drawer reports back: units, providers and a description
    with numbers, plus which of the claim's figures it could overlay."""

    units: str
    providers: list[str]
    description: str
    shown_figures: list[str]
    legend_loc: Literal["upper left", "upper center", "upper right"] = "upper left"
    x_is_year: bool = True


def prepare_evidence() -> dict[str, object]:
    """Every reference series in the shape its drawer needs (done once per widget)."""
    arms = load("arms_deliveries_to_china")
    gdp = load("gdp").pivot(index="year", columns="country", values="gdp_usd_bn").dropna()
    vetoes = load("unsc_vetoes")
    joint = joint_vetoes(vetoes)
    exercises = exercise_strip(load("joint_exercises"))
    gas = load("gas_power_of_siberia")
    crude = load("crude_oil_imports")
    crude = crude[crude["measure"].isin(["imports_from_russia", "imports_from_saudi_arabia"])]
    return {
        "trade_by_reporter": trade_totals(load("trade_by_reporter")),
        # SIPRI's blanks become NaN, so their lines break there instead of running along 0.
        "arms_deliveries_to_china": {
            "tiv": arms.assign(tiv_millions=arms["tiv_millions"].mask(arms["value_status"] == "none recorded"))
                       .pivot(index="year", columns="supplier", values="tiv_millions"),
            "none": arms[arms["value_status"] == "none recorded"]},
        "unsc_vetoes": {"joint": joint, "first_year": int(vetoes.loc[vetoes["member"] == "China", "year"].min()),
                        "listed_to": vetoes.loc[vetoes["list_source"] == "un_dhl_list", "date"].max()},
        "gdp": (gdp["China"] / gdp["Russia"]).rename("ratio"),
        "joint_exercises": exercises,
        "gas_power_of_siberia": gas[gas["headline"] == "yes"].set_index("year")["flow_bcm"],
        "crude_oil_imports": crude,
    }


def _draw_trade(ax: Axes, totals: pd.DataFrame, figures: pd.DataFrame) -> Drawn:
    """Each side's record of China–Russia trade; the article's US$ bn totals on top."""
    for record in TRADE_RECORDS.values():
        rows = totals[totals["record"] == record]
        ax.plot(rows["year"], rows["value_usd_bn"], linestyle=look(record).linestyle, marker=look(record).marker,
                # On top of the article's crosses, so both show.
                markersize=5, color=look(record).colour, label=record, zorder=7)
    overlay = figures[(figures["related_series"] == "trade_by_reporter") & (figures["unit"] == "US$ bn")]
    customs = totals[totals["provider"] == "gacc"].set_index("year")["value_usd_bn"]
    compared = []
    for source, rows in overlay.groupby("source_id"):
        ax.scatter(rows["year_start"], rows["value"], label=f"Figure in {short_cite(str(source))}", **_ARTICLE_MARK)
        for year, value in zip(rows["year_start"], rows["value"]):
            record = f" (China customs: {customs[year]:.1f})" if year in customs.index else ""
            compared.append(f"{value:.0f} billion for {year}{record}")
    ax.set(xlabel="Year", ylabel="US$ billion")
    # Each number is named with the record it comes from: the records cover different years and disagree.
    spans = []
    for record in TRADE_RECORDS.values():
        rows = totals[totals["record"] == record].sort_values("year")
        first, last = rows.iloc[0], rows.iloc[-1]
        spans.append(f"{record}, {first['value_usd_bn']:.1f} billion in {first['year']} to "
                     f"{last['value_usd_bn']:.1f} billion in {last['year']}")
    description = "China–Russia trade totals in US dollars, record by record: " + "; ".join(spans) + "."
    if compared:
        description += " The article's figures, marked with crosses: " + "; ".join(compared) + "."
    return Drawn("US$ billion, current prices", ["imf", "gacc"], description, list(overlay["figure_id"]))


def _draw_arms(ax: Axes, evidence: dict, figures: pd.DataFrame) -> Drawn:
    """Soviet and Russian arms deliveries to China, with the 1950s and the last
    ten years of the series marked by their averages, and the years SIPRI
    recorded nothing left as a gap with crosses on the baseline."""
    arms, none = evidence["tiv"], evidence["none"]
    for supplier in ["Soviet Union", "Russia", "All suppliers"]:
        # Trimmed to the supplier's own years, keeping the NaN of SIPRI's blanks inside them.
        series = arms[supplier].loc[arms[supplier].first_valid_index():arms[supplier].last_valid_index()]
        ax.plot(series.index, series.values, color=look(supplier).colour, linestyle=look(supplier).linestyle,
                marker=look(supplier).marker if supplier != "All suppliers" else None, markersize=3, label=supplier)
    none_note = mark_not_recorded(ax, none["year"], label=f"{' and '.join(none['supplier'].unique())}: "
                                                           "no deliveries recorded by SIPRI", note_height=0.45)
    last = int(arms.index.max())
    fifties = arms.loc[1950:1959, "Soviet Union"].mean()
    recent = arms.loc[last - 9:last, "Russia"].mean()
    ax.hlines(fifties, 1950, 1959, color="black", linewidth=2.5, label="Average over the years marked")
    ax.hlines(recent, last - 9, last, color="black", linewidth=2.5)
    label_box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1}
    ax.annotate(f"1950s: {fifties:,.0f}", (1959, fifties), xytext=(5, 0), textcoords="offset points",
                fontsize=8, va="center", bbox=label_box)
    ax.annotate(f"{last - 9}–{last}: {recent:,.0f}", (last - 4.5, recent), xytext=(0, -14),
                textcoords="offset points", fontsize=8, ha="center", bbox=label_box)
    ax.set(xlabel="Year of delivery", ylabel="SIPRI TIV, millions")
    description = (f"Major arms delivered to China by year, 1950 to {last}. Soviet deliveries averaged "
                   f"{fifties:,.0f} million TIV a year in the 1950s; Russian deliveries averaged {recent:,.0f} "
                   f"million in {last - 9}–{last}. SIPRI's series ends in {last}."
                   + (f" {none_note}." if none_note else ""))
    return Drawn("SIPRI TIV millions, not US$", ["sipri"], description, [], legend_loc="upper center")


def _draw_vetoes(ax: Axes, vetoes: dict, figures: pd.DataFrame) -> Drawn:
    """Running count of drafts China and Russia both vetoed; the incomplete
    2023–24 supplement drawn apart from the UN list."""
    joint, first_year, listed_to = vetoes["joint"], vetoes["first_year"], vetoes["listed_to"]
    years = pd.RangeIndex(first_year, int(joint["year"].max()) + 1)
    per_year = joint.groupby("year").size().reindex(years, fill_value=0)
    running = per_year.cumsum()
    last_listed = int(joint.loc[joint["list_source"] == "un_dhl_list", "year"].max())
    added = joint.loc[joint["list_source"] != "un_dhl_list", "year"]
    added_years = f"{added.min()}–{str(added.max())[-2:]}" if len(added) else "no"
    listed = running.loc[:last_listed]
    ax.step(listed.index, listed.values, where="post", color=PALETTE[0], label=f"UN veto list (to {listed_to:%B %Y})")
    ax.plot(listed.index[per_year.loc[:last_listed] > 0], listed[per_year.loc[:last_listed] > 0], "o",
            color=PALETTE[0], markersize=4)
    supplement = running.loc[last_listed:]
    ax.step(supplement.index, supplement.values, where="post", color=PALETTE[1], linestyle=":", marker="s",
            markersize=5, label=f"With the incomplete {added_years} supplement")
    shown = []
    for _, figure in figures[figures["related_series"] == "unsc_vetoes"].iterrows():
        who = short_cite(figure["source_id"])
        if pd.isna(figure["year_start"]):  # an open-started period such as 'before 2006'
            ax.scatter([figure["year_end"]], [figure["value"]],
                       label=f"{who}: {figure['value']:.0f} {figure['period']}", **_ARTICLE_MARK)
        else:  # a count stated at the time of writing: one point then, not a line from the period's start
            end_point(ax, figure["year_end"], figure["value"],
                      label=f"{who}: {figure['value']:.0f} since {figure['year_start']}, at the time of writing",
                      note=f"‘{figure['value_as_written']}’ since {figure['year_start']}:\nup to "
                           f"{figure['value']:.0f}, or up by {figure['value']:.0f}?")
        shown.append(figure["figure_id"])
    ax.set(xlabel="Year", ylabel="Joint vetoes, running total")
    before_2006 = int(running.loc[:2005].iloc[-1])
    description = (f"Running total of UN Security Council drafts vetoed by both China and Russia, {first_year} to "
                   f"{years[-1]}: {before_2006} before 2006, first in {int(joint['year'].min())}, "
                   f"{int(listed.iloc[-1])} by {listed_to:%B %Y} on the UN list, {int(running.iloc[-1])} with the "
                   f"incomplete {added_years} supplement.")
    if shown:
        stated = figures[figures["figure_id"].isin(shown)]
        description += " The article's own counts are marked: " + "; ".join(
            f"{row['value']:.0f} {row['period']} (a cross at {row['year_end']:.0f})" if pd.isna(row["year_start"])
            else (f"{row['value']:.0f} since {row['year_start']:.0f}, one point at the time of writing "
                  f"({row['year_end']:.0f}); its words can mean up to {row['value']:.0f} or up by {row['value']:.0f}")
            for _, row in stated.iterrows()) + "."
    return Drawn("vetoed drafts, running total", ["un_dhl"], description, shown)


def _draw_gdp(ax: Axes, ratio: pd.Series, figures: pd.DataFrame) -> Drawn:
    """China's GDP as a multiple of Russia's, in current US dollars."""
    sns.lineplot(x=ratio.index, y=ratio.values, color=PALETTE[0], marker=MARKERS[0], markersize=4,
                 label="China's GDP ÷ Russia's GDP", ax=ax)
    ax.axhline(1, color="black", linestyle=":", linewidth=1, label="Equal GDP")
    ax.set(xlabel="Year", ylabel="China's GDP ÷ Russia's")
    larger_since = int(ratio[ratio < 1].index.max()) + 1
    description = (f"China's GDP divided by Russia's, {ratio.index.min()} to {ratio.index.max()}: "
                   f"{ratio.iloc[0]:.2f} in {ratio.index.min()}, above 1 every year from {larger_since}, "
                   f"{ratio.max():.1f} at its highest ({ratio.idxmax()}) and {ratio.iloc[-1]:.1f} in "
                   f"{ratio.index.max()}.")
    return Drawn("ratio of GDP in current US$", ["world_bank"], description, [])


#: The two rows of the exercise strip, top row first; each has its own marker shape.
EXERCISE_KINDS = {"Bilateral": "o", "Multilateral or Russian-led with the PLA": "s"}


def exercise_strip(exercises: pd.DataFrame, min_gap: float = 0.35) -> pd.DataFrame:
    """Where each listed exercise sits on a dated strip (see
    :func:`russia_china.joint_exercises.place`): ``kind`` is bilateral or not,
    ``row`` 1 for bilateral and 0 for the others."""
    kind = exercises["format"].map(lambda f: "Bilateral" if f.startswith("bilateral") else
                                   "Multilateral or Russian-led with the PLA")
    return joint_exercises.place(exercises, kind, list(EXERCISE_KINDS), min_gap)


def draw_exercise_strip(ax: Axes, placed: pd.DataFrame) -> str:
    """One marker per listed exercise on a time axis (from :func:`exercise_strip`):
    a row and a marker shape per kind, hollow where the list gives only a year.
    Returns a description for the text alternative."""
    others = "Multilateral or Russian-led with the PLA"
    joint_exercises.draw(ax, placed, list(EXERCISE_KINDS), markers=EXERCISE_KINDS,
                         names={others: "Multilateral, or Russian-led with the PLA"})
    return joint_exercises.describe(placed, list(EXERCISE_KINDS))


def _draw_exercises(ax: Axes, placed: pd.DataFrame, figures: pd.DataFrame) -> Drawn:
    """The partial list as a dated strip: one marker per listed event, not a count per year."""
    description = draw_exercise_strip(ax, placed)
    return Drawn("one marker per listed event", ["news_reports"], description, [],
                 legend_loc="upper left")


def _draw_gas(ax: Axes, gas: pd.Series, figures: pd.DataFrame) -> Drawn:
    """Gazprom's headline yearly deliveries through Power of Siberia."""
    ax.bar(gas.index, gas.to_numpy(), color=PALETTE[2], hatch="..", edgecolor="white", label="Delivered (Gazprom)")
    for year, value in gas.items():
        ax.annotate(f"{value:.1f}", (year, value), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8)
    ax.set(xlabel="Year", ylabel="billion m³")
    description = (f"Gas delivered to China through Power of Siberia, {gas.index.min()}–{gas.index.max()}: "
                   f"from {gas.iloc[0]:.1f} to {gas.iloc[-1]:.1f} billion cubic metres a year.")
    return Drawn("billion cubic metres a year", ["gazprom"], description, [])


def _draw_crude(ax: Axes, crude: pd.DataFrame, figures: pd.DataFrame) -> Drawn:
    """Crude from Russia and from Saudi Arabia, the two years the series has."""
    years = sorted(crude["year"].unique())
    width = 0.38
    for i, (measure, supplier) in enumerate([("imports_from_russia", "Russia"),
                                              ("imports_from_saudi_arabia", "Saudi Arabia")]):
        rows = crude[crude["measure"] == measure].set_index("year").reindex(years)
        positions = [y + (i - 0.5) * width for y in years]
        bars = ax.bar(positions, rows["value"], width=width, color=look(supplier).colour,
                      hatch=["", "//"][i],
                      edgecolor="white", label=supplier)
        labels = [("more than " if q == "more than" else "") + f"{v:.1f}"
                  for v, q in zip(rows["value"], rows["qualifier"])]
        ax.bar_label(bars, labels=labels, fontsize=8)
    overlay = figures[figures["related_series"] == "crude_oil_imports"]
    for _, figure in overlay.iterrows():
        ax.annotate(f"{short_cite(figure['source_id'])}: Russia is the “{figure['value_as_written']}” supplier",
                    (0.02, 0.95), xycoords="axes fraction", fontsize=9, style="italic", va="top",
                    bbox={"facecolor": "white", "edgecolor": "black", "boxstyle": "round"})
    ax.set_xticks(years, [str(y) for y in years])
    ax.set(xlabel="Year", ylabel="million tonnes")
    ax.set_ylim(0, crude.loc[crude["unit"] == "million tonnes", "value"].max() * 1.35)
    by_year = crude.pivot(index="year", columns="measure", values="value")
    description = "China's crude-oil imports, million tonnes: " + "; ".join(
        f"{year} Russia {row['imports_from_russia']:.1f}, Saudi Arabia {row['imports_from_saudi_arabia']:.1f}"
        for year, row in by_year.iterrows()
    ) + ". The 2023 Russian figure is reported as 'more than' that value."
    return Drawn("million tonnes a year", ["gacc"], description, list(overlay["figure_id"]),
                 legend_loc="upper right", x_is_year=False)


# Any: each drawer takes the shape prepare_evidence gives its series (a frame, a series or a dict).
DRAWERS: dict[str, Callable[[Axes, Any, pd.DataFrame], Drawn]] = {
    "trade_by_reporter": _draw_trade,
    "arms_deliveries_to_china": _draw_arms,
    "unsc_vetoes": _draw_vetoes,
    "gdp": _draw_gdp,
    "joint_exercises": _draw_exercises,
    "gas_power_of_siberia": _draw_gas,
    "crude_oil_imports": _draw_crude,
}


# ---------------------------------------------------------------------------
# Widget 1: the claim explorer
# ---------------------------------------------------------------------------

def claims_with_evidence(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims tagged with at least one reference series, with the tags as lists."""
    tagged = claims.assign(series=claims["evidence_series"].map(split_list),
                           figure_ids=claims["evidence_figures"].map(split_list))
    return tagged[tagged["series"].map(len) > 0].set_index("claim_id")


def claim_label(claim_id: str, row: pd.Series) -> str:
    """The claim as the menu shows it: id, words and who said it."""
    return f"{claim_id} · {row['claim']} ({row['claimant']})"


def draw_claim_evidence(ax: Axes, claims: pd.DataFrame, figures: pd.DataFrame, evidence: dict, *,
                        claim: str, series: int) -> ChartText:
    """One claim beside the ``series``-th reference series tagged on it: the
    series, the claim's own figures where the series measures the same thing,
    and a line at the year the claim was made."""
    if claim not in claims.index:
        raise InvalidSelection(f"Claim {claim} has no reference series tagged in claims.csv.")
    row = claims.loc[claim]
    assert isinstance(row, pd.Series), "claim ids are the index's unique keys"
    # The evidence menu lists the claim's own tags by position; a position the
    # new claim lacks (the menu is catching up) means its first series.
    name = row["series"][series] if 0 <= series < len(row["series"]) else row["series"][0]
    claim_figures = figures[figures["figure_id"].isin(row["figure_ids"])]
    drawn = DRAWERS[name](ax, evidence[name], claim_figures)
    made_on = row["made_on"] if pd.notna(row["made_on"]) else ""
    if made_on and drawn.x_is_year:
        year = int(made_on[:4])
        ax.axvline(year, color="black", linestyle="-.", linewidth=1, label=f"Claim made ({readable_date(made_on)})")
        low, high = ax.get_xlim()
        ax.set_xlim(min(low, year - 1), max(high, year + 1))
    ax.legend(loc=drawn.legend_loc, fontsize=8, framealpha=0.9)
    not_shown = [f for f in row["figure_ids"] if f not in drawn.shown_figures]
    source_note = (f"Claim {claim} ({row['claim_kind']}) by {row['claimant']}, {row['claimant_role']}; "
                   f"{readable_date(made_on) if made_on else 'date not stated'}, {row['made_where']}; "
                   f"as reported in {short_cite(row['source_id'])}: “{row['quote']}”")
    if not_shown:
        source_note += f" Figures tagged on this claim that this series does not measure: {', '.join(not_shown)}."
    headline = _headline(row)
    cited = sorted(set(claim_figures.loc[claim_figures["figure_id"].isin(drawn.shown_figures), "source_id"]))
    return ChartText(
        data=plotted_data(ax, x="year" if drawn.x_is_year else "x", y=drawn.units),
        title=f"{headline}\nEvidence: {SERIES_TITLES[name]}",
        units=drawn.units,
        sources=[row["source_id"], *[s for s in cited if s != row["source_id"]], *drawn.providers],
        source_note=source_note,
        alt_text=(f"Claim {claim} by {row['claimant']} ({readable_date(made_on) if made_on else 'date not stated'}), "
                  f"reported in {short_cite(row['source_id'])}: “{row['quote']}” Evidence shown: "
                  f"{SERIES_LABELS[name]}. {drawn.description}"),
    )


def _headline(row: pd.Series, width: int = 80) -> str:
    """One title line: the claim and who made it, shortened to fit the chart."""
    claimant = row["claimant"]
    if len(row["claim"]) + len(claimant) + 5 > width:
        claimant = claimant.split(" (")[0]  # drop '(as reported by …)'; the source note keeps it
    claim = textwrap.shorten(row["claim"], max(width - len(claimant) - 5, 30), placeholder="…")
    return f"“{claim}” — {claimant}"


def claim_explorer() -> ChartWidget:
    """Choose a claim, then one of the series tagged on it."""
    claims = claims_with_evidence(load("claims"))
    figures = load("figures")
    evidence = prepare_evidence()
    default = "C02" if "C02" in claims.index else claims.index[0]
    claim_menu = widgets.Dropdown(options=[(claim_label(str(cid), row), cid) for cid, row in claims.iterrows()],
                                  value=default, description="Claim", style={"description_width": "initial"},
                                  layout=widgets.Layout(width="100%"))
    # A cell of lists: pandas-stubs type a single cell as a scalar.
    series_menu = widgets.Dropdown(options=_series_options(cast(list[str], claims.loc[default, "series"])), value=0,
                                   description="Evidence", style={"description_width": "initial"},
                                   layout=widgets.Layout(width="60%"))

    def offer_claims_series(changed: str, controls: Mapping[str, object]) -> None:
        if changed == "claim":
            series_menu.options = _series_options(claims.loc[claim_menu.value, "series"])
            series_menu.value = 0

    return ChartWidget(partial(draw_claim_evidence, claims=claims, figures=figures, evidence=evidence),
                       {"claim": claim_menu, "series": series_menu}, height=6.2,
                       before_redraw=offer_claims_series)


def _series_options(series: list[str]) -> list[tuple[str, int]]:
    """The evidence menu for one claim: its tagged series, valued by position."""
    return [(SERIES_LABELS[name], position) for position, name in enumerate(series)]


# ---------------------------------------------------------------------------
# Widget 2: comparing the five sources
# ---------------------------------------------------------------------------

MEASURES = {
    "figures": "Figures, by topic",
    "events": "Events, by topic",
    "both": "Figures and events, by topic",
    "claims": "Claims, by kind of claim",
}


def source_items() -> dict[str, pd.DataFrame]:
    """For each measure, a table: one row per article (oldest first), one
    column per topic or kind of claim, counting the article's items."""
    sources = load("sources").set_index("source_id")
    labels = {sid: f"{short_cite(sid)}, {sources.loc[sid, 'source_kind']!s}" for sid in _article_ids()}
    figures = load("figures")[["source_id", "topic"]]
    events = load("events")[["source_id", "topic"]]
    claims = load("claims")[["source_id", "claim_kind"]].rename(columns={"claim_kind": "topic"})
    tables = {}
    for measure, items in {"figures": figures, "events": events,
                           "both": pd.concat([figures, events]), "claims": claims}.items():
        table = pd.crosstab(items["source_id"], items["topic"]).reindex(list(labels), fill_value=0)
        tables[measure] = table.rename(index=labels)
    return tables


def draw_source_comparison(ax: Axes, tables: dict[str, pd.DataFrame], article_ids: list[str], *,
                           measure: str, scale: str) -> ChartText:
    """Stacked horizontal bars, one per article (oldest on top), split by topic
    or kind of claim; each article is named above its bar."""
    if measure not in tables:
        raise InvalidSelection(f"Unknown measure {measure!r}; choose one of: {', '.join(MEASURES.values())}.")
    counts = tables[measure]
    totals = counts.sum(axis=1)
    shares = scale == "share"
    values = counts.div(totals.where(totals > 0), axis=0) * 100 if shares else counts
    positions = pd.Series(range(len(values)), index=values.index, dtype=float)
    left = pd.Series(0.0, index=values.index)
    hatches = ["", "//", "..", "xx", "\\\\", "oo"]
    for i, column in enumerate(values.columns):
        widths = values[column].fillna(0)
        ax.barh(positions, widths, left=left, height=0.45, color=PALETTE[i], hatch=hatches[i],
                edgecolor="white", label=column)
        left = left + widths
    for label, total in totals.items():
        ax.annotate(f"{label} · {total} item{'s' if total != 1 else ''}", (0, positions[str(label)] - 0.28),
                    fontsize=9, va="bottom")
    # Oldest article on top, with room above it for the legend.
    ax.set_ylim(len(values) - 0.5, -1.9)
    ax.set_yticks([])
    ax.set_xlabel("% of the article's items" if shares else "Number of items")
    ax.set_xlim(0, (100 if shares else max(totals.max(), 1)) * 1.05)
    ax.legend(loc="upper left", ncol=len(values.columns), fontsize=8, frameon=False,
              title="Kind of claim" if measure == "claims" else "Topic", title_fontsize=8, alignment="left")
    ax.grid(axis="y", visible=False)
    leading = counts.idxmax(axis=1)
    parts = [f"{label}: {total}" + (f", mostly {leading[str(label)]}" if total else ", none")
             for label, total in totals.items()]
    return ChartText(
        data=values.round(1).reset_index(names="article"),
        title=f"What each article contributes: {MEASURES[measure].lower()}",
        units="% of the article's items" if shares else "number of items",
        sources=article_ids,
        source_note="Counted from data/figures.csv, events.csv and claims.csv; articles oldest first.",
        alt_text=(f"Stacked bars, one per article, of {MEASURES[measure].lower()}"
                  f"{', as shares of each article' if shares else ''}. " + "; ".join(parts) + "."),
    )


def _article_ids() -> list[str]:
    """The five articles' source_ids, oldest first."""
    sources = load("sources")
    return list(sources.loc[sources["record_kind"] == "article"].sort_values("published")["source_id"])


def source_comparison() -> ChartWidget:
    """Compare what the five articles contribute, measure by measure."""
    tables = source_items()
    controls = {
        "measure": widgets.Dropdown(options=[(label, key) for key, label in MEASURES.items()], value="figures",
                                    description="Count", style={"description_width": "initial"}),
        "scale": widgets.ToggleButtons(options=[("Number", "count"), ("Share of the article (%)", "share")],
                                       value="count", description="Show as", style={"description_width": "initial"}),
    }
    return ChartWidget(partial(draw_source_comparison, tables=tables, article_ids=_article_ids()), controls)


WIDGETS = {
    "claim_explorer": claim_explorer,
    "source_comparison": source_comparison,
}
