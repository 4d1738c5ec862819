"""Lesson 03: military ties — SIPRI arms deliveries to China, a partial list of
joint exercises, and UN Security Council vetoes, each as a widget chart."""

from __future__ import annotations

from functools import partial

import ipywidgets as widgets
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .. import joint_exercises
from ..charts import look, mark_not_recorded, year_ranges
from ..data import load
from ..data.derived import joint_vetoes
from ..widgets import ChartText, ChartWidget, at_least_one, year_range, year_window

# --------------------------------------------------------------------------- arms

SUPPLIERS = ("Soviet Union", "Russia", "All suppliers")
#: Colour, marker and dash per supplier: the course-wide look (charts.LOOKS), whatever else is selected.
ARMS_STYLE = {supplier: (look(supplier).colour, look(supplier).marker, look(supplier).linestyle)
              for supplier in SUPPLIERS}
TIV_UNITS = "SIPRI TIV, millions — not US$"


def _arms_summary(window: pd.DataFrame, supplier: str) -> str:
    """One sentence of alt text for one supplier's rows in the window."""
    rows = window[window["supplier"] == supplier]
    if rows.empty:
        return f"{supplier}: no rows in these years"
    peak = rows.loc[rows["tiv_millions"].idxmax()]  # type: ignore[call-overload]  # stubs: .loc refuses idxmax's Hashable
    text = (f"{supplier}: {rows['tiv_millions'].sum():,.0f} in total, highest {peak['tiv_millions']:,.0f} "
            f"in {peak['year']}")
    none = rows[rows["value_status"] == "none recorded"]
    if len(none):
        text += (f", no recorded deliveries in {len(none)} years ({year_ranges(none['year'])}), "
                 f"a blank in SIPRI's table drawn as a gap in the line, not as 0")
    return text


def draw_arms(ax: Axes, arms: pd.DataFrame, *, suppliers: tuple[str, ...], years: tuple[int, int],
              mark_none: bool) -> ChartText:
    """SIPRI deliveries to China per year for the chosen suppliers, with the
    years SIPRI recorded nothing marked, because a 0 there is a blank in SIPRI's table."""
    chosen = [s for s in SUPPLIERS if s in at_least_one(suppliers, "supplier")]
    start, end = year_range(years)
    window = arms[arms["supplier"].isin(chosen) & arms["year"].between(start, end)]
    ax.set(xlabel="Year of delivery", ylabel="TIV, millions", xlim=(start - 0.5, end + 0.5))
    if window.empty:
        spans = arms[arms["supplier"].isin(chosen)].groupby("supplier")["year"].agg(["min", "max"])
        listed = "; ".join(f"{s} {spans.loc[s, 'min']!s}–{spans.loc[s, 'max']!s}" for s in chosen)
        ax.text(0.5, 0.5, f"No rows for the chosen suppliers in these years.\nSIPRI lists: {listed}.",
                transform=ax.transAxes, ha="center", va="center")
        ax.set_yticks([])
    else:
        for supplier in chosen:
            rows = window[window["supplier"] == supplier]
            if rows.empty:
                continue
            colour, marker, line = ARMS_STYLE[supplier]
            # A blank in SIPRI's table is a gap in the line (NaN), never a drawn 0.
            drawn = rows["tiv_millions"].mask(rows["value_status"] == "none recorded")
            # The total underneath: where one supplier is all of it, the supplier's line stays on top.
            ax.plot(rows["year"], drawn, color=colour, marker=marker,
                    markersize=3 if supplier == "All suppliers" else 4, label=supplier, linestyle=line,
                    zorder=1.8 if supplier == "All suppliers" else 2.2)
        none = window[window["value_status"] == "none recorded"]
        if mark_none and len(none):
            unrecorded = " and ".join(s for s in chosen if s in set(none["supplier"]))
            mark_not_recorded(ax, none["year"], label=f"{unrecorded}: no deliveries recorded by SIPRI")
        ax.legend(title=None, loc="best", fontsize=8)
    sentences = [_arms_summary(window, s) for s in chosen]
    if {"All suppliers"} < set(chosen) and not window.empty:
        by_supplier = window.groupby("supplier")["tiv_millions"].sum()
        moscow = by_supplier.drop("All suppliers").sum()
        if by_supplier["All suppliers"] > 0:
            named = " and ".join(s for s in chosen if s != "All suppliers")
            sentences.append(f"{named} delivered {moscow / by_supplier['All suppliers']:.0%} "
                             f"of the total from all suppliers in these years")
    table = window[["supplier", "year", "tiv_millions", "value_status"]].sort_values(["supplier", "year"])
    return ChartText(
        data=table.assign(tiv_millions=table["tiv_millions"].mask(table["value_status"] == "none recorded"))
        .rename(columns={"tiv_millions": "TIV, millions", "value_status": "status"}),
        title="Major arms delivered to China, by supplier",
        units=TIV_UNITS,
        sources=["sipri"],
        alt_text=(f"Line chart of SIPRI trend-indicator values of arms delivered to China each year, {start}–{end} "
                  f"(a volume measure, not dollars). " + "; ".join(sentences) + "."),
    )


