"""Lesson 03, military ties: the numbers the notebook states hold in the data
(checked against values published in the manifests and the articles), and the
widget charts plot exactly the rows they say they plot."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from russia_china.charts import new_chart
from russia_china.data import load
from russia_china.data.derived import joint_vetoes, vetoes_by_member
from russia_china.lessons import military
from russia_china.paths import REPO_ROOT
from russia_china.widgets import InvalidSelection


@pytest.fixture(scope="module")
def arms() -> pd.DataFrame:
    return load("arms_deliveries_to_china")


@pytest.fixture(scope="module")
def wide(arms) -> pd.DataFrame:
    table = arms.pivot(index="year", columns="supplier", values="tiv_millions").fillna(0)
    table["Moscow"] = table["Soviet Union"] + table["Russia"]
    return table


@pytest.fixture(scope="module")
def exercises() -> pd.DataFrame:
    return load("joint_exercises")


@pytest.fixture(scope="module")
def vetoes() -> pd.DataFrame:
    return load("unsc_vetoes")


def _by_gid(ax, gid):
    """Offsets of the scatter collections a draw function tagged with ``gid``."""
    found = [c.get_offsets() for c in ax.collections if c.get_gid() == gid]
    return pd.DataFrame([tuple(p) for offsets in found for p in offsets], columns=["x", "y"])


# ------------------------------------------------------------------ the SIPRI series


def test_soviet_deliveries_are_none_recorded_exactly_1969_to_1989(arms):
    # data/README.md: "SIPRI recorded no deliveries (e.g. Soviet Union 1969–1989)".
    soviet = arms[arms["supplier"] == "Soviet Union"].set_index("year")
    none = soviet.index[soviet["value_status"] == "none recorded"]
    assert list(none) == list(range(1969, 1990))
    assert (soviet.loc[none, "tiv_millions"] == 0).all()
    assert (soviet.drop(none)["tiv_millions"] > 0).all()


def test_sums_of_rounded_years_are_the_manifests(arms):
    totals = arms.groupby("supplier")["tiv_millions"].sum()
    assert totals.to_dict() == {"Soviet Union": 32510, "Russia": 37877, "All suppliers": 81828}


@pytest.mark.parametrize("start, end, published", [(1990, 2005, 0.831), (2007, 2021, 0.707), (1992, 2006, 0.845)])
def test_moscow_share_matches_the_published_checks(wide, start, end, published):
    # The manifest's CSIS ChinaPower checks; the notebook's "Try it" cell starts from 1992–2006.
    window = wide.loc[start:end]
    assert window["Moscow"].sum() / window["All suppliers"].sum() == pytest.approx(published, abs=0.0005)


@pytest.mark.parametrize("last_1950s_year", [1957, 1959, 1960])  # the windows of lessons 03, 05 and 01
def test_1950s_deliveries_were_all_soviet_and_larger_than_today(wide, last_1950s_year):
    # bobby2025 contrasts "the deep military ties of the 1950s"; claims.csv C02 notes deliveries were larger then.
    # Lesson 03 says the comparison does not depend on which 1950s window a lesson averages over.
    alliance, alignment = wide.loc[1950:last_1950s_year], wide.loc[2014:2021]
    assert (alliance["Moscow"] == alliance["All suppliers"]).all()
    ratio = alliance["Moscow"].mean() / alignment["Moscow"].mean()
    assert 2.8 <= ratio < 3


def test_russian_deliveries_declined_sharply_after_their_peak(wide):
    # Gill (2025): "these sales have declined sharply"; the notebook compares 2001–2005 with 2017–2021.
    russia = wide.loc[1992:, "Russia"]
    assert russia.idxmax() in range(2001, 2006)
    assert wide.loc[2017:2021, "Russia"].mean() < 0.5 * wide.loc[2001:2005, "Russia"].mean()
    # ...while Russia still supplied most of what China imported, as the notebook says.
    late = wide.loc[2017:2021]
    assert late["Russia"].sum() / late["All suppliers"].sum() > 0.75


def test_era_merge_gives_every_year_one_era(wide):
    eras = load("eras").sort_values("start_year")
    by_year = pd.merge_asof(wide.reset_index(), eras[["era_id", "start_year", "end_year"]],
                            left_on="year", right_on="start_year")
    assert by_year["era_id"].notna().all()
    closed = by_year["end_year"].notna()
    assert (by_year.loc[closed, "year"] <= by_year.loc[closed, "end_year"]).all()


# ---------------------------------------------------------------------- arms chart


def _draw_arms(arms, **values):
    _fig, ax = new_chart()
    text = military.draw_arms(ax, arms, **{"suppliers": military.SUPPLIERS, "years": (1950, 2021),
                                           "mark_none": True, **values})
    return ax, text


def test_draw_arms_plots_exactly_the_chosen_rows(arms):
    ax, text = _draw_arms(arms, suppliers=("All suppliers", "Russia"), years=(1990, 2010))
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"Russia", "All suppliers"}
    for supplier, line in lines.items():
        expected = arms[(arms["supplier"] == supplier) & arms["year"].between(1990, 2010)]
        assert list(line.get_xdata()) == list(expected["year"])
        assert list(line.get_ydata()) == list(expected["tiv_millions"])
    assert "not US$" in text.units and text.sources == ["sipri"]


def test_none_recorded_years_are_crossed_only_when_asked(arms):
    ax, text = _draw_arms(arms, suppliers=("Soviet Union",), years=(1960, 1995))
    crosses = _by_gid(ax, "none recorded")
    assert sorted(crosses["x"]) == list(range(1969, 1990)) and (crosses["y"] == 0).all()
    assert "no recorded deliveries in 21 years (1969–1989)" in text.alt_text
    ax, _ = _draw_arms(arms, suppliers=("Soviet Union",), years=(1960, 1995), mark_none=False)
    assert _by_gid(ax, "none recorded").empty


def test_a_window_without_rows_says_so_instead_of_failing(arms):
    ax, text = _draw_arms(arms, suppliers=("Russia",), years=(1950, 1960))
    assert ax.get_lines() == [] and "no rows" in text.alt_text


def test_alt_text_share_is_the_moscow_share(arms, wide):
    _, text = _draw_arms(arms, years=(2007, 2021))
    window = wide.loc[2007:2021]
    assert f"{window['Moscow'].sum() / window['All suppliers'].sum():.0%} of the total" in text.alt_text


def test_arms_controls_reject_empty_and_reversed_choices(arms):
    with pytest.raises(InvalidSelection):
        _draw_arms(arms, suppliers=())
    with pytest.raises(InvalidSelection):
        _draw_arms(arms, years=(2000, 1990))


def test_narrowing_the_arms_window_drops_the_early_years():
    chart = military.arms_widget()
    before = sum(len(line.get_xdata()) for line in chart.axes.get_lines())
    chart.set(years=(2000, 2021))
    after = [x for line in chart.axes.get_lines() for x in line.get_xdata()]
    assert min(after) == 2000 and len(after) < before


# ------------------------------------------------------------------------ exercises


def test_the_list_is_the_partial_list_the_manifest_describes(exercises):
    assert len(exercises) == 26
    assert exercises["year"].between(2003, 2024).all()
    # Xinhua (2013) called Joint Sea-2013 the 9th exercise involving both forces: the list misses some.
    assert (exercises["year"] <= 2013).sum() < 9


def test_exercise_groups_are_the_first_words(exercises):
    grouped = military.exercise_categories(exercises).set_index("exercise_id")
    assert set(grouped["domain_group"]) == {"ground", "naval", "air", "combined"}
    assert set(grouped["format_group"]) == {"bilateral", "multilateral", "Russian exercise, PLA joins"}
    assert grouped.loc["EX14", "domain_group"] == "air"                            # 1st joint air patrol
    assert grouped.loc["EX13", "format_group"] == "Russian exercise, PLA joins"    # Vostok-2018
    assert grouped.loc["EX01", "format_group"] == "multilateral"                   # SCO Coalition-2003


def test_the_exercise_widget_is_a_dated_strip_of_the_rows_in_the_window(exercises):
    """A partial list drawn as bars per year would invite a frequency reading: one marker per row instead."""
    strips = military.exercise_strips(military.exercise_categories(exercises))
    _fig, ax = new_chart()
    text = military.draw_exercises(ax, strips, years=(2010, 2020), group_by="format")
    assert not ax.patches, "no bars"
    marks = [c for c in ax.collections if (c.get_gid() or "").startswith("exercises ")]
    in_window = exercises["year"].between(2010, 2020)
    assert sum(len(c.get_offsets()) for c in marks) == in_window.sum()
    assert "partial" in text.alt_text and "per year" not in text.units
    assert f"{in_window.sum()} joint exercises" in text.alt_text
    assert "Years with no row in the list: 2010–2011, 2014, 2020" in text.alt_text


def test_each_group_has_its_own_row_and_marker_shape(exercises):
    """Group by domain or format: the group is a row and a marker shape, not a colour alone."""
    grouped = military.exercise_categories(exercises)
    strips = military.exercise_strips(grouped)
    for group_by, column in military.GROUPINGS.items():
        placed, order = strips[group_by]
        assert order[0] == grouped[column].value_counts().index[0]  # the largest group on top
        assert (placed["y"].astype(int) == placed["row"]).all()
        assert placed.groupby("kind")["row"].nunique().eq(1).all() and placed["row"].nunique() == len(order)
        _fig, ax = new_chart()
        military.draw_exercises(ax, strips, years=(2003, 2024), group_by=group_by)
        shapes = {c.get_gid(): c.get_paths()[0].vertices.round(3).tobytes() for c in ax.collections
                  if (c.get_gid() or "").startswith("exercises ") and len(c.get_offsets())}
        assert len(set(shapes.values())) == len(order)
        assert {t.get_text() for t in ax.texts} >= set(order)


def test_the_strip_text_follows_the_window(exercises):
    strips = military.exercise_strips(military.exercise_categories(exercises))
    texts = []
    for years in ((2003, 2024), (2015, 2021), (2004, 2004)):
        _fig, ax = new_chart()
        texts.append(military.draw_exercises(ax, strips, years=years, group_by="domain").alt_text)
    assert len(set(texts)) == 3
    assert "naval 7, 2015–2021" in texts[1] and "air 1, 2019" in texts[1]
    assert "no row in these years" in texts[2]


def test_air_rows_begin_in_2019_as_kuhrt_says(exercises):
    # Kuhrt (2024): "joint drills in the Indo-Pacific region since 2019, including flights over the Sea of Japan".
    grouped = military.exercise_categories(exercises)
    air = grouped[grouped["domain_group"] == "air"]
    assert air["year"].min() == 2019 == load("events").set_index("event_id").loc["E16", "year"]
    assert "Sea of Japan" in air.sort_values("year")["location"].iloc[0]


def test_the_list_has_no_2023_patrol_near_alaska(exercises):
    # Kuhrt (2024) reports one in summer 2023; the notebook says the list cannot confirm it.
    near_alaska = exercises[exercises["location"].str.contains("Alaska")]
    assert list(near_alaska["year"]) == [2024]
    assert near_alaska["domain"].str.startswith("air").all()
    assert load("events").set_index("event_id").loc["E28", "year"] == 2023


def test_both_phases_of_joint_sea_2015_are_listed(exercises):
    # Brooker (2015) wrote during "the second phase of Joint Sea 2015".
    phases = exercises[exercises["name"].str.startswith("Joint Sea-2015")]
    assert len(phases) == 2 and (phases["start_date"].dt.year == 2015).all()


# -------------------------------------------------------------------------- vetoes


def test_member_counts_match_the_published_dhl_counts(vetoes):
    un_list = vetoes[vetoes["list_source"] == "un_dhl_list"]
    assert vetoes_by_member(un_list).to_dict() == {
        "USSR": 90, "USA": 82, "Russia": 31, "UK": 29, "France": 16, "China": 17,
    }


def test_the_un_list_has_no_joint_veto_before_2007(vetoes):
    # Against Gill's "prior to 2006 there was only one instance of a joint veto" (claims.csv C13 note).
    joint = joint_vetoes(vetoes, ("China", "Russia"))
    assert joint["date"].min() == pd.Timestamp("2007-01-12")
    assert joint_vetoes(vetoes, ("China", "USSR")).empty


def test_the_lesson_says_not_supported_rather_than_wrong():
    # Lessons 03 and 05 agree: Gill's "one instance" before 2006 is not supported by the UN list, not "wrong".
    nb = nbformat.read(REPO_ROOT / "notebooks" / "03_military.ipynb", as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "not supported by the UN list" in prose and "wrong about" not in prose


def test_sixteen_joint_vetoes_only_with_the_supplement(vetoes):
    joint = joint_vetoes(vetoes, ("China", "Russia"))
    assert (joint["list_source"] == "un_dhl_list").sum() == 14
    assert len(joint) == 16 == load("figures").set_index("figure_id").loc["F15", "value"]
    assert joint["date"].max() == pd.Timestamp("2024-03-22")


def _draw_vetoes(marks, **values):
    _fig, ax = new_chart()
    text = military.draw_vetoes(ax, marks, **{"members": military.MEMBERS, "years": (1946, 2024),
                                              "include_supplement": False, **values})
    return ax, text


def test_veto_timeline_draws_one_tick_per_row_and_stars_joint_drafts(vetoes):
    marks = military.veto_marks(vetoes)
    ax, text = _draw_vetoes(marks, members=("China", "Russia"))
    listed = vetoes[(vetoes["list_source"] == "un_dhl_list")]
    for member in ("China", "Russia"):
        assert len(_by_gid(ax, f"vetoes {member}")) == (listed["member"] == member).sum()
    assert len(_by_gid(ax, "joint China+Russia")) == 2 * 14  # one star on each member's row
    assert "14 drafts vetoed by China and Russia together" in text.alt_text


def test_the_supplement_checkbox_adds_the_two_later_joint_vetoes(vetoes):
    chart = military.veto_widget()
    assert len(_by_gid(chart.axes, "joint China+Russia")) == 28
    chart.set(include_supplement=True)
    assert len(_by_gid(chart.axes, "joint China+Russia")) == 32
    assert "16 drafts vetoed by China and Russia together" in chart.text.alt_text
    assert "incomplete" in chart.text.source_note


def test_a_year_window_keeps_only_its_vetoes(vetoes):
    marks = military.veto_marks(vetoes)
    ax, _ = _draw_vetoes(marks, members=("USA",), years=(1970, 1979))
    ticks = _by_gid(ax, "vetoes USA")
    expected = vetoes[(vetoes["member"] == "USA") & vetoes["year"].between(1970, 1979)]
    assert len(ticks) == len(expected) and ticks["x"].between(1970, 1980).all()


def test_veto_controls_reject_empty_and_reversed_choices(vetoes):
    marks = military.veto_marks(vetoes)
    with pytest.raises(InvalidSelection):
        _draw_vetoes(marks, members=())
    with pytest.raises(InvalidSelection):
        _draw_vetoes(marks, years=(2024, 1946))


# ---------------------------------------------------------- the articles' figures


def test_the_figures_the_lesson_quotes():
    figures = load("figures").set_index("figure_id")
    assert figures.loc[["F11", "F12", "F14", "F15"], "value"].tolist() == [70, 90, 1, 16]
    assert "70 per cent of machine tools and 90 per cent of microelectronics" in figures.loc["F11", "quote"]
    claims = load("claims").set_index("claim_id")
    assert claims.loc["C19", "source_id"] == "kuhrt2024" and "military bloc" in claims.loc["C19", "quote"]
    assert "more symbolic than strategic" in claims.loc["C06", "quote"]
    # The lesson quotes Bobby's own words, not the claim's paraphrase "no direct military aid".
    assert "refrained from providing direct military aid" in claims.loc["C07", "quote"]
    nb = nbformat.read(REPO_ROOT / "notebooks" / "03_military.ipynb", as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert '"no direct military aid"' not in prose and '"refrained from providing direct military aid"' in prose


def _key_points(notebook: str) -> str:
    nb = nbformat.read(REPO_ROOT / "notebooks" / notebook, as_version=4)
    # A lesson in two parts has key points for each part; read them all.
    points = [c.source for c in nb.cells if c.cell_type == "markdown" and re.match(r"#+ Key points", c.source)]
    assert points, f"{notebook} has no key points"
    return "\n".join(points)


@pytest.mark.parametrize("notebook", ["03_military.ipynb", "05_claims_and_evidence.ipynb"])
def test_key_points_give_the_veto_counts_their_caveats(notebook):
    """Gill's "one instance" is not supported by the UN list, not refuted by it: other compilations
    count vetoed amendments separately. And "gone up 16" reads two ways (issue 12)."""
    points = _key_points(notebook)
    assert "*not supported*" in points and "not refuted" in points and "amendments" in points
    assert "up *to* 16 or up *by* 16" in points
