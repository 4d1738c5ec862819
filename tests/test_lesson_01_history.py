"""Lesson 01 (history): the timeline and disagreement charts draw exactly the
events they should, their controls move the chart the right way, and the facts
the lesson's prose relies on hold in the data."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest
from matplotlib.collections import PathCollection

from russia_china import charts
from russia_china.citations import cite
from russia_china.data import load
from russia_china.lessons import history
from russia_china.widgets import InvalidSelection

SELECTED = "selected event"


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return load("events")


@pytest.fixture(scope="module")
def eras() -> pd.DataFrame:
    return load("eras")


@pytest.fixture(scope="module")
def era_label(eras) -> dict[str, str]:
    return dict(zip(eras["era_id"], eras["label"]))


def _flat(text: str) -> str:
    return " ".join(text.split())


def _markers_by_topic(ax) -> dict[str, list[float]]:
    """x positions of the event markers the timeline drew, per topic legend entry."""
    found = {}
    for collection in ax.collections:
        label = collection.get_label()
        if isinstance(collection, PathCollection) and label != SELECTED and not label.startswith("_"):
            topic = label.split(" (")[0]
            offsets: Any = collection.get_offsets()  # an (n, 2) array; matplotlib's stubs say any ArrayLike
            found[topic] = sorted(offsets[:, 0].tolist())
    return found


def _draw_timeline(eras_shown, topics, event, rows="topic"):
    era_table = load("eras")
    timeline = history.timeline_events(load("events"), era_table)
    _fig, ax = charts.new_chart()
    text = history.draw_timeline(ax, timeline, era_table, eras=tuple(eras_shown), topics=tuple(topics),
                                 event=event, rows=rows)
    return ax, text


# ---------------------------------------------------------------- timeline


@pytest.mark.parametrize("era_ids, topics", [
    (["imperial", "alliance", "split", "normalisation", "partnership", "alignment"], history.TOPICS),
    (["alignment"], history.TOPICS),
    (["alliance", "split"], ["history"]),
    (["split", "alignment"], ["military", "regional"]),
])
def test_timeline_plots_exactly_the_filtered_events(events, era_label, era_ids, topics):
    expected = events[events["era"].isin(era_ids) & events["topic"].isin(topics)]
    ax, text = _draw_timeline([era_label[e] for e in era_ids], topics, expected["event_id"].iloc[0])
    plotted = _markers_by_topic(ax)
    assert set(plotted) == set(expected["topic"])
    for topic, years in plotted.items():
        assert years == sorted(expected.loc[expected["topic"] == topic, "year"].astype(float).tolist()), topic
    assert text.alt_text.startswith(f"Timeline of {len(expected)} of the {len(events)} events")
    assert set(text.sources) == set(expected["source_id"])


def test_rows_by_article_put_each_article_on_its_own_row(events, era_label):
    ax, _ = _draw_timeline(list(era_label.values()), history.TOPICS, "E01", rows="article")
    row_names = {t.get_text().strip() for t in ax.texts if t.get_fontweight() == "bold"}
    assert row_names == {history.article_label(s) for s in events["source_id"].unique()}


def test_default_timeline_runs_from_aigun_to_the_2025_summits(events):
    chart = history.timeline_widget()
    offered = {value for _, value in chart.controls["event"].options}
    # The brief: start with the Treaty of Aigun (1858), reach the Alaska summit and the Tianjin SCO summit.
    for words in ["Treaty of Aigun", "Alaska in August 2025", "SCO summit in Tianjin"]:
        rows = events[events["quote"].str.contains(words, regex=False)]
        assert len(rows) == 1 and rows["event_id"].iloc[0] in offered, words
    low, high = chart.axes.get_xlim()
    assert low < 1858 and high > 2025
    assert len(offered) == len(events)


@pytest.mark.parametrize("event_id", ["E04", "E25", "E40"])
def test_selected_event_shows_date_source_and_quote_on_the_chart(events, event_id):
    chart = history.timeline_widget()
    before = chart.png
    chart.set(event=event_id)
    row = events.set_index("event_id").loc[event_id]
    box = next(t for t in chart.axes.texts if "Source:" in t.get_text())
    assert cite(row["source_id"]) in _flat(box.get_text())
    assert _flat(row["quote"]) in _flat(box.get_text())
    assert row["event"] in _flat(box.get_text())
    assert cite(row["source_id"]) in chart.text.alt_text and row["quote"] in chart.text.alt_text
    if event_id != "E25":  # the default selection
        assert chart.png != before


@pytest.mark.parametrize("event_id", ["E04", "E12", "E25", "E40"])
def test_text_alternative_says_everything_the_box_says(events, event_id):
    # Lesson 01 tells students the box's text is also in the text alternative, last line included.
    chart = history.timeline_widget()
    chart.set(event=event_id)
    box = _flat(next(t for t in chart.axes.texts if "Source:" in t.get_text()).get_text())
    alt = _flat(chart.text.alt_text)
    row = history.timeline_events(events, load("eras")).set_index("event_id").loc[event_id]
    assert box.startswith(f"{row['when']} · {row['event']} ({row['era_label']})")
    assert f"{row['when']}: {row['event']} ({row['era_label']})" in alt
    for part in [f"Source: {row['citation']}", f"“{_flat(row['quote'])}”"]:
        assert part in box and part in alt, part
    last = f"Another article dates this differently: see the disagreement ‘{row['disagreement']}’."
    if pd.isna(row["disagreement"]):
        assert "Another article dates this differently" not in box + alt
    else:
        assert box.endswith(last) and alt.endswith(last)


def test_dates_in_words_keep_their_precision():
    chart = history.timeline_widget()
    chart.set(event="E25")
    assert "4 February 2022" in chart.text.alt_text
    chart.set(event="E04")
    assert "‘by the late 1950s’ (placed at 1958)" in chart.text.alt_text
    chart.set(event="E40")
    assert "Selected event: August 2025" in chart.text.alt_text


def test_event_list_follows_the_filters_and_keeps_the_selection(events, era_label):
    chart = history.timeline_widget()
    event = chart.controls["event"]
    assert event.value == "E25"
    chart.set(eras=(era_label["alignment"],))
    assert [v for _, v in event.options] == events.loc[events["era"] == "alignment", "event_id"].tolist()
    assert event.value == "E25" and chart.message == ""
    chart.set(eras=(era_label["alliance"],))
    alliance = events.loc[events["era"] == "alliance", "event_id"].tolist()
    assert [v for _, v in event.options] == alliance and event.value == alliance[0]
    chart.set(topics=("history",), eras=(era_label["alliance"], era_label["alignment"]))
    expected = events[events["era"].isin(["alliance", "alignment"]) & (events["topic"] == "history")]
    assert [v for _, v in event.options] == expected["event_id"].tolist()
    assert chart.message == ""


def test_a_filter_change_costs_one_redraw(era_label):
    chart = history.timeline_widget()
    before = chart.redraws
    chart.set(eras=(era_label["split"],))  # the selected event leaves the list: it changes twice
    assert chart.redraws == before + 1 and chart.message == ""
    chart.set(eras=tuple(era_label.values()))
    assert chart.redraws == before + 2 and chart.message == ""


def test_an_empty_combination_explains_itself(era_label):
    chart = history.timeline_widget()
    chart.set(eras=(era_label["imperial"],), topics=("military",))
    assert "add an era or a topic" in chart.message
    # The Event menu is greyed and says why it offers nothing, rather than go blank.
    assert chart.controls["event"].disabled
    assert [label for label, _ in chart.controls["event"].options] == ["(no event shown: add an era or a topic)"]
    chart.set(topics=tuple(history.TOPICS))
    assert chart.message == "" and chart.controls["event"].value == "E01"
    assert not chart.controls["event"].disabled


def test_an_event_hidden_by_the_filters_is_refused(era_label):
    with pytest.raises(InvalidSelection):
        _draw_timeline([era_label["alliance"]], history.TOPICS, "E40")


# ---------------------------------------------------------------- disagreements


def _draw_disagreement(key, context, show_eras=True):
    era_table = load("eras")
    timeline = history.timeline_events(load("events"), era_table)
    _fig, ax = charts.new_chart()
    text = history.draw_disagreement(ax, timeline, era_table, key=key, context=context, show_eras=show_eras)
    return ax, text


def test_every_disagreement_key_is_offered(events):
    chart = history.disagreement_widget()
    offered = [value for _, value in chart.controls["key"].options]
    assert sorted(offered) == sorted(events["disagreement"].dropna().unique())
    # data/README.md names the two disputes the articles have over dates.
    assert set(offered) == {"split_date", "turn_to_china_start"}


@pytest.mark.parametrize("key", ["split_date", "turn_to_china_start"])
def test_disagreement_shows_each_article_at_its_year_and_the_gap(events, key):
    disputed = events[events["disagreement"] == key]
    ax, text = _draw_disagreement(key, context=0)
    article_marks = sorted(float(c.get_offsets()[0, 0]) for c in ax.collections
                           if isinstance(c, PathCollection) and len(c.get_offsets()) == 1 and c.get_sizes()[0] == 150)
    assert article_marks == sorted(disputed["year"].astype(float))
    gap = disputed["year"].max() - disputed["year"].min()
    spans = [history.approximate_span(row) for _, row in disputed.iterrows()]
    if any(spans):  # an approximate date with a stated span: the gap is a range, and the span a band
        (first, last), = [span for span in spans if span]
        other = disputed.loc[[span is None for span in spans], "year"].iloc[0]
        low, high = sorted((abs(other - first), abs(other - last)))
        assert any(t.get_text() == f"{low} to {high} years apart (about {gap} as placed)" for t in ax.texts)
        bands = [c for c in ax.collections if c.get_gid() == "approximate date"]
        assert len(bands) == 1 and bands[0].get_hatch() == "///"
        x = bands[0].get_paths()[0].vertices[:, 0]
        assert (x.min(), x.max()) == (first - 0.5, last + 0.5)
    else:
        assert any(t.get_text().endswith(f"{gap} years apart") for t in ax.texts)
    for row in disputed.itertuples():
        assert f"‘{row.date_as_written}’ ({row.year})" in text.alt_text
    assert set(text.sources) >= set(disputed["source_id"])


def test_only_a_written_span_becomes_a_band(events):
    by_id = events.set_index("event_id")
    assert history.approximate_span(by_id.loc["E04"]) == (1957, 1959)  # 'the middle of 1957–1959'
    assert history.approximate_span(by_id.loc["E11"]) is None  # 'read as about 2002': no span written
    assert history.approximate_span(by_id.loc["E05"]) is None  # 1961: a dated year


def test_split_dates_are_the_ones_the_articles_give(events):
    split = events[events["disagreement"] == "split_date"].set_index("source_id")
    # data/README.md: bobby2025 'by the late 1950s' against brooker2015 '1961'.
    assert split.loc["brooker2015", "year"] == 1961
    assert split.loc["bobby2025", "date_as_written"] == "by the late 1950s"
    assert split.loc["bobby2025", "date_precision"] == "years"
    # The lesson reads the span from year_derivation and quotes a 2-to-4-year gap over it.
    span = [int(y) for y in re.findall(r"\d{4}", split.loc["bobby2025", "year_derivation"])[-2:]]
    assert span[0] < split.loc["bobby2025", "year"] < span[1] < 1961


def test_more_context_shows_more_surrounding_events(events):
    def context_count(context):
        disputed = events[events["disagreement"] == "turn_to_china_start"]
        low, high = disputed["year"].min() - context, disputed["year"].max() + context
        return int((events["year"].between(low, high) & (events["disagreement"] != "turn_to_china_start")).sum())

    for context in (0, 20):
        ax, _text = _draw_disagreement("turn_to_china_start", context=context)
        hollow = [c for c in ax.collections if isinstance(c, PathCollection) and c.get_sizes()[0] == 40]
        drawn = sum(len(c.get_offsets()) for c in hollow)
        assert drawn == context_count(context)
    assert context_count(20) > context_count(0)


# ---------------------------------------------------------------- facts the prose relies on


def test_the_course_starts_the_split_at_bobbys_placed_year(events, eras):
    by_id = eras.set_index("era_id")
    bobby_year = events.set_index("event_id").loc["E04", "year"]
    assert by_id.loc["alliance", "end_year"] + 1 == by_id.loc["split", "start_year"] == bobby_year


def test_soviet_deliveries_fall_in_brookers_year_and_stop_from_the_border_war_on(events):
    soviet = load("arms_deliveries_to_china").query("supplier == 'Soviet Union'").set_index("year")
    alliance = soviet.loc[1950:1960, "tiv_millions"]
    assert soviet.loc[1958, "tiv_millions"] > alliance.mean() / 2  # still at alliance level in Bobby's year
    assert soviet.loc[1961, "tiv_millions"] < alliance.min() / 1.5  # the sharp fall the lesson describes
    # REFERENCE_SERIES.md: SIPRI's blank cells for the Soviet Union run 1969–1989.
    none = soviet.index[soviet["value_status"] == "none recorded"]
    assert list(none) == list(range(1969, 1990))
    # The lesson: "from the year of the border war on, SIPRI records none at all" (lesson 03 agrees).
    assert none.min() == events.set_index("event_id").loc["E06", "year"]


def test_the_twenty_days_check_is_circular(events):
    dated = events.set_index("event_id")
    days = (pd.Timestamp(dated.loc["E26", "date"]) - pd.Timestamp(dated.loc["E25", "date"])).days
    assert days == load("figures").set_index("figure_id").loc["F03", "value"] == 20
    assert "20 days after" in dated.loc["E26", "year_derivation"]


def test_early_eras_rest_on_few_articles(events, eras):
    partnership_start = eras.set_index("era_id").loc["partnership", "start_year"]
    early = events[events["year"] < partnership_start]
    assert set(early["source_id"]) <= {"brooker2015", "bobby2025", "gill2025"}
    assert set(events.loc[events["source_id"].isin(["chan2022", "kuhrt2024"]), "era"]) == {"alignment"}
    alignment_start = eras.set_index("era_id").loc["alignment", "start_year"]
    assert (events["year"] >= alignment_start).mean() > 0.5


def test_the_rows_the_notebook_picks_by_id_say_what_the_lesson_says(events):
    dated = events.set_index("event_id")
    assert "no limits" in dated.loc["E18", "quote"] and "disappeared" in dated.loc["E19", "quote"]
    assert dated.loc["E25", "date"] == "2022-02-04" and "Crimea" in dated.loc["E12", "quote"]
    assert "Alaska" in dated.loc["E40", "quote"] and "Tianjin" in dated.loc["E37", "quote"]
    assert "Alaska summit as past" in dated.loc["E37", "year_derivation"]
    claims = load("claims").set_index("claim_id")
    for claim_id, source_id in [("C03", "gill2025"), ("C04", "kuhrt2024"), ("C05", "gill2025")]:
        assert "no limits" in claims.loc[claim_id, "quote"] and claims.loc[claim_id, "source_id"] == source_id
    assert "good-neighbourly" in claims.loc["C22", "quote"]


def test_the_standard_record_is_printed_labelled_and_bears_on_rows_that_exist():
    """record.csv (issue 12, part 3): facts from outside the articles reach lesson 01 only under the heading
    'The standard record', each printed with its reference, and each points at course rows that exist."""
    import nbformat

    from russia_china.paths import REPO_ROOT

    record = load("record")
    known = {
        **{f"eras:{i}": True for i in load("eras")["era_id"]},
        **{f"sources:{i}": True for i in load("sources")["source_id"]},
        **{i: True for i in load("events")["event_id"]},
        **{i: True for i in load("claims")["claim_id"]},
        **{i: True for i in record["record_id"]},
    }
    for row in record.itertuples():
        for key in (part.strip() for part in row.bears_on.split(";")):
            assert key in known, f"{row.record_id} bears on {key}, which is not a course row"
    nb = nbformat.read(REPO_ROOT / "notebooks" / "01_history.ipynb", as_version=4)
    printed = ""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "print_record(" in cell.source:
            assert ("The standard record" in nb.cells[index - 1].source
                    or "The standard record" in nb.cells[index - 2].source)
            assert "nbval-check-output" in cell.metadata.get("tags", [])
            printed += "".join(out.get("text", "") for out in cell.outputs)
    printed = " ".join(printed.split())  # the lesson wraps lines at the notebook's width
    for row in record.itertuples():
        assert row.fact in printed and f"Reference: {row.reference}" in printed, row.record_id
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "formal end of an alliance" not in markdown, "Brooker dates the alliance's end in practice, not the treaty's"