def arms_widget() -> ChartWidget:
    """Arms delivered to China by the Soviet Union, Russia and all suppliers, over a year window."""
    arms = load("arms_deliveries_to_china")
    first, last = int(arms["year"].min()), int(arms["year"].max())
    controls = {
        "suppliers": widgets.SelectMultiple(options=list(SUPPLIERS), value=SUPPLIERS, rows=3,
                                            description="Suppliers", style={"description_width": "initial"}),
        "years": year_window(first, last),
        "mark_none": widgets.Checkbox(value=True, description="Mark years with no recorded deliveries",
                                      style={"description_width": "initial"}),
    }
    return ChartWidget(partial(draw_arms, arms=arms), controls)


# ---------------------------------------------------------------------- exercises

GROUPINGS = {"domain": "domain_group", "format": "format_group"}


def exercise_categories(exercises: pd.DataFrame) -> pd.DataFrame:
    """Add broad groups: the first word of `domain` (ground, naval, air, combined)
    and of `format` (bilateral, multilateral, or a Russian exercise the PLA joined)."""
    first_word_of_format = exercises["format"].str.split().str[0]
    return exercises.assign(
        domain_group=exercises["domain"].str.split().str[0],
        format_group=first_word_of_format.replace({"Russian": "Russian exercise, PLA joins"}),
    )


def exercise_strips(exercises: pd.DataFrame) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """For each grouping, the list placed on a dated strip (one row per group,
    the largest group on top) and the groups in row order. Placed once for the
    whole list, so a marker keeps its place whatever the window."""
    strips = {}
    for group_by, column in GROUPINGS.items():
        order = list(exercises[column].value_counts().index)
        strips[group_by] = (joint_exercises.place(exercises, exercises[column], order), order)
    return strips


def draw_exercises(ax: Axes, strips: dict[str, tuple[pd.DataFrame, list[str]]], *, years: tuple[int, int],
                   group_by: str) -> ChartText:
    """The partial list as a dated strip: one marker per listed exercise or
    patrol, one row and marker shape per broad domain or format.

    ``strips`` comes from :func:`exercise_strips`. Not bars of rows per year: a
    count per year of a partial list would read as how often the militaries
    trained, which the list cannot say.
    """
    start, end = year_range(years)
    placed, order = strips[group_by]
    shown = placed[placed["year"].between(start, end)]
    joint_exercises.draw(ax, shown, order)
    if shown.empty:
        ax.text(0.5, 0.5, "The list has no exercise or patrol in these years.", transform=ax.transAxes,
                ha="center", va="center", bbox={"facecolor": "white", "edgecolor": "#999999"})
    ax.set_xlim(start - 0.3, end + 1.3)  # a dated marker sits between its year's tick and the next
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", ncol=len(order) + 1, fontsize=8, framealpha=0.9, columnspacing=1.0,
              handletextpad=0.3)
    columns = [c for c in ("year", "name", "domain", "format") if c in shown.columns]
    return ChartText(
        data=shown.sort_values("year")[columns] if columns else None,
        title=f"Joint exercises in a partial list, by {group_by}",
        units="one marker per listed event",
        sources=["news_reports"],
        alt_text=joint_exercises.describe(shown, order, per=group_by, years=(start, end)),
    )


def exercises_widget() -> ChartWidget:
    """The partial list of joint exercises as a dated strip, grouped by domain or format."""
    exercises = exercise_categories(load("joint_exercises"))
    first, last = int(exercises["year"].min()), int(exercises["year"].max())
    controls = {
        "years": year_window(first, last),
        "group_by": widgets.ToggleButtons(options=[("Domain", "domain"), ("Format", "format")], value="domain",
                                          description="Group by"),
    }
    return ChartWidget(partial(draw_exercises, strips=exercise_strips(exercises)), controls)


# ------------------------------------------------------------------------- vetoes

MEMBERS = ("USSR", "Russia", "China", "USA", "UK", "France")
MEMBER_COLOURS = {m: look(m).colour for m in MEMBERS}  # the course-wide looks, whatever is selected
JOINT_LABEL = "Vetoed by China and Russia together"


def veto_marks(vetoes: pd.DataFrame) -> pd.DataFrame:
    """One mark per vetoed draft and vetoing member, placed at the fraction of
    the year it was cast, and flagged when China and Russia both vetoed the draft."""
    joint_ids = set(joint_vetoes(vetoes, ("China", "Russia"))["veto_id"])
    when = vetoes["year"] + (vetoes["date"].dt.day_of_year - 1) / 366
    return vetoes.assign(when=when, joint=vetoes["veto_id"].isin(joint_ids))[
        ["veto_id", "date", "year", "when", "member", "list_source", "crisis_topic", "joint"]
    ]


