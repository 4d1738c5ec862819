"""Citations print what the articles say, and mark what the course worked out (issue 12)."""

from __future__ import annotations

from russia_china.citations import DATE_INFERRED, OUTLET_INFERRED, cite, source_line
from russia_china.data import load


def test_inferred_outlets_and_dates_are_marked_wherever_a_citation_prints_them():
    sources = load("sources").set_index("source_id")
    articles = sources[sources["record_kind"] == "article"]
    inferred_outlets = sorted(i for i, row in articles.iterrows() if row["outlet_basis"].startswith("inferred"))
    inferred_dates = sorted(i for i, row in articles.iterrows() if row["date_basis"] == "inferred")
    assert inferred_outlets == ["bobby2025", "brooker2015", "kuhrt2024"]
    assert inferred_dates == ["brooker2015", "gill2025", "kuhrt2024"]
    for source_id in articles.index:
        text = cite(source_id)
        assert (OUTLET_INFERRED in text) == (source_id in inferred_outlets), text
        assert (DATE_INFERRED in text) == (source_id in inferred_dates), text
    assert "4 December 2025 [date inferred]" in source_line(["gill2025"])


def test_a_date_the_article_does_not_print_in_full_is_never_called_stated():
    articles = load("sources").query("record_kind == 'article'")
    for row in articles.itertuples():
        worked_out = any(words in row.date_note for words in ("inferred", "no date"))
        assert (row.date_basis == "inferred") == worked_out, row.source_id


def test_words_the_source_notes_quote_are_on_the_page(seed_texts):
    """form_note and date_note put the page's own words in curly double quotes; each must be in the seed."""
    import re

    from russia_china.data.quotes import normalise

    articles = load("sources").query("record_kind == 'article'")
    checked = 0
    for row in articles.itertuples():
        seed = seed_texts[row.seed_file]
        for note in (row.form_note, row.date_note):
            for words in re.findall(r"“([^”]+)”", note):
                assert normalise(words) in seed, f"{row.source_id}: “{words}” is not in {row.seed_file}"
                checked += 1
    assert checked >= 15


def test_each_article_says_what_its_form_tells_about_who_is_speaking():
    notes = load("sources").query("record_kind == 'article'").set_index("source_id")["form_note"]
    assert "forum" in notes["bobby2025"] and "differs" in notes["bobby2025"]
    assert "interview" in notes["kuhrt2024"] and "editor" in notes["kuhrt2024"]
    assert "Judgment and Prediction" in notes["chan2022"]
    assert "third year" in notes["gill2025"] and "24 February 2025" in notes["gill2025"]
    providers = load("sources").query("record_kind == 'provider'")
    assert providers["form_note"].isna().all()
