"""Lesson 04: regional rivalry — Central Asia, Russia's Far East and China's
northern provinces, Northeast Asia, the Arctic and the multilateral forums.

The articles say a lot about regions in words and little in numbers, so the
charts here are built from what exists: the dated events, classified into
regions by keyword rules anyone can read (:data:`REGION_RULES`); the handful of
regional figures the articles state; and the UN veto list's own region coding.
"""

from __future__ import annotations

from functools import partial

import ipywidgets as widgets
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from ..charts import PALETTE, counted, look
from ..data import load
from ..data.derived import joint_vetoes
from ..widgets import ChartText, ChartWidget, InvalidSelection, at_least_one, year_range, year_window

#: Keyword rules that place a row in a region. A row belongs to every region
#: whose pattern matches its text (case-insensitive, whole words); rows that
#: match none are NOT_REGIONAL. The words are the articles' own.
REGION_RULES: dict[str, str] = {
    "Central Asia and the post-Soviet space": r"Central Asia|Eurasian|post-Soviet|Kyrgyzstan",
    "Russian Far East and northern China": (
        r"Far East|Heilongjiang|Jilin|Inner Mongolia|Hebei|Manchuria|Sino-Russian border|border war"
    ),
    "Northeast Asia and the Indo-Pacific": r"Northeast Asia|North Korea|Indo-Pacific|Sea of Japan",
    "The Arctic": r"\bArctic\b|northern sea route",
    "Multilateral forums (SCO, BRICS, UN)": r"\bSCO\b|\bBRICS\b|Shanghai Cooperation|Security Council|joint veto",
}
NOT_REGIONAL = "No regional keyword"
REGIONS = [*REGION_RULES, NOT_REGIONAL]

#: The text each table is classified on: what the row is about plus the article's own words.
TEXT_COLUMNS = {"events": ("event", "quote"), "figures": ("measure", "quote"), "claims": ("claim", "quote")}

ARTICLE_LABELS = {
    "brooker2015": "Brooker (2015)",
    "chan2022": "Chan (2022)",
    "kuhrt2024": "Kuhrt (2024)",
    "bobby2025": "Bobby (2025)",
    "gill2025": "Gill (2025)",
}
ALL_ARTICLES = "all"
#: Each article keeps its course-wide colour and marker shape (charts.LOOKS).
ARTICLE_COLOURS = {label: look(sid).colour for sid, label in ARTICLE_LABELS.items()}
ARTICLE_MARKERS = {label: look(sid).marker for sid, label in ARTICLE_LABELS.items()}
#: Bar groups that are trade flows take the flow's course-wide colour.
FLOW_GROUPS = {"imports from Russia": "imports", "exports to Russia": "exports"}


# --- classifying rows by region ---------------------------------------------------------------

def region_matches(text: pd.Series) -> pd.DataFrame:
    """One boolean column per region: does the text contain one of its keywords?"""
    return pd.DataFrame(
        {region: text.str.contains(rf"\b(?:{pattern})", case=False, regex=True)
         for region, pattern in REGION_RULES.items()}
    )


