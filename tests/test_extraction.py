"""The article tables trace every number and date back to the exact words of
a seed article, and miss none."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from russia_china.data import load
from russia_china.data.passages import expected_rows
from russia_china.data.quotes import normalise, number_in

QUOTED_TABLES = ["figures", "events", "eras", "claims", "forecasts", "extraction_exclusions"]


@pytest.fixture(scope="module")
def seed_file_of() -> dict[str, str]:
    sources = load("sources")
    articles = sources[sources["record_kind"] == "article"]
    return dict(zip(articles["source_id"], articles["seed_file"]))


def _quote_column(table: str) -> str:
    return "context" if table == "extraction_exclusions" else "quote"


@pytest.mark.parametrize("table", QUOTED_TABLES)
def test_every_quote_occurs_verbatim_in_its_seed(table, seed_texts, seed_file_of):
    frame = load(table)
    missing = [
        f"{table} row {i + 1} ({row.source_id}): {getattr(row, _quote_column(table))[:70]!r}"
        for i, row in enumerate(frame.itertuples())
        if normalise(getattr(row, _quote_column(table))) not in seed_texts[seed_file_of[row.source_id]]
    ]
    assert not missing, "quotes not found verbatim in their seed:\n" + "\n".join(missing)


def test_every_article_has_its_seed_file(seed_texts, seed_file_of):
    assert sorted(seed_file_of.values()) == sorted(seed_texts)


def test_every_figure_value_is_stated_in_its_own_quote():
    figures = load("figures")
    bad = []
    for row in figures.itertuples():
        if row.value_as_written not in row.quote:
            bad.append(f"{row.figure_id}: {row.value_as_written!r} is not in its quote")
        elif number_in(row.value_as_written) != row.value:
            stated = number_in(row.value_as_written)
            bad.append(f"{row.figure_id}: {row.value_as_written!r} states {stated}, not {row.value}")
    assert not bad, "\n".join(bad)


def test_figure_years_are_ordered_and_stated_or_explained():
    figures = load("figures")
    both = figures.dropna(subset=["year_start", "year_end"])
    assert (both["year_start"] <= both["year_end"]).all()
    for row in figures.dropna(subset=["year_start"]).itertuples():
        in_text = str(row.year_start) in row.quote or str(row.year_start) in row.period
        assert in_text, f"{row.figure_id}: year {row.year_start} is neither in the quote nor the period"


def test_every_event_year_is_in_its_quote_or_its_derivation_is_explained():
    events = load("events")
    year_not_quoted = pd.Series(
        [str(y) not in q for y, q in zip(events["year"], events["quote"])], index=events.index
    )
    unexplained = events[year_not_quoted & events["year_derivation"].isna()]
    assert unexplained.empty, f"years neither quoted nor explained: {unexplained['event_id'].tolist()}"
    for row in events.dropna(subset=["year_derivation"]).itertuples():
        assert str(row.year) in row.year_derivation, f"{row.event_id}: the derivation does not arrive at {row.year}"


def test_event_dates_match_year_precision_and_wording():
    events = load("events")
    date_length = {"day": 10, "month": 7, "season": 4, "year": 4, "years": 4}
    for row in events.itertuples():
        assert row.date.startswith(str(row.year)), row.event_id
        assert len(row.date) == date_length[row.date_precision], f"{row.event_id}: {row.date} vs {row.date_precision}"
        assert row.date_as_written in row.quote, f"{row.event_id}: {row.date_as_written!r} not in quote"
        if len(row.date) == 10:
            pd.Timestamp(row.date)  # a real calendar day


def test_events_fall_inside_their_era():
    eras = load("eras").set_index("era_id")
    for row in load("events").itertuples():
        era = eras.loc[row.era]
        end = era.end_year if pd.notna(era.end_year) else 9999
        assert era.start_year <= row.year <= end, f"{row.event_id} ({row.year}) is outside era {row.era}"


def test_the_timeline_spans_aigun_to_the_2025_summits():
    events = load("events")
    assert events["year"].min() == 1858
    text = " ".join(events["event"])
    for landmark in ["Aigun", "Alaska", "Tianjin", "border war", "no limits"]:
        assert landmark.lower() in text.lower(), landmark


def test_disagreements_pair_different_articles_and_dates():
    events = load("events").dropna(subset=["disagreement"])
    assert "split_date" in set(events["disagreement"])
    for key, group in events.groupby("disagreement"):
        assert len(group) >= 2, f"disagreement {key} has one side only"
        assert group["source_id"].nunique() >= 2, f"disagreement {key} is within one article"
        assert group["year"].nunique() >= 2, f"disagreement {key} rows give the same year"
        assert group["disagreement_note"].notna().all(), key


def test_the_required_claims_are_present():
    claims = " ".join(load("claims")["quote"]).lower()
    for phrase in ["deep trust", "stronger than ever", "no limits", "more symbolic than strategic", "junior partner"]:
        assert phrase in claims, phrase


def test_every_claim_with_numbers_points_to_evidence():
    claims = load("claims")
    checkable = claims[claims["claim_kind"] == "factual assertion"]
    no_evidence = checkable[checkable["evidence_figures"].isna() & checkable["evidence_series"].isna()]
    assert no_evidence.empty, no_evidence["claim_id"].tolist()


_DIGIT_RUN = re.compile(r"\d+(?:[.,]\d+)*")


def test_no_number_in_any_article_is_missed(seed_texts, seed_file_of):
    """Every number written in digits in a seed is a figure, an event date, a
    figure's year, or an exclusion with a reason."""
    accounted: dict[str, list[tuple[str, str]]] = {src: [] for src in seed_file_of}
    for row in load("figures").itertuples():
        accounted[row.source_id].append((row.value_as_written, row.quote))
        for year in (row.year_start, row.year_end):
            if pd.notna(year):
                accounted[row.source_id].append((str(year), row.quote))
    for row in load("events").itertuples():
        accounted[row.source_id].append((row.date_as_written, row.quote))
    for row in load("extraction_exclusions").itertuples():
        accounted[row.source_id].append((row.text_as_written, row.context))

    missed = []
    for source_id, seed_file in seed_file_of.items():
        text = seed_texts[seed_file]
        covered = bytearray(len(text))
        for raw_words, raw_context in accounted[source_id]:
            words, context = normalise(raw_words), normalise(raw_context)
            for found in re.finditer(re.escape(context), text):
                for part in re.finditer(re.escape(words), context):
                    start = found.start() + part.start()
                    covered[start : start + len(words)] = b"\x01" * len(words)
        for number in _DIGIT_RUN.finditer(text):
            if not all(covered[number.start() : number.end()]):
                context = text[max(0, number.start() - 50) : number.end() + 30]
                missed.append(f"{source_id}: {number.group()!r} in ...{context}...")
    assert not missed, "numbers not extracted nor excluded:\n" + "\n".join(missed)


