"""Lesson 05 (claims against evidence): the claim explorer and the source
comparison draw what the lesson says they draw, and the numbers its prose
relies on hold in the data. Expected values are computed here from the raw
tables (not with the lesson's helpers) or taken from the data READMEs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from russia_china.charts import new_chart
from russia_china.data import load
from russia_china.lessons import claims as lesson
from russia_china.paths import REPO_ROOT


def _split(cell) -> list[str]:
    return [] if pd.isna(cell) else [part.strip() for part in str(cell).split(";") if part.strip()]


@pytest.fixture(scope="module")
def raw_claims() -> pd.DataFrame:
    return load("claims").set_index("claim_id")


@pytest.fixture
def explorer():
    return lesson.claim_explorer()


def _show(chart, claim_id: str, series_name: str, raw_claims: pd.DataFrame) -> None:
    chart.controls["claim"].value = claim_id
    chart.controls["series"].value = _split(raw_claims.loc[claim_id, "evidence_series"]).index(series_name)
    assert chart.message == ""


def _joint_china_russia(vetoes: pd.DataFrame) -> pd.DataFrame:
    """Drafts both China and Russia vetoed, from the member rows (README rule)."""
    members = vetoes.groupby("veto_id")["member"].agg(set)
    joint_ids = members[members.map(lambda m: {"China", "Russia"} <= m)].index
    return vetoes[vetoes["veto_id"].isin(joint_ids)].drop_duplicates("veto_id")


# --- the claim explorer ------------------------------------------------------

def test_claim_menu_offers_exactly_the_claims_with_a_reference_series(explorer, raw_claims):
    expected = [cid for cid, row in raw_claims.iterrows() if _split(row["evidence_series"])]
    offered = [value for _, value in explorer.controls["claim"].options]
    assert offered == expected
    # The claims the lesson weighs are all there; C04 has no evidence tagged, so the lesson treats it in prose.
    assert {"C01", "C02", "C03", "C05", "C06", "C08", "C09", "C12", "C13"} <= set(offered)
    assert "C04" not in offered


def test_evidence_menu_lists_the_chosen_claims_series(explorer, raw_claims):
    for claim_id in [value for _, value in explorer.controls["claim"].options]:
        explorer.controls["claim"].value = claim_id
        tagged = _split(raw_claims.loc[claim_id, "evidence_series"])
        labels = [label for label, _ in explorer.controls["series"].options]
        assert labels == [lesson.SERIES_LABELS[name] for name in tagged]
        assert explorer.message == ""
        assert lesson.SERIES_TITLES[tagged[0]] in explorer.text.title


@pytest.mark.parametrize("start, then", [("C02", "C13"), ("C02", "C06"), ("C21", "C01")])
def test_evidence_menu_resets_to_the_new_claims_first_series(explorer, raw_claims, start, then):
    explorer.controls["claim"].value = start
    explorer.controls["series"].value = len(explorer.controls["series"].options) - 1
    explorer.controls["claim"].value = then
    first = _split(raw_claims.loc[then, "evidence_series"])[0]
    assert explorer.controls["series"].value == 0
    assert lesson.SERIES_TITLES[first] in explorer.text.title


def test_every_claim_and_series_draws_with_the_claims_words(raw_claims):
    # Drawn straight onto one axes (no PNG) so all pairs stay fast; the widget
    # tests cover the PNG path.
    tagged = lesson.claims_with_evidence(load("claims"))
    figures, evidence = load("figures"), lesson.prepare_evidence()
    _, ax = new_chart()
    pairs = 0
    for claim_id, row in raw_claims.iterrows():
        for position, series_name in enumerate(_split(row["evidence_series"])):
            ax.clear()
            text = lesson.draw_claim_evidence(ax, tagged, figures, evidence, claim=claim_id, series=position)
            assert row["quote"] in text.alt_text and row["quote"] in text.source_note
            assert row["claimant"].split(" (")[0] in text.title
            assert row["source_id"] in text.sources
            assert lesson.SERIES_TITLES[series_name] in text.title
            assert ax.has_data()
            pairs += 1
    assert pairs == sum(len(_split(s)) for s in raw_claims["evidence_series"]) > 0


def test_changing_the_claim_costs_one_redraw(explorer):
    before = explorer.redraws
    explorer.controls["claim"].value = "C13"
    assert explorer.redraws == before + 1


def test_trade_chart_overlays_exactly_the_claims_trade_figures(explorer, raw_claims):
    figures = load("figures").set_index("figure_id")
    _show(explorer, "C12", "trade_by_reporter", raw_claims)
    marks = [c for c in explorer.axes.collections if c.get_label().startswith("Figure in")]
    tagged = figures.loc[_split(raw_claims.loc["C12", "evidence_figures"])]
    expected = sorted(zip(tagged["year_start"].astype(float), tagged["value"]))
    assert [sorted(map(tuple, c.get_offsets().tolist())) for c in marks] == [expected]
    # Gill's words: "$190 billion in 2022 to $237 billion in 2024"
    assert expected == [(2022.0, 190.0), (2024.0, 237.0)]

    # Ranks and shares cannot sit on a trade-value axis: none drawn, and the source note says which.
    _show(explorer, "C01", "trade_by_reporter", raw_claims)
    assert not [c for c in explorer.axes.collections if c.get_label().startswith("Figure in")]
    for figure_id in _split(raw_claims.loc["C01", "evidence_figures"]):
        assert figure_id in explorer.text.source_note


def test_veto_chart_has_no_joint_veto_before_2007_and_16_only_with_the_supplement(explorer, raw_claims):
    joint = _joint_china_russia(load("unsc_vetoes"))
    assert (joint["year"] < 2006).sum() == 0 and joint["year"].min() == 2007
    # data/REFERENCE_SERIES.md: 14 joint vetoes to July 2022; 16 with the supplement.
    assert (joint["list_source"] == "un_dhl_list").sum() == 14 and len(joint) == 16

    _show(explorer, "C13", "unsc_vetoes", raw_claims)
    lines = {line.get_label(): line for line in explorer.axes.get_lines()}
    listed = lines["UN veto list (to July 2022)"]
    supplement = lines["With the incomplete 2023–24 supplement"]
    listed_y = pd.Series(listed.get_ydata(), index=listed.get_xdata())
    assert listed_y.loc[:2006].max() == 0 and listed_y.loc[2007] == 1
    assert listed_y.iloc[-1] == 14 and supplement.get_ydata()[-1] == 16
    # Gill's own counts are drawn beside the record: one before 2006 (where the list has none), 16 since.
    gill = {c.get_label(): c for c in explorer.axes.collections}
    assert gill["Gill (2025): 1 before 2006"].get_offsets().tolist() == [[2005.0, 1.0]]
    # "16 since 2006" is one point at the time of writing, not a line back to 2006 (issue 12, part 4).
    assert gill["Gill (2025): 16 since 2006, at the time of writing"].get_offsets().tolist() == [[2025.0, 16.0]]
    assert not [c for c in explorer.axes.collections if hasattr(c, "get_segments")], "no line for a stated count"
    assert "up to 16 or up by 16" in explorer.text.alt_text


def test_arms_chart_marks_1950s_soviet_deliveries_far_above_recent_russian_ones(explorer, raw_claims):
    arms = load("arms_deliveries_to_china")
    soviet_1950s = arms[(arms["supplier"] == "Soviet Union") & arms["year"].between(1950, 1959)]["tiv_millions"].mean()
    last = arms["year"].max()
    russia_recent = arms[(arms["supplier"] == "Russia") & arms["year"].between(last - 9, last)]["tiv_millions"].mean()
    assert soviet_1950s > 3 * russia_recent  # the prose: "far more military capability" each year

    _show(explorer, "C02", "arms_deliveries_to_china", raw_claims)
    levels = sorted(segment[0][1] for c in explorer.axes.collections if hasattr(c, "get_segments")
                    for segment in c.get_segments())
    assert levels == pytest.approx(sorted([soviet_1950s, russia_recent]))
    assert f"{soviet_1950s:,.0f}" in explorer.text.alt_text and f"{russia_recent:,.0f}" in explorer.text.alt_text


def _raw_trade_records() -> dict[str, pd.Series]:
    """Each record's yearly China–Russia total from the raw file (data/REFERENCE_SERIES.md): the IMF totals as
    the reporter's exports plus its imports; China customs' own totals with Russia (not the 1991 USSR row)."""
    trade = load("trade_by_reporter")
    imf = trade[(trade["provider"] == "imf") & trade["flow"].isin(["exports", "imports"])]
    imf_totals = imf.groupby(["reporter", "year"])["value_usd_bn"].sum()
    gacc = trade[(trade["provider"] == "gacc") & (trade["partner"] == "Russia") & (trade["flow"] == "total")]
    return {"Reported by China (IMF)": imf_totals.loc["China"], "Reported by Russia (IMF)": imf_totals.loc["Russia"],
            "China customs headline (GACC)": gacc.set_index("year")["value_usd_bn"]}


def test_trade_text_names_the_record_of_every_number(explorer, raw_claims):
    # The default view once said "from 3.8 billion dollars (1994) to 244.8 billion in 2024 on China's customs
    # figures": 3.8 is Russia's IMF total, and customs has no 1994 value. Every number must carry its record.
    records = _raw_trade_records()
    assert 1994 not in records["China customs headline (GACC)"].index
    _show(explorer, "C02", "trade_by_reporter", raw_claims)
    description = explorer.text.alt_text.split("Evidence shown: ")[1]
    totals, crosses = description.split(" The article's figures")
    clauses = totals.split(": ", 1)[1].rstrip(".").split("; ")
    named = []
    for clause in clauses:
        record = next(label for label in records if clause.startswith(label))
        pairs = re.findall(r"(\d[\d,]*\.\d) billion in (\d{4})", clause)
        assert pairs
        for value, year in pairs:
            assert float(value) == round(records[record][int(year)], 1), (record, year)
        named.append(record)
    assert sorted(named) == sorted(records)
    # Each record's latest year is there (the customs total the lesson quotes, and where the IMF lines stop).
    for series in records.values():
        assert f"{series.iloc[-1]:.1f} billion in {series.index[-1]}" in totals
    # The article's crosses are compared with the customs total of the same year.
    compared = re.findall(r"billion for (\d{4}) \(China customs: ([\d.]+)\)", crosses)
    assert compared
    for year, value in compared:
        assert float(value) == round(records["China customs headline (GACC)"][int(year)], 1)


def test_exercises_are_a_dated_strip_one_marker_per_listed_event(explorer, raw_claims):
    """A partial list is drawn as a strip, not bars per year, which would invite a frequency reading."""
    exercises = load("joint_exercises")
    _show(explorer, "C02", "joint_exercises", raw_claims)
    assert not explorer.axes.patches, "no bars"
    marks = [c for c in explorer.axes.collections if (c.get_gid() or "").startswith("exercises ")]
    assert sum(len(c.get_offsets()) for c in marks) == len(exercises)
    # Each marker sits at its start date (mid-year where only the year is listed), in its kind's row.
    placed = lesson.exercise_strip(exercises)
    dated = placed[placed["dated"]]
    assert (dated["when"].astype(int) == dated["year"]).all()
    assert (placed.loc[~placed["dated"], "when"] == placed.loc[~placed["dated"], "year"] + 0.5).all()
    points = np.concatenate([c.get_offsets() for c in marks])
    assert sorted(map(tuple, points.round(6).tolist())) == sorted(zip(placed["when"].round(6), placed["y"].round(6)))
    # Bilateral and the others differ by row and by marker shape, not by colour alone.
    assert set(placed.loc[placed["kind"] == "Bilateral", "y"].astype(int)) == {1}
    assert set(placed.loc[placed["kind"] != "Bilateral", "y"].astype(int)) == {0}
    assert len(set(lesson.EXERCISE_KINDS.values())) == 2
    # No marker hides another: markers in the same lane are at least min_gap years apart.
    for _, lane in placed.groupby("y"):
        assert (lane["when"].sort_values().diff().dropna() >= 0.35).all()
    text = explorer.text.alt_text
    assert f"{len(exercises)} joint exercises" in text and "incomplete" in text and "per year" not in text
    assert f"{(~placed['dated']).sum()} have only a year" in text


def test_the_strips_text_follows_its_data():
    exercises = load("joint_exercises")
    _, ax = new_chart()
    full = lesson.draw_exercise_strip(ax, lesson.exercise_strip(exercises))
    ax.clear()
    fewer = lesson.draw_exercise_strip(ax, lesson.exercise_strip(exercises[exercises["year"] < 2020]))
    assert full != fewer and f"{(exercises['year'] < 2020).sum()} joint exercises" in fewer


# 1950–1957: lesson 03 (the alliance era); 1950–1959: this lesson; 1950–1960: lesson 01 (to Brooker's 1961).
@pytest.mark.parametrize("start, end", [(1950, 1957), (1950, 1959), (1950, 1960)])
def test_the_1950s_comparison_holds_on_every_window_the_lessons_use(start, end):
    arms = load("arms_deliveries_to_china")
    soviet = arms[(arms["supplier"] == "Soviet Union") & arms["year"].between(start, end)]["tiv_millions"].mean()
    russia = arms[arms["supplier"] == "Russia"]
    last = arms["year"].max()
    recent = russia[russia["year"].between(last - 9, last)]["tiv_millions"].mean()
    # The prose: far more each year than Russia's last decade, yet below Russia's peak year.
    assert soviet > 3 * recent
    assert russia["tiv_millions"].max() > soviet


def test_claim_line_extends_the_axis_past_where_the_data_stop(explorer, raw_claims):
    _show(explorer, "C14", "arms_deliveries_to_china", raw_claims)
    made = int(raw_claims.loc["C14", "made_on"][:4])
    assert made > load("arms_deliveries_to_china")["year"].max()
    claim_lines = [line for line in explorer.axes.get_lines() if line.get_label().startswith("Claim made")]
    assert [line.get_xdata()[0] for line in claim_lines] == [made]
    assert explorer.axes.get_xlim()[1] >= made


def test_gdp_chart_plots_chinas_gdp_over_russias(explorer, raw_claims):
    gdp = load("gdp").pivot(index="year", columns="country", values="gdp_usd_bn").dropna()
    ratio = gdp["China"] / gdp["Russia"]
    _show(explorer, "C08", "gdp", raw_claims)
    line = next(line for line in explorer.axes.get_lines() if line.get_label() == "China's GDP ÷ Russia's GDP")
    assert list(line.get_xdata()) == list(ratio.index)
    assert line.get_ydata() == pytest.approx(ratio.values)
    # The prose: China's GDP is the larger in every year from 1993.
    assert ratio.loc[1992] < 1 and (ratio.loc[1993:] > 1).all()


def test_crude_chart_keeps_the_reports_more_than(explorer, raw_claims):
    _show(explorer, "C21", "crude_oil_imports", raw_claims)
    crude = load("crude_oil_imports")
    hedged = crude[(crude["measure"] == "imports_from_russia") & (crude["qualifier"] == "more than")]
    labels = [t.get_text() for t in explorer.axes.texts]
    for value in hedged["value"]:
        assert f"more than {value:.1f}" in labels


# --- the source comparison ---------------------------------------------------

def _bar_totals(chart) -> list[float]:
    """Sum of bar widths per article row, top to bottom."""
    rows: dict[float, float] = {}
    for bar in chart.axes.patches:
        centre = round(bar.get_y() + bar.get_height() / 2, 3)
        rows[centre] = rows.get(centre, 0.0) + bar.get_width()
    return [rows[k] for k in sorted(rows)]


@pytest.mark.parametrize("measure, tables", [("figures", ["figures"]), ("events", ["events"]),
                                             ("both", ["figures", "events"]), ("claims", ["claims"])])
def test_source_comparison_counts_each_articles_items(measure, tables):
    sources = load("sources")
    articles = sources[sources["record_kind"] == "article"].sort_values("published")["source_id"]
    expected = sum(load(t)["source_id"].value_counts().reindex(articles, fill_value=0) for t in tables)
    chart = lesson.source_comparison()
    chart.set(measure=measure, scale="count")
    assert _bar_totals(chart) == pytest.approx(list(expected.astype(float)))
    chart.set(scale="share")
    assert _bar_totals(chart) == pytest.approx([100.0 if n else 0.0 for n in expected])


def test_source_comparison_splits_claims_by_kind_and_the_rest_by_topic():
    chart = lesson.source_comparison()
    chart.set(measure="claims")
    assert {t.get_text() for t in chart.axes.get_legend().get_texts()} == set(load("claims")["claim_kind"])
    chart.set(measure="events")
    assert {t.get_text() for t in chart.axes.get_legend().get_texts()} == set(load("events")["topic"])


# --- numbers the notebook's prose relies on ---------------------------------

def test_gills_2024_trade_figure_is_below_china_customs():
    trade = load("trade_by_reporter")
    customs_2024 = trade[(trade["provider"] == "gacc") & (trade["year"] == 2024) & (trade["flow"] == "total")]
    gill_2024 = load("figures").set_index("figure_id").loc["F06", "value"]
    # data/REFERENCE_SERIES.md: the articles' $237 bn against China customs' $244.8 bn.
    assert gill_2024 == 237 and customs_2024["value_usd_bn"].round(1).tolist() == [244.8]


def test_moscow_is_still_chinas_main_arms_supplier_but_a_smaller_share_than_in_the_1950s():
    arms = load("arms_deliveries_to_china").pivot(index="year", columns="supplier", values="tiv_millions")
    fifties = arms.loc[1950:1959, "Soviet Union"].sum() / arms.loc[1950:1959, "All suppliers"].sum()
    recent = arms.loc[2012:2021, "Russia"].sum() / arms.loc[2012:2021, "All suppliers"].sum()
    assert fifties == 1 and 0.5 < recent < fifties


def test_only_second_hand_attributions_name_a_source_for_a_figure():
    figures = load("figures")
    reported = r"according to|reportedly|study|survey|remarked|\bsaid\b|\bstated\b"
    attributed = figures[figures["quote"].str.contains(reported, case=False, regex=True)]
    assert set(attributed["source_id"]) == {"gill2025"}
    assert attributed["quote"].str.contains("reportedly").all()
    # The prose: one sentence, carrying F11 and F12 (Blinken as Gill reports him).
    assert attributed["quote"].nunique() == 1 and set(attributed["figure_id"]) == {"F11", "F12"}
    assert "Blinken" in attributed["quote"].iloc[0]


def test_no_limits_phrase_is_quoted_from_two_articles_only():
    claims, events = load("claims"), load("events")
    quoting = set(claims.loc[claims["quote"].str.contains("no limits", case=False), "source_id"]) | set(
        events.loc[events["quote"].str.contains("no limits", case=False), "source_id"])
    assert quoting == {"gill2025", "kuhrt2024"}


def test_short_cite():
    assert lesson.short_cite("gill2025") == "Gill (2025)"
    assert lesson.short_cite("imf") == "imf"


def test_instructor_notes_call_chan_a_forecast_as_its_title_does(seed_texts):
    """Chan (2022) is titled "Judgment and Prediction" and forecasts that Russia "will remain neutral"
    in a US–China war (issue 12): the notes must not call it a history-only commentary."""
    notes = (REPO_ROOT / "instructor_notes" / "05_claims_and_evidence.md").read_text(encoding="utf-8")
    chan = next(text for text in seed_texts.values() if "Judgment and Prediction" in text)
    assert "will remain neutral" in chan and '"will remain neutral"' in notes
    assert "history only" not in notes and "forecast" in notes


def test_lesson_teaches_the_form_of_each_page_and_gills_dating_conflict(seed_texts):
    """Source criticism of authorship and genre (issue 12, part 2): the lesson prints each page's form note
    and teaches the four cautions; the dates it argues with follow from Gill's own words."""
    import nbformat

    nb = nbformat.read(REPO_ROOT / "notebooks" / "05_claims_and_evidence.ipynb", as_version=4)
    printed = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                      for out in cell.get("outputs", []) if "form_note" in cell.source)
    articles = load("sources").query("record_kind == 'article'").set_index("source_id")
    for source_id, note in articles["form_note"].items():
        assert note in printed, f"the form note of {source_id} is not printed in a checked cell"
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    for caution in ["**A forum post**", "**An interview**", "**A forecast**", "**An essay written over time**"]:
        assert caution in markdown
    gill = next(text for name, text in seed_texts.items() if "A Conditional Embrace" in text[:200])
    assert "now into its third year" in gill and "20 days after the meeting" in gill
    invaded = pd.Timestamp("2022-02-04") + pd.Timedelta(days=20)
    assert f"{invaded + pd.DateOffset(years=3):%-d %B %Y}" == "24 February 2025"
    assert "in its third year only until 24 February 2025" in markdown
