"""The partial list of joint exercises drawn as a dated strip: one marker per
listed event on a time axis, one row and one marker shape per group.

Lessons 03 and 05 both draw the list this way. Bars of rows per year would
invite a frequency reading ("more exercises in 2021") that a list known to be
incomplete cannot support; a strip shows what is listed, and a gap in it reads
as a gap in the list.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes

from .charts import MARKERS, PALETTE, year_ranges

#: Steps up within a row where markers would touch, in rows.
_LANE_STEP = 0.2


def place(exercises: pd.DataFrame, kinds: pd.Series, order: Sequence[str], min_gap: float = 0.35) -> pd.DataFrame:
    """Where each listed exercise sits on the strip.

    ``kinds`` names each exercise's group (its row), ``order`` the groups from
    the top row down. Adds ``kind``; ``when``, the start date as a decimal year
    (mid-year when the list gives only the year, ``dated`` False); ``row``, 0
    for the bottom row; and ``y``, the row plus a step up where a marker would
    touch an earlier one in its row (less than ``min_gap`` years apart), so no
    marker hides another.
    """
    rows = {kind: len(order) - 1 - i for i, kind in enumerate(order)}
    when = exercises["year"] + (exercises["start_date"].dt.day_of_year - 1) / 365
    placed = exercises.assign(kind=kinds, dated=when.notna(), when=when.fillna(exercises["year"] + 0.5),
                              row=kinds.map(rows)).sort_values(["row", "when"])
    steps: list[int] = []
    lane_ends: dict[tuple[int, int], float] = {}  # (row, step): where the last marker in that lane sits
    for row, at in zip(placed["row"], placed["when"]):
        step = 0
        while lane_ends.get((row, step), -1e9) > at - min_gap:
            step += 1
        lane_ends[(row, step)] = at
        steps.append(step)
    return placed.assign(y=placed["row"] + _LANE_STEP * pd.Series(steps, index=placed.index)).sort_index()


def style(order: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Colour and marker shape per group, by its place in ``order``: a group
    keeps its look whatever else is shown."""
    return {kind: (PALETTE[i], MARKERS[i]) for i, kind in enumerate(order)}


def draw(ax: Axes, placed: pd.DataFrame, order: Sequence[str], *, names: dict[str, str] | None = None,
         markers: dict[str, str] | None = None) -> None:
    """One marker per row of ``placed`` (from :func:`place`), filled where the
    list gives a start date and hollow where it gives only the year.

    Every group in ``order`` keeps its row, named inside the axes (``names``
    replaces a group's name there), even when none of its events is shown.
    ``markers`` overrides the shapes :func:`style` gives.
    """
    looks = style(order)
    for kind in order:
        colour, marker = looks[kind]
        marker = (markers or {}).get(kind, marker)
        rows = placed[placed["kind"] == kind]
        for dated, fill in ((True, colour), (False, "white")):
            chosen = rows[rows["dated"] == dated]
            ax.scatter(chosen["when"], chosen["y"], marker=marker, s=55, facecolor=fill, edgecolor=colour,
                       linewidths=1.5, zorder=3, label=kind if dated else None, gid=f"exercises {kind}")
    ax.scatter([], [], marker="o", s=55, facecolor="white", edgecolor="#555555", linewidths=1.5,
               label="Only the year is listed (placed mid-year)")
    # Rows named inside the axes, under their line: widget charts have no room for long tick labels.
    for i, kind in enumerate(order):
        y = len(order) - 1 - i
        ax.axhline(y, color="#BBBBBB", linewidth=0.7, zorder=1)
        ax.text(0.005, y - 0.12, (names or {}).get(kind, kind), transform=ax.get_yaxis_transform(), ha="left",
                va="top", fontsize=8.5, fontweight="bold", color="#333333")
    ax.set_yticks([])
    ax.set_ylim(-0.5, len(order) + 0.4)  # a free band on top for the legend
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("Year (start date where the list gives it)")


def describe(placed: pd.DataFrame, order: Sequence[str], *, per: str = "kind",
             years: tuple[int, int] | None = None) -> str:
    """The strip in words, from the rows it shows: how many per group and
    when, how many have only a year, and, for a window of ``years``, the years
    with no row, which are gaps in the list."""
    start, end = years if years else (placed["year"].min(), placed["year"].max())
    caveat = ("The list is known to be incomplete: a gap between markers is a gap in the list, "
              "not a year without exercises.")
    if placed.empty:
        return f"A dated strip of a partial list of joint exercises and patrols, {_span(start, end)}: " \
               f"the list has no row in these years. {caveat}"
    groups = []
    for kind in order:
        listed = placed.loc[placed["kind"] == kind, "year"]
        groups.append(f"{kind} {len(listed)}, {_span(listed.min(), listed.max())}" if len(listed) else f"{kind} 0")
    undated = (~placed["dated"]).sum()
    text = (f"A dated strip of the {len(placed)} joint exercises and patrols in a partial list, {_span(start, end)}, "
            f"one marker each, one row per {per}: {'; '.join(groups)}. "
            + (f"{undated} have only a year and are drawn hollow at mid-year. " if undated
               else "Every one shown has its start date. "))
    if years:
        empty = sorted(set(range(start, end + 1)) - set(placed["year"]))
        text += (f"Years with no row in the list: {year_ranges(empty)}. " if empty
                 else "Every year shown has at least one row. ")
    return text + caveat


def _span(first: int, last: int) -> str:
    return f"{first}" if first == last else f"{first}–{last}"