def draw_vetoes(ax: Axes, marks: pd.DataFrame, *, members: tuple[str, ...], years: tuple[int, int],
                include_supplement: bool) -> ChartText:
    """A timeline with one row per chosen member and one tick per veto; drafts
    vetoed by China and Russia together get a star on top of their ticks."""
    chosen = [m for m in MEMBERS if m in at_least_one(members, "permanent member")]
    start, end = year_range(years)
    shown = marks[marks["member"].isin(chosen) & marks["year"].between(start, end)]
    if not include_supplement:
        shown = shown[shown["list_source"] == "un_dhl_list"]
    shown = shown.assign(row=shown["member"].map({m: i for i, m in enumerate(chosen)}))
    for member, rows in shown.groupby("member"):
        ax.scatter(rows["when"], rows["row"], marker="|", s=220, linewidth=1.6, color=MEMBER_COLOURS[str(member)],
                   gid=f"vetoes {member}")
    joint = shown[shown["joint"]]
    if len(joint):
        ax.scatter(joint["when"], joint["row"], marker="*", s=170, facecolor="#F0E442", edgecolor="black",
                   linewidth=0.8, zorder=5, gid="joint China+Russia")
    list_end = marks.loc[marks["list_source"] == "un_dhl_list", "date"].max()
    list_end_when = list_end.year + (list_end.day_of_year - 1) / 366
    if include_supplement and start <= list_end.year <= end:
        ax.axvline(list_end_when, color="#555555", linestyle="--", linewidth=1)
        ax.text(list_end_when, len(chosen) - 0.45, "UN list ends; later: incomplete news supplement ",
                fontsize=7, va="bottom", ha="right", color="#333333")
    ax.set_yticks(range(len(chosen)), chosen)
    ax.set(xlim=(start - 0.5, end + 1), ylim=(-0.6, len(chosen) + 0.4), xlabel="Year", ylabel=None)
    ax.grid(False, axis="y")
    ax.legend(handles=[Line2D([], [], marker="|", linestyle="", color="#333333", markersize=12, label="One veto"),
                       Line2D([], [], marker="*", linestyle="", markerfacecolor="#F0E442", markeredgecolor="black",
                              markersize=12, label=JOINT_LABEL)],
              loc="upper left", ncol=2, fontsize=8, framealpha=0.9)

    per_member = shown.groupby("member")["veto_id"].nunique().reindex(chosen, fill_value=0)
    coverage = ("the UN list (complete to " + list_end.strftime("%d %B %Y").lstrip("0")
                + ") plus an incomplete news supplement" if include_supplement
                else "the UN list only, complete to " + list_end.strftime("%d %B %Y").lstrip("0"))
    if {"China", "Russia"} & set(chosen):
        drafts = joint.drop_duplicates("veto_id")
        joint_text = f"{len(drafts)} drafts vetoed by China and Russia together are starred"
        if len(drafts):
            joint_text += f" (first {drafts['date'].min():%Y-%m-%d}, last {drafts['date'].max():%Y-%m-%d})"
    else:
        joint_text = "choose China or Russia to see their joint vetoes starred"
    table = shown.sort_values(["date", "member"])[["date", "member", "crisis_topic", "joint", "list_source"]]
    return ChartText(
        data=table.assign(date=table["date"].dt.strftime("%Y-%m-%d"),
                          joint=table["joint"].map({True: "yes", False: "no"}))
        .rename(columns={"crisis_topic": "topic", "joint": "with China and Russia both", "list_source": "list"}),
        title="Vetoed UN Security Council drafts, by member",
        units="one mark per draft and member",
        sources=["un_dhl"],
        source_note="After July 2022 only vetoes confirmed in news reports are shown; the list is incomplete there."
        if include_supplement else "",
        alt_text=(f"Timeline of vetoes, {start}–{end}, from {coverage}. Vetoed drafts per member: "
                  + ", ".join(f"{m} {n}" for m, n in per_member.items()) + f"; {joint_text}."),
    )


def veto_widget() -> ChartWidget:
    """UN Security Council vetoes by member over a year window, joint China+Russia vetoes starred."""
    marks = veto_marks(load("unsc_vetoes"))
    first, last = int(marks["year"].min()), int(marks["year"].max())
    controls = {
        "members": widgets.SelectMultiple(options=list(MEMBERS), value=MEMBERS, rows=6, description="Members",
                                          style={"description_width": "initial"}),
        "years": year_window(first, last),
        "include_supplement": widgets.Checkbox(value=False, description="Add the incomplete 2023–24 news supplement",
                                               style={"description_width": "initial"}),
    }
    return ChartWidget(partial(draw_vetoes, marks=marks), controls)


WIDGETS = {
    "arms": arms_widget,
    "exercises": exercises_widget,
    "vetoes": veto_widget,
}
