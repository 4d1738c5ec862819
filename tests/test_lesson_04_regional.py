"""Lesson 04 (regional rivalry): the keyword classification, what each chart
plots, and the statements the lesson's prose makes about the data.

Expected values come from the articles' own words (the quotes in data/), from
the shared data READMEs, or from the data recomputed here with plain pandas —
never from the lesson module's own output."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from russia_china.data import load
from russia_china.data.quotes import normalise
from russia_china.lessons import regional
from russia_china.paths import REPO_ROOT
from russia_china.widgets import InvalidSelection

NOTEBOOK = REPO_ROOT / "notebooks" / "04_regional.ipynb"
CENTRAL_ASIA, FAR_EAST_AND_NORTH, NORTHEAST_ASIA, ARCTIC, MULTILATERAL = list(regional.REGION_RULES)


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return load("events")


@pytest.fixture(scope="module")
def figures() -> pd.DataFrame:
    return load("figures")


@pytest.fixture(scope="module")
def vetoes() -> pd.DataFrame:
    return load("unsc_vetoes")


@pytest.fixture
def ax():
    import matplotlib.pyplot as plt

    return plt.subplots()[1]


def _points(ax) -> int:
    return sum(len(c.get_offsets()) for c in ax.collections)


def _bars(ax) -> list:
    """Bar patches from top to bottom (bars sit at y = 0, 1, ...)."""
    return sorted(ax.patches, key=lambda p: p.get_y())


def _markdown(path=NOTEBOOK) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


# --- the classification ---------------------------------------------------------------------

@pytest.mark.parametrize("event_id, region, words", [
    ("E39", CENTRAL_ASIA, "China-Central Asia summit"),
    ("E14", CENTRAL_ASIA, "Eurasian Economic Union"),
    ("E31", NORTHEAST_ASIA, "In Northeast Asia"),
    ("E34", ARCTIC, "cooperation in the Arctic"),
    ("E37", MULTILATERAL, "SCO summit in Tianjin"),
    ("E01", FAR_EAST_AND_NORTH, "ceded parts of Manchuria"),
])
def test_rules_place_events_where_the_articles_say_they_are(events, event_id, region, words):
    row = events.set_index("event_id").loc[event_id]
    assert words in row["quote"], "the article's own words are the reason for the expected region"
    classified = regional.classify(events, "events")
    assert classified.loc[classified["event_id"] == event_id, "region"].tolist() == [region]


def test_keywords_match_whole_words_only():
    rows = pd.DataFrame({"event_id": ["X1", "X2", "X3"], "source_id": ["gill2025"] * 3,
                         "event": ["Talks in Moscow", "SCO summit", "Talks on Antarctica"],
                         "quote": ["Moscow hosted them.", "The SCO met.", "Antarctic matters."]})
    regions = regional.classify(rows, "events").set_index("event_id")["region"]
    assert regions["X1"] == regional.NOT_REGIONAL, "'SCO' must not match inside 'Moscow'"
    assert regions["X2"] == MULTILATERAL
    assert regions["X3"] == regional.NOT_REGIONAL, "'Arctic' must not match inside 'Antarctic'"


def test_every_event_is_kept_and_unmatched_ones_are_labelled(events):
    classified = regional.classify(events, "events")
    assert set(classified["event_id"]) == set(events["event_id"])
    assert classified["region"].isin(regional.REGIONS).all()
    # NATO's Madrid summit is tagged 'regional' in events.csv but names none of the lesson's regions.
    madrid = events.set_index("event_id").loc["E20"]
    assert "Madrid summit" in madrid["quote"] and madrid["topic"] == "regional"
    assert classified.loc[classified["event_id"] == "E20", "region"].tolist() == [regional.NOT_REGIONAL]


def test_figures_tagged_regional_all_fall_in_a_region(figures):
    # figures.csv's own topic tag is an independent reading: every figure it calls regional should be caught.
    tagged = set(figures.loc[figures["topic"] == "regional", "figure_id"])
    assert tagged
    classified = regional.classify(figures, "figures")
    caught = set(classified.loc[classified["region"] != regional.NOT_REGIONAL, "figure_id"])
    assert tagged <= caught


def test_evidence_table_counts_each_region_from_the_classification(events, figures):
    claims = load("claims")
    evidence = regional.evidence_by_region(events, figures, claims)
    assert list(evidence.index) == regional.REGIONS
    arctic_events = events["quote"].str.contains(r"\bArctic\b|northern sea route", case=False)
    assert evidence.loc[ARCTIC, "events"] == arctic_events.sum()
    assert evidence["claims"].sum() == len(claims)  # no claim matches two regions


# --- widget 1: the timeline ---------------------------------------------------------------------

def test_timeline_plots_exactly_the_selected_events(ax, events):
    classified = regional.classify(events, "events")
    regional.draw_event_timeline(ax, classified, regions=(CENTRAL_ASIA, NORTHEAST_ASIA), years=(2000, 2025),
                                 article=regional.ALL_ARTICLES)
    pattern = re.compile(r"Central Asia|Eurasian|post-Soviet|Kyrgyzstan|Northeast Asia|North Korea|Indo-Pacific"
                         r"|Sea of Japan", re.IGNORECASE)
    text = events["event"] + " " + events["quote"]
    expected = events[events["year"].between(2000, 2025) & text.map(lambda t: bool(pattern.search(t)))]
    assert _points(ax) == len(expected) > 0


def test_article_control_keeps_only_that_articles_events(ax, events):
    classified = regional.classify(events, "events")
    text = regional.draw_event_timeline(ax, classified, regions=tuple(regional.REGIONS), years=(1858, 2025),
                                        article="kuhrt2024")
    assert _points(ax) == (events["source_id"] == "kuhrt2024").sum()
    assert text.sources == ["kuhrt2024"]


def test_an_article_without_regional_events_draws_an_empty_chart(ax, events):
    # Chan (2022) is about Russia's talks with NATO and the US: none of its quotes names a region.
    chan = events[events["source_id"] == "chan2022"]
    assert not chan["quote"].str.contains("Asia|Arctic|Eurasia|SCO|BRICS").any()
    classified = regional.classify(events, "events")
    text = regional.draw_event_timeline(ax, classified, regions=tuple(regional.REGION_RULES), years=(1858, 2025),
                                        article="chan2022")
    assert _points(ax) == 0
    assert "0 events in all" in text.alt_text


def test_timeline_refuses_empty_and_reversed_choices(ax, events):
    classified = regional.classify(events, "events")
    with pytest.raises(InvalidSelection, match="at least one region"):
        regional.draw_event_timeline(ax, classified, regions=(), years=(1990, 2025), article="all")
    with pytest.raises(InvalidSelection, match="swap"):
        regional.draw_event_timeline(ax, classified, regions=(ARCTIC,), years=(2025, 1990), article="all")


# --- widget 2: the articles' regional figures -----------------------------------------------------

def test_province_bars_are_the_articles_shares_with_hedges_hatched(ax, figures):
    views = regional.figure_views(figures)
    regional.draw_regional_figures(ax, views, view=regional.PROVINCES, own_words=True, order="article order")
    quote = figures.set_index("figure_id").loc["F18", "quote"]
    expected = [24, 7.4, 8.4, 6, 78]  # the order and values of the sentence itself
    assert all(f"{v:g} per cent" in quote for v in expected)
    bars = _bars(ax)
    assert [round(b.get_width(), 1) for b in bars] == expected
    # Only Heilongjiang's export share is hedged ('around 24 per cent').
    assert "around 24 per cent" in quote
    assert [bool(b.get_hatch()) for b in bars] == [True, False, False, False, False]


def test_largest_first_orders_the_bars(ax, figures):
    views = regional.figure_views(figures)
    regional.draw_regional_figures(ax, views, view=regional.PROVINCES, own_words=False, order="largest first")
    widths = [b.get_width() for b in _bars(ax)]
    assert widths == sorted(widths, reverse=True)


def test_astana_agreements_are_shown_as_the_article_states_them(ax, figures):
    quote = figures.set_index("figure_id").loc["F30", "quote"]
    assert "around $25 billion" in quote
    text = regional.draw_regional_figures(ax, regional.figure_views(figures), view=regional.MONEY,
                                          own_words=True, order="largest first")
    top = _bars(ax)[0]
    assert top.get_width() == 25 and top.get_hatch()
    assert "about $25 billion" in text.alt_text


def test_ball_bearing_index_follows_the_article(figures):
    quote = figures.set_index("figure_id").loc["F32", "quote"]
    assert "rose by more than 2000% since 2021" in quote and quote.startswith("In 2023")
    index = regional.bearing_index(figures).set_index("label")["value"]
    # A rise of 2000 % multiplies by 1 + 2000/100 = 21.
    assert index.iloc[0] == 100 and index.iloc[1] == 100 * 21


# --- widget 3: vetoes by region ------------------------------------------------------------------

def _widths_by_label(ax) -> dict[str, float]:
    labels = [t.get_text().split(":")[0] for t in ax.texts]
    return dict(zip(labels, [b.get_width() for b in _bars(ax)]))


def test_joint_vetoes_total_the_readme_counts(ax, vetoes):
    groups = regional.veto_groups(vetoes)
    # data/README.md: 14 joint China+Russia vetoes to July 2022, 16 with the supplement to March 2024.
    regional.draw_vetoes_by_region(ax, groups, vetoed_by=regional.JOINT, years=(1946, 2024), supplement=True)
    assert sum(_widths_by_label(ax).values()) == 16
    ax.clear()
    regional.draw_vetoes_by_region(ax, groups, vetoed_by=regional.JOINT, years=(1946, 2024), supplement=False)
    widths = _widths_by_label(ax)
    assert sum(widths.values()) == 14
    # The README's list has one joint veto on an East Asian matter: the 2022-05-26 DPRK draft.
    assert widths["East Asia"] == 1


def test_russia_alone_is_russias_vetoes_minus_the_joint_ones(vetoes):
    groups = regional.veto_groups(vetoes)
    russia = set(vetoes.loc[vetoes["member"] == "Russia", "veto_id"])
    china = set(vetoes.loc[vetoes["member"] == "China", "veto_id"])
    assert set(groups[regional.RUSSIA_ALONE]["veto_id"]) == russia - china
    assert set(groups[regional.CHINA_ALONE]["veto_id"]) == china - russia
    assert set(groups[regional.JOINT]["veto_id"]) == russia & china


def test_china_before_1972_draws_no_bars_and_says_so(ax, vetoes):
    # data/README.md: China here is the PRC only, from 1972.
    text = regional.draw_vetoes_by_region(ax, regional.veto_groups(vetoes), vetoed_by="China (all its vetoes)",
                                          years=(1946, 1971), supplement=True)
    assert not ax.patches and "0 drafts in all" in text.alt_text


# --- what the prose says about the data -----------------------------------------------------------

def test_the_arctic_has_one_event_and_no_figure_or_claim(events, figures):
    assert events["quote"].str.contains("Arctic").sum() == 1
    assert not figures["quote"].str.contains("Arctic").any()
    assert not load("claims")["quote"].str.contains("Arctic").any()


def test_joint_vetoes_are_mostly_about_the_middle_east(vetoes):
    members = vetoes.groupby("veto_id")["member"].agg(set)
    joint_ids = members[members.map(lambda m: {"China", "Russia"} <= m)].index
    regions = vetoes.drop_duplicates("veto_id").set_index("veto_id").loc[joint_ids, "region"]
    assert (regions == "Middle East").mean() > 0.5
    assert regions.isin(["East Asia", "Central Asia"]).sum() == 1


def test_on_north_korea_one_joint_veto_then_russia_alone_with_china_abstaining(vetoes):
    korea = vetoes[vetoes["crisis_topic"] == "North Korea"].sort_values("date")
    by_draft = korea.groupby("veto_id", sort=False)["member"].agg(set).tolist()
    assert by_draft == [{"China", "Russia"}, {"Russia"}]
    assert "abstain: China" in korea["note"].iloc[-1]


def test_russia_vetoed_georgia_and_ukraine_drafts_without_china(vetoes):
    for topic in ["Georgia", "Ukraine"]:
        drafts = vetoes[vetoes["crisis_topic"] == topic]
        assert not drafts.empty
        assert set(drafts["member"]) == {"Russia"}


def test_exercise_locations_moved_from_central_asia_to_the_sea_of_japan():
    exercises = load("joint_exercises")
    central_asia = exercises[exercises["location"].str.contains("Kazakhstan|Kyrgyzstan|Tajikistan")]
    sea_of_japan = exercises[exercises["location"].str.contains("Sea of Japan")]
    assert central_asia["year"].max() < sea_of_japan["year"].min()
    recent = exercises[exercises["year"] >= 2019]
    assert recent["location"].str.contains("Sea of Japan").mean() > 0.5


# --- the notebook's words -----------------------------------------------------------------------

def test_every_quotation_in_the_lesson_is_verbatim(seed_texts):
    quotes = re.findall(r"“([^”]+)”", _markdown())
    assert len(quotes) > 20
    missing = [q for q in quotes if not any(normalise(q) in text for text in seed_texts.values())]
    assert missing == []


def test_money_and_percentages_are_printed_by_code_not_typed():
    markdown = _markdown()
    typed = re.findall(r"\$\s?\d[\d,.]*|\d[\d,.]*\s?(?:%|per cent|bn|billion)", markdown)
    assert typed == [], f"numbers typed in Markdown instead of computed: {typed}"


def test_places_are_named_as_the_articles_name_them(seed_texts):
    markdown = _markdown()
    gill = next(text for text in seed_texts.values() if "Zorawar Singh Gill" in text)
    brooker = next(text for text in seed_texts.values() if "near abroad" in text)
    # No article says Heilongjiang and the others border Russia; Gill calls them China's northern provinces.
    assert "The northern Chinese provinces of Heilongjiang, Jilin and Inner Mongolia" in gill
    assert not re.search(r"border\s*(?:region|province)|borderland", markdown, re.IGNORECASE)
    assert not any(re.search("border", region, re.IGNORECASE) for region in regional.REGION_RULES)
    # Brooker (2015) writes about "Eurasia", the post-USSR "near abroad"; he never names Central Asia.
    assert "central asia" not in brooker.lower()
    assert not re.search(r"Brooker \(2015\)\W*\s+describes Central Asia", markdown)
    assert "never names Central Asia" in markdown


def test_the_far_east_figures_are_not_called_shares_from_the_provinces_sentence(figures):
    by_id = figures.set_index("figure_id")
    shares = by_id.loc[["F18", "F19", "F20", "F21", "F22"]]
    assert shares["quote"].nunique() == 1 and (shares["unit"] == "%").all()
    far_east = by_id.loc[["F16", "F17"]]
    assert (far_east["unit"] != "%").all() and not far_east["quote"].isin(shares["quote"]).any()
    markdown = _markdown()
    assert "These shares come from one sentence" not in markdown
    assert "(F16, F17) are not shares" in markdown