def classify(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """The table with a ``region`` column: one row per original row and matching region.

    ``name`` is 'events', 'figures' or 'claims' and picks the text columns. A
    row that matches two regions appears twice; one that matches none gets
    :data:`NOT_REGIONAL`.
    """
    first, second = TEXT_COLUMNS[name]
    matches = region_matches(table[first] + " " + table[second])
    regions = matches.apply(lambda row: [r for r in REGION_RULES if row[r]] or [NOT_REGIONAL], axis=1)
    classified = table.assign(region=regions).explode("region", ignore_index=True)
    return classified.assign(article=classified["source_id"].map(ARTICLE_LABELS))


def evidence_by_region(events: pd.DataFrame, figures: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """How many events, figures and claims each region's keywords find (regions × tables)."""
    counts = {
        name: classify(table, name)["region"].value_counts().reindex(REGIONS, fill_value=0)
        for name, table in {"events": events, "figures": figures, "claims": claims}.items()
    }
    return pd.DataFrame(counts).rename_axis("region")


# --- widget 1: dated events by region ----------------------------------------------------------

def timeline_positions(classified: pd.DataFrame, regions: list[str]) -> pd.DataFrame:
    """x (year) and y (row of the region, nudged so events of one year do not overlap)."""
    rows = classified[classified["region"].isin(regions)].copy()
    rows["row"] = rows["region"].map({region: i for i, region in enumerate(regions)})
    group = rows.groupby(["region", "year"])["event_id"]
    rank, size = group.cumcount(), group.transform("size")
    step = (0.84 / size).clip(upper=0.2)
    rows["y"] = rows["row"] + (rank - (size - 1) / 2) * step
    return rows


def draw_event_timeline(ax: Axes, classified: pd.DataFrame, *, regions: tuple[str, ...],
                        years: tuple[int, int], article: str) -> ChartText:
    """Each dated event as a marker in its region's row; marker and colour name the article."""
    chosen = [r for r in REGIONS if r in at_least_one(regions, "region")]
    start, end = year_range(years)
    shown = classified[classified["year"].between(start, end)]
    if article != ALL_ARTICLES:
        shown = shown[shown["source_id"] == article]
    rows = timeline_positions(shown, chosen)
    # One scatter per article, each with its own colour and marker shape (plain matplotlib:
    # seaborn's scatterplot would re-map hue and style from the whole table on every redraw).
    for label in ARTICLE_LABELS.values():  # the legend's order: oldest article first
        points = rows[rows["article"] == label]
        if len(points):
            ax.scatter(points["year"], points["y"], s=55, color=ARTICLE_COLOURS[label],
                       marker=ARTICLE_MARKERS[label], edgecolor="black", linewidth=0.5, zorder=3, label=label)
    labelled = rows[rows["region"] != NOT_REGIONAL].sort_values(["region", "year"])
    # Alternate labels above and below the row so neighbouring years stay legible on a long axis.
    above = labelled.groupby("region").cumcount() % 2 == 0
    for event, up in zip(labelled.itertuples(), above):
        ax.annotate(str(event.event_id), (event.year, event.y), xytext=(4, 4 if up else -11),
                    textcoords="offset points", fontsize=7)
    # Region names sit inside the plot, above their rows: the widget's fixed margins leave no room for long ticks.
    for row, region in enumerate(chosen):
        ax.text(start - 0.5, row - 0.42, region, fontsize=8, fontweight="bold", color="#333333", va="bottom")
    ax.set_yticks(range(len(chosen)), [""] * len(chosen))
    ax.set(xlim=(start - 1, end + 2), ylim=(len(chosen) - 0.5, -1.3), xlabel="Year", ylabel="")
    if len(rows):
        ax.legend(title=None, loc="upper center", ncol=len(ARTICLE_LABELS), fontsize=8, frameon=False,
                  handletextpad=0.2, columnspacing=0.8)
    else:
        ax.text(0.5, 0.5, "No dated event in this selection", transform=ax.transAxes, ha="center")
    who = "the five articles" if article == ALL_ARTICLES else ARTICLE_LABELS[article]
    # Cite the articles whose events are on the chart; with none shown, the article(s) chosen.
    cited = [sid for sid in ARTICLE_LABELS if sid in set(rows["source_id"])] or (
        list(ARTICLE_LABELS) if article == ALL_ARTICLES else [article])
    ids = rows.groupby("region")["event_id"].agg(list)  # each region's events, in date order
    per_region = "; ".join(
        f"{region}: {len(ids.get(region, []))}"
        + (f" ({', '.join(ids[region])})" if region != NOT_REGIONAL and region in ids else "")
        for region in chosen
    )
    table = rows.sort_values(["row", "year", "event_id"])[["region", "year", "event_id", "article"]]
    return ChartText(
        data=table.rename(columns={"event_id": "event"}),
        title=f"Dated events in {who}, by region",
        units="one marker per event",
        sources=cited,
        alt_text=(f"Timeline of the events {who} date between {start} and {end}, one row per region, "
                  f"{counted(rows['event_id'].nunique(), 'event')} in all. Events per region: {per_region}."),
        source_note="Regions assigned by the keyword rules of lesson 04 (regional.REGION_RULES).",
    )


def events_widget() -> ChartWidget:
    """Pick regions, years and an article; see which dated events fall where."""
    classified = classify(load("events"), "events")
    first, last = int(classified["year"].min()), int(classified["year"].max())
    articles = [("All five articles", ALL_ARTICLES)] + [(label, sid) for sid, label in ARTICLE_LABELS.items()]
    controls = {
        "regions": widgets.SelectMultiple(options=REGIONS, value=tuple(REGION_RULES), rows=len(REGIONS),
                                          description="Regions", style={"description_width": "initial"},
                                          layout=widgets.Layout(width="430px")),
        "years": year_window(first, last, start=1990),
        "article": widgets.Dropdown(options=articles, value=ALL_ARTICLES, description="Article"),
    }
    # Only the columns the chart uses: filtering the whole table, quotes and all,
    # on every redraw would cost more than the filtering the chart needs.
    used = classified[["event_id", "year", "region", "source_id", "article"]]
    return ChartWidget(partial(draw_event_timeline, classified=used), controls, height=5.8)


# --- widget 2: the articles' regional figures --------------------------------------------------

PROVINCES = "China's northern provinces: trade with Russia, 2021"
MONEY = "Money: Astana agreements and Chinese projects in Russia's Far East"
BEARINGS = "Ball bearings from China to Kyrgyzstan, 2021 = 100"
HEDGED = ("about", "more than")


def bearing_index(figures: pd.DataFrame) -> pd.DataFrame:
    """Kuhrt's 'more than 2000%' rise as an index: the 2021 level = 100, 2023 at least 100 + 2000."""
    rise = figures.set_index("figure_id").loc["F32"]
    base = {"label": f"{rise['year_start']}, the base year", "value": 100.0, "value_as_written": "the 2021 level",
            "qualifier": "exact", "group": "Kyrgyzstan", "source_id": rise["source_id"]}
    later = {"label": f"{rise['year_end']}", "value": 100.0 + rise["value"],
             "value_as_written": f"{rise['value_as_written']} above 2021", "qualifier": rise["qualifier"],
             "group": "Kyrgyzstan", "source_id": rise["source_id"]}
    return pd.DataFrame([base, later])


def figure_views(figures: pd.DataFrame) -> dict[str, tuple[pd.DataFrame, str, str]]:
    """For each view: the bars (label, value, words, qualifier, colour group, source), title and units."""
    by_id = figures.set_index("figure_id")
    provinces = by_id.loc[["F18", "F19", "F20", "F21", "F22"]].reset_index()
    provinces = provinces.assign(
        label=provinces["measure"].str.replace("Share of ", "", regex=False).str.replace("'s", "", regex=False),
        group=provinces["measure"].str.contains("imports").map({True: "imports from Russia",
                                                                 False: "exports to Russia"}),
    )
    money = by_id.loc[["F17", "F30"]].reset_index()
    money = money.assign(label=["Chinese projects in Russia's Far East, end of 2023",
                                "Agreements at the Astana summit, June 2025"],
                         group=["Russian Far East", "Central Asia"])
    columns = ["label", "value", "value_as_written", "qualifier", "group", "source_id"]
    return {
        PROVINCES: (provinces[columns], "Northern Chinese provinces' trade with Russia, 2021",
                    "% of the province's total"),
        MONEY: (money[columns], "Two regional money figures, not comparable", "US$ billion"),
        BEARINGS: (bearing_index(figures), "China's ball-bearing exports to Kyrgyzstan", "index, 2021 = 100"),
    }


def bar_text(row: pd.Series, own_words: bool) -> str:
    """A bar's value: the article's words with its hedge, or the number with ≈ / ≥."""
    if own_words:
        hedge = f"{row['qualifier']} " if row["qualifier"] in HEDGED else ""
        return f"{hedge}{row['value_as_written']}"
    sign = {"about": "≈ ", "more than": "≥ "}.get(row["qualifier"], "")
    return f"{sign}{row['value']:,.1f}"


def draw_regional_figures(ax: Axes, views: dict, *, view: str, own_words: bool, order: str) -> ChartText:
    """The chosen figures as bars; hatched bars are hedged in the article ('about', 'more than')."""
    if view not in views:
        raise InvalidSelection(f"Unknown view {view!r}.")
    bars, title, units = views[view]
    if order == "largest first":
        bars = bars.sort_values("value", ascending=False)
    bars = bars.reset_index(drop=True)
    groups = list(dict.fromkeys(bars["group"]))
    others = iter(PALETTE[2:])
    palette = {g: look(FLOW_GROUPS[g]).colour if g in FLOW_GROUPS else next(others) for g in groups}
    # One bar per figure at y = 0, 1, ... (plain matplotlib: seaborn's barplot would
    # group and average the table on every redraw, for bars that are single values).
    drawn = ax.barh(bars.index, bars["value"], height=0.55, color=bars["group"].map(palette), edgecolor="black")
    for patch, hedged in zip(drawn, bars["qualifier"].isin(HEDGED)):
        patch.set_hatch("//" if hedged else "")
    ax.grid(axis="y", visible=False)
    for y, row in bars.iterrows():
        ax.annotate(f"{row['label']}: {bar_text(row, own_words)}", (row["value"], y), xytext=(5, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(range(len(bars)), [""] * len(bars))
    ax.set(xlim=(0, bars["value"].max() * 2.1), ylim=(len(bars) - 0.5, -1.2), xlabel=units, ylabel="")
    if units.startswith("%"):
        ax.set_xticks(range(0, 101, 20))  # a share cannot pass 100; the space beyond is for the labels
        ax.spines["bottom"].set_bounds(0, 100)
    else:
        _ticks_up_to(ax, bars["value"].max())
    handles = [Patch(facecolor=palette[g], edgecolor="black", label=g) for g in groups]
    handles.append(Patch(facecolor="white", edgecolor="black", hatch="//", label="hedged: 'about' or 'more than'"))
    ax.legend(handles=handles, loc="upper left", ncol=len(handles), fontsize=8, frameon=False)
    described = "; ".join(f"{row['label']}: {bar_text(row, True)}" for _, row in bars.iterrows())
    return ChartText(
        data=bars[["label", "value", "value_as_written", "qualifier"]].rename(
            columns={"value": units, "value_as_written": "as written"}),
        title=title,
        units=units,
        sources=list(dict.fromkeys(bars["source_id"])),
        alt_text=(f"Horizontal bars, {order}, of {counted(len(bars), 'figure')} as the articles state them: "
                  f"{described}. "
                  f"Hatched bars are hedged in the article."),
    )


def _ticks_up_to(ax: Axes, largest: float) -> None:
    """Stop the x axis at the data: the empty stretch on the right only holds the bar labels."""
    ticks = ax.get_xticks()
    top = min((t for t in ticks if t >= largest), default=largest)
    ax.set_xticks([t for t in ticks if 0 <= t <= top])
    ax.spines["bottom"].set_bounds(0, ax.get_xticks()[-1])


def figures_widget() -> ChartWidget:
    """Pick one of the few regional measures the articles give numbers for."""
    views = figure_views(load("figures"))
    controls = {
        "view": widgets.Dropdown(options=list(views), value=PROVINCES, description="Measure",
                                 layout=widgets.Layout(width="520px")),
        "own_words": widgets.Checkbox(value=True, description="Label bars with the article's own words"),
        "order": widgets.ToggleButtons(options=["largest first", "article order"], value="largest first",
                                       description="Order"),
    }
    return ChartWidget(partial(draw_regional_figures, views=views), controls)


# --- widget 3: UN Security Council vetoes by region ---------------------------------------------

JOINT = "China and Russia together"
RUSSIA_ALONE = "Russia without China"
CHINA_ALONE = "China without Russia"
VETO_GROUPS = [JOINT, RUSSIA_ALONE, CHINA_ALONE, "Russia (all its vetoes)", "China (all its vetoes)", "USSR"]


def veto_groups(vetoes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One row per vetoed draft for each way of counting (veto_id, date, year, region, crisis_topic, list_source)."""
    drafts = vetoes.drop_duplicates("veto_id").set_index("veto_id")
    columns = ["date", "year", "region", "crisis_topic", "list_source"]
    members = vetoes.groupby("veto_id")["member"].agg(frozenset)

    def where(test) -> pd.DataFrame:
        return drafts.loc[members[members.map(test)].index, columns].reset_index()

    joint = joint_vetoes(vetoes).merge(drafts[["region"]], left_on="veto_id", right_index=True)
    return {
        JOINT: joint[["veto_id", *columns]],
        RUSSIA_ALONE: where(lambda m: "Russia" in m and "China" not in m),
        CHINA_ALONE: where(lambda m: "China" in m and "Russia" not in m),
        "Russia (all its vetoes)": where(lambda m: "Russia" in m),
        "China (all its vetoes)": where(lambda m: "China" in m),
        "USSR": where(lambda m: "USSR" in m),
    }


def vetoes_per_region(drafts: pd.DataFrame) -> pd.DataFrame:
    """Drafts per region, largest first, with the crisis topics they were about."""
    return (drafts.groupby("region")
            .agg(drafts=("veto_id", "nunique"), topics=("crisis_topic", lambda t: ", ".join(sorted(set(t)))))
            .sort_values(["drafts", "region"], ascending=[False, True]).reset_index())


def draw_vetoes_by_region(ax: Axes, groups: dict[str, pd.DataFrame], *, vetoed_by: str,
                          years: tuple[int, int], supplement: bool) -> ChartText:
    """Vetoed drafts per region (the UN list's own region coding) for one way of counting."""
    if vetoed_by not in groups:
        raise InvalidSelection(f"Unknown choice {vetoed_by!r}.")
    start, end = year_range(years)
    drafts = groups[vetoed_by]
    drafts = drafts[drafts["year"].between(start, end)]
    if not supplement:
        drafts = drafts[drafts["list_source"] == "un_dhl_list"]
    counts = vetoes_per_region(drafts)
    if len(counts):
        # Largest on top (plain matplotlib bars: seaborn's barplot would group the counts again).
        ax.barh(counts.index, counts["drafts"], height=0.6, color=PALETTE[0])
        ax.set_ylim(len(counts) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        for y, row in counts.iterrows():
            topics = row["topics"] if len(row["topics"]) < 50 else row["topics"][:47] + "…"
            ax.annotate(f"{row['region']}: {row['drafts']}  ({topics})", (row["drafts"], y), xytext=(5, 0),
                        textcoords="offset points", va="center", fontsize=8)
        ax.set_yticks(range(len(counts)), [""] * len(counts))
        ax.set(xlim=(0, counts["drafts"].max() * 2.6))
        _ticks_up_to(ax, counts["drafts"].max())
    else:
        ax.text(0.5, 0.5, "No vetoed draft in this selection", transform=ax.transAxes, ha="center")
        ax.set(yticks=[])
    ax.set(xlabel="Vetoed drafts (region as coded in the UN list compilation)", ylabel="")
    coverage = "with the incomplete 2023–24 supplement" if supplement else "UN list only, to July 2022"
    return ChartText(
        data=counts,
        title=f"UNSC vetoes: {vetoed_by}, {start}–{end}",
        units="drafts per region",
        sources=["un_dhl"],
        source_note=("Regions as coded by the World Politics Data Lab. Complete to 2022-07-08; "
                     + ("later rows are an incomplete supplement." if supplement else "later vetoes left out.")),
        alt_text=(f"Horizontal bars of vetoed drafts per region, vetoed by {vetoed_by}, {start} to {end}, "
                  f"{coverage}: {counted(int(counts['drafts'].sum()) if len(counts) else 0, 'draft')} in all. "
                  f"By region, with crisis topics: "
                  + ("; ".join(f"{r['region']} {r['drafts']} ({r['topics']})" for _, r in counts.iterrows())
                     or "none") + "."),
    )


def vetoes_widget() -> ChartWidget:
    """Where in the world the two permanent members veto, together and apart."""
    vetoes = load("unsc_vetoes")
    groups = veto_groups(vetoes)
    first, last = int(vetoes["year"].min()), int(vetoes["year"].max())
    controls = {
        "vetoed_by": widgets.Dropdown(options=VETO_GROUPS, value=JOINT, description="Vetoed by",
                                      style={"description_width": "initial"}),
        "years": year_window(first, last),
        "supplement": widgets.Checkbox(value=True, description="Include the incomplete 2023–24 supplement",
                                       style={"description_width": "initial"}),
    }
    return ChartWidget(partial(draw_vetoes_by_region, groups=groups), controls)


WIDGETS = {
    "events": events_widget,
    "figures": figures_widget,
    "vetoes": vetoes_widget,
}
