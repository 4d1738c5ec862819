"""Lesson 06 (forecasts and the triangle): the ledger holds the forecasts the
lesson relies on, its quotes and evidence numbers hold, the notebook quotes
the articles verbatim, and both widgets redraw on their controls. Expected
values are computed here from the raw tables, not with the lesson's helpers."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from russia_china.data import load
from russia_china.data.quotes import normalise
from russia_china.lessons import forecasts as lesson
from russia_china.paths import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "06_forecasts_and_triangle.ipynb"

#: Passages the lesson quotes, each required verbatim in the notebook and in a seed (issue 12, part 1).
QUOTED = [
    "whether the momentum of the China-Russia relationship can survive a thaw in Russia-US relations",
    "the meeting ended without an agreement or even a larger way forward",
    "as happened with the election of President Biden in 2020",
    "America’s ‘pivot to Asia’ continues",
    "he dismissed the idea that the U.S. administration’s attempts to normalise relations with Russia were aimed at "
    "using Moscow against China",
    "China began to see the USSR as a greater threat than the U.S. and both countries attempted to forge closer "
    "relations.",
    "If the United States and China go to war, Russia will remain neutral",
    "is not aimed against anyone",
    "not allies, but better than allies",
    "By then, we will find out whether such judgement is accurate.",
    "decried the Australia-United Kingdom-United States (AUKUS) alliance",
    "joined Russia in speaking against further enlargement of NATO",
    "“oppose colour revolutions,”",
    "Certain States' attempts to impose their own ”democratic standards“ on other countries",
    "room for further development of trade and economics is shrinking",
]

REQUIRED_FORECASTS = {
    # forecaster (start), made_on, words the quote must hold
    "Zbigniew Brzezinski": ("1997", "grand coalition of China, Russia, and perhaps Iran"),
    "Chan Kung": ("2022-01-28", "Russia will remain neutral"),
    "Russian analysts": ("2024-04", "room for further development of trade and economics is shrinking"),
    "Zorawar Singh Gill": ("2025", "likely to endure"),
    "Stephen Paul Brooker": ("2015-08", "Many more countries would rather partner with the west"),
}


@pytest.fixture(scope="module")
def forecasts() -> pd.DataFrame:
    return load("forecasts")


@pytest.fixture(scope="module")
def notebook_text() -> str:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _customs_totals() -> pd.Series:
    trade = load("trade_by_reporter")
    rows = trade[(trade["provider"] == "gacc") & (trade["partner"] == "Russia") & (trade["flow"] == "total")]
    return rows.set_index("year")["value_usd_bn"]


# --- the ledger -----------------------------------------------------------------

@pytest.mark.parametrize("forecaster", sorted(REQUIRED_FORECASTS))
def test_the_required_forecasts_are_in_the_ledger(forecasts, forecaster):
    made_on, words = REQUIRED_FORECASTS[forecaster]
    rows = forecasts[forecasts["forecaster"].str.startswith(forecaster)
                     & forecasts["quote"].str.contains(words, regex=False)]
    assert len(rows) == 1, f"{forecaster}: {len(rows)} rows quote {words!r}"
    assert rows["made_on"].iloc[0] == made_on


def test_every_forecast_quote_holds_its_confidence_condition_and_horizon_words(forecasts):
    for row in forecasts.itertuples():
        quote = normalise(row.quote)
        for part in row.confidence_as_written.split(" … "):
            assert normalise(part) in quote, f"{row.forecast_id}: {part!r}"
        for words in (row.condition, row.horizon_as_written):
            if pd.notna(words):
                assert normalise(words) in quote, f"{row.forecast_id}: {words!r}"


def test_dates_of_the_ledger_agree_with_the_articles(forecasts):
    sources = load("sources").set_index("source_id")
    for row in forecasts.itertuples():
        if row.date_basis.startswith("date of the article"):
            published = sources.loc[row.source_id, "published"]
            assert published.startswith(row.made_on), f"{row.forecast_id}: {row.made_on} vs {published}"
            inferred = sources.loc[row.source_id, "date_basis"] == "inferred"
            assert row.date_basis.endswith("(inferred)") == inferred, row.forecast_id
        assert len(row.made_on.split("-")) == {"year": 1, "month": 2, "day": 3}[row.date_precision], row.forecast_id


def test_forecasts_made_after_the_series_end_are_too_early_or_untestable(forecasts):
    last = max(load("trade_by_reporter")["year"].max(), load("gdp")["year"].max())
    late = forecasts[forecasts["year"] > last]
    assert len(late) > 0
    assert set(late["verdict_so_far"]) <= {"too early to tell", "not testable with these data"}
    tested = forecasts[forecasts["verdict_so_far"].str.contains("borne out")]
    assert (tested["evidence_series"].notna() | tested["evidence_events"].notna()).all()


def test_kuhrt_evidence_growth_rates_are_computed_from_customs(forecasts):
    customs = _customs_totals()
    growth = {year: round((customs[year] / customs[year - 1] - 1) * 100, 1) for year in (2022, 2023, 2024)}
    assert growth == {2022: 29.5, 2023: 26.2, 2024: 2.0}
    kuhrt = forecasts[forecasts["quote"].str.contains("room for further development", regex=False)].iloc[0]
    for year, value in growth.items():
        assert f"{value:.1f} % in {year}" in kuhrt["evidence_note"]
    assert f"US${customs[2024]:.1f} bn" in kuhrt["evidence_note"] and customs.idxmax() == 2024
    assert "trade_by_reporter" in kuhrt["evidence_series"]


def test_lessons_growth_table_drops_lower_bounds_and_gaps():
    growth = lesson.customs_growth(load("trade_by_reporter")).set_index("year")
    assert 2018 not in growth.index and 2019 not in growth.index  # 2018 is 'exceeding $107 billion'
    assert 2012 not in growth.index  # 2011 has no following year in the record
    assert growth.loc[2024, "growth_pct"] == pytest.approx((244.81 / 240.11 - 1) * 100)


def test_gdp_numbers_in_the_evidence_notes():
    gdp = load("gdp").pivot(index="year", columns="country", values="gdp_usd_bn")
    ratio = (gdp["China"] / gdp["Russia"]).round(1)
    notes = " ".join(load("forecasts")["evidence_note"])
    assert ratio[1997] == 2.4 and ratio[2023] == 8.8 and ratio[2015] == 8.1
    assert ratio[2020] == 9.8 and ratio[2022] == 7.9
    for claimed in ["2.4 times Russia's in 1997 and 8.8 times in 2023",
                    "8.1 times Russia's in 2015 and 8.8 times in 2023", "9.8 in 2020, 7.9 in 2022"]:
        assert claimed in notes


def test_veto_numbers_in_brzezinskis_evidence_note():
    vetoes = load("unsc_vetoes")
    members = vetoes.groupby("veto_id")["member"].agg(set)
    joint = vetoes[vetoes["veto_id"].isin(members[members.map(lambda m: {"China", "Russia"} <= m)].index)]
    joint = joint.drop_duplicates("veto_id")
    listed = joint[joint["list_source"] == "un_dhl_list"]
    note = load("forecasts").set_index("forecast_id").loc["FC01", "evidence_note"]
    assert listed["year"].min() == 2007 and len(listed) == 14 and len(joint) == 16
    assert "before 2007 and 14 from 2007" in note and "16 with the incomplete" in note


# --- the notebook ----------------------------------------------------------------

@pytest.mark.parametrize("passage", QUOTED)
def test_lesson_quotes_the_articles_verbatim(passage, notebook_text, seed_texts):
    assert passage in notebook_text, "the lesson must quote this passage"
    assert any(normalise(passage) in text for text in seed_texts.values()), "not verbatim in any seed"


def test_lesson_states_the_kuhrt_growth_rates_the_data_give(notebook_text):
    assert "2.0 % in 2024, after 29.5 % in 2022 and 26.2 % in 2023" in notebook_text


def test_the_lesson_shows_hua_chunyings_claim():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    shown = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Hua Chunying" in shown and load("claims").set_index("claim_id").loc["C23", "quote"] in shown


def test_three_or_four_discussion_questions(notebook_text):
    section = notebook_text.split("## Discussion questions", 1)[1]
    assert len(re.findall(r"^\d+\. ", section, re.M)) in (3, 4)


# --- the widgets -----------------------------------------------------------------

def test_forecast_menu_offers_the_forecasts_with_a_series(forecasts):
    explorer = lesson.forecast_explorer()
    offered = [value for _, value in explorer.controls["forecast"].options]
    assert offered == list(forecasts.loc[forecasts["evidence_series"].notna(), "forecast_id"])
    assert explorer.controls["forecast"].value == "FC11"
    assert explorer.controls["series"].value == lesson.CUSTOMS_GROWTH


def test_explorer_redraws_with_the_new_forecasts_words_and_first_series(forecasts):
    explorer = lesson.forecast_explorer()
    by_id = forecasts.set_index("forecast_id")
    before = explorer.redraws
    explorer.controls["forecast"].value = "FC03"
    assert explorer.redraws == before + 1 and explorer.message == ""
    assert by_id.loc["FC03", "quote"] in explorer.text.source_note
    assert explorer.controls["series"].value == "gdp" and "GDP" in explorer.text.title
    spans = [p for p in explorer.axes.patches if p.get_label().startswith("After the forecast")]
    assert len(spans) == 1 and spans[0].get_x() == 2015


def test_explorer_growth_bars_are_the_customs_growth():
    explorer = lesson.forecast_explorer()
    customs = _customs_totals()
    heights = {round(b.get_x() + b.get_width() / 2): b.get_height() for b in explorer.axes.patches
               if not b.get_label().startswith("After")}
    assert heights[2024] == pytest.approx((customs[2024] / customs[2023] - 1) * 100)
    assert "2024 +2.0 %" in explorer.text.alt_text
    assert "Years in the series from the forecast's year on: 1 (2024)" in explorer.text.alt_text


def test_timeline_redraws_on_both_controls():
    chart = lesson.triangle_timeline()
    first = chart.text.alt_text
    chart.controls["lanes"].value = "verdict"
    assert chart.text.alt_text != first and "Too early to tell: 10" in chart.text.alt_text
    chart.controls["years"].value = (1997, 2025)
    assert "Brzezinski's warning" in chart.text.alt_text and "28 forecasts" in chart.text.alt_text
    chart.update(years=(2025, 1997))
    assert "swap them" in chart.message


def test_timeline_events_involve_the_us_or_are_the_2022_statement_and_invasion():
    events = load("events").set_index("event_id").loc[list(lesson.TRIANGLE_EVENTS)]
    us = r"\bUS\b|U\.S\.|United States|American|Biden|Trump|Blinken|NATO|Nato|Alaska|Brzezinski|AUKUS"
    named = events["quote"].str.contains(us) | events["event"].str.contains(us)
    # The statement decried AUKUS and NATO enlargement (gill2025), and the invasion followed it:
    # tied to the US by the articles.
    assert set(events.index[~named]) == {"E25", "E26"}


@pytest.mark.parametrize("years", [(1995, 2025), (2021, 2025)])
@pytest.mark.parametrize("lanes", ["source", "verdict"])
def test_timeline_shows_every_forecast_marker_apart_from_the_others(lanes, years):
    """Gill's twelve forecasts share one date: each must still be seen, none hidden under another."""
    import numpy as np
    from matplotlib.collections import PathCollection

    chart = lesson.triangle_timeline()
    chart.controls["lanes"].value = lanes
    chart.controls["years"].value = years
    ax = chart.axes
    ax.figure.canvas.draw()
    forecast_sets = [c for c in ax.collections if isinstance(c, PathCollection)
                     and c.get_label() != "Event involving the US"]
    points = np.vstack([ax.transData.transform(c.get_offsets()) for c in forecast_sets])
    assert len(points) == len(load("forecasts").query(f"{years[0]} <= year <= {years[1]}"))
    gaps = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() >= 5, f"two forecast markers are {gaps.min():.1f} px apart"