def _passage_line(row, seed_lines, seed_file_of) -> str:
    lines = seed_lines[seed_file_of[row.source_id]]
    return lines[row.line - 1] if 1 <= row.line <= len(lines) else ""


def test_every_passage_occurs_verbatim_at_its_line(seed_lines, seed_file_of):
    """A passage is the article's own words, on the line (paragraph) of the seed file its row names."""
    passages = load("passages")
    wrong = [f"{row.passage_id}: not on line {row.line} of {seed_file_of[row.source_id]}: {row.passage[:60]!r}"
             for row in passages.itertuples()
             if normalise(row.passage) not in _passage_line(row, seed_lines, seed_file_of)]
    assert not wrong, "passages not found verbatim where they say:\n" + "\n".join(wrong)


def test_every_passage_is_short_and_cuts_no_row_of_its_table(seed_lines, seed_file_of):
    """A student reads a paragraph-sized passage and finds whole rows: every quote of the passage's table
    that overlaps the passage lies inside it, so no figure, event or claim is half in the text."""
    for row in load("passages").itertuples():
        assert 40 <= len(row.passage.split()) <= 170, f"{row.passage_id} has {len(row.passage.split())} words"
        assert len(expected_rows(row.passage_id)) >= 2, f"{row.passage_id} holds fewer than two rows of {row.table}"
        line = _passage_line(row, seed_lines, seed_file_of)
        start = line.index(normalise(row.passage))
        end = start + len(normalise(row.passage))
        table = load(row.table)
        for quote in table.loc[table["source_id"] == row.source_id, "quote"].map(normalise):
            at = line.find(quote)
            if at >= 0 and at < end and at + len(quote) > start:
                assert start <= at and at + len(quote) <= end, f"{row.passage_id} cuts the quote {quote[:60]!r}"
