"""Citations a reader can follow: title, author, outlet and date, built from
data/sources.csv so every lesson cites a source the same way."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from .data import load

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


def readable_date(published: Any) -> str:
    """'2025-03-18' -> '18 March 2025'; '2024-04' -> 'April 2024'; '2022' -> '2022'."""
    if pd.isna(published) or not str(published):
        return "undated"
    parts = str(published).split("-")
    if len(parts) == 1:
        return parts[0]
    month = _MONTHS[int(parts[1]) - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


OUTLET_INFERRED, DATE_INFERRED = "[outlet inferred]", "[date inferred]"


def outlet_and_date(row: pd.Series) -> tuple[str, str]:
    """An article's outlet and date as a citation prints them: what the course worked out
    rather than read in the article is marked as inferred."""
    outlet = str(row["outlet"]) + (f" {OUTLET_INFERRED}" if str(row["outlet_basis"]).startswith("inferred") else "")
    date = readable_date(row["published"]) + (f" {DATE_INFERRED}" if row["date_basis"] == "inferred" else "")
    return outlet, date


def _source(source_id: str) -> pd.Series:
    """A source's row of data/sources.csv, or a KeyError naming the known ids."""
    sources = load("sources").set_index("source_id")
    if source_id not in sources.index:
        raise KeyError(f"unknown source_id {source_id!r}; known: {', '.join(sources.index)}")
    row = sources.loc[source_id]
    # source_id is the primary key, so .loc finds one row, never a frame.
    assert isinstance(row, pd.Series)
    return row


def cite(source_id: str) -> str:
    """Full citation for one source: author, 'title', outlet, date (with what is inferred marked)."""
    row = _source(source_id)
    if row["record_kind"] == "provider":
        return f"{row['author']}, {row['title']}"
    outlet, date = outlet_and_date(row)
    return f"{row['author']}, ‘{row['title']}’, {outlet}, {date}"


def source_line(source_ids: Iterable[str], note: str = "") -> str:
    """The line printed under a chart: 'Source: A; B. Note.'"""
    ids = list(source_ids)
    if not ids:
        raise ValueError("a chart needs at least one source")
    line = "Source: " + "; ".join(cite(i) for i in ids) + "."
    return f"{line} {note}".strip()


def short_source(source_id: str) -> str:
    """A source as a chart's short source line names it: 'Bobby (2025)' for an
    article, the organisation for a data provider."""
    row = _source(source_id)
    return str(row["author"]) if row["record_kind"] == "provider" else short_cite(source_id)


def short_cite(source_id: str) -> str:
    """'gill2025' -> 'Gill (2025)': the in-text form of an article's source_id.

    Provider ids ('sipri', 'world_bank') have no year and are returned as they are.
    """
    match = re.fullmatch(r"([a-z_]+?)(\d{4})", source_id)
    if not match:
        return source_id
    return f"{match.group(1).capitalize()} ({match.group(2)})"
