"""The passages students extract rows from, and the rows each passage holds.

A passage's expected rows are derived, never listed: the rows of its table
(figures, events, claims or forecasts) from the same article whose quote lies inside the
passage. Adding a row to a table whose quote falls in a passage changes what
the exercise expects, and `make exercises` rebuilds the key from it.
"""

from __future__ import annotations

import re

import pandas as pd

from .loading import load
from .quotes import normalise

#: The key column of each table a passage can be extracted into.
ID_COLUMNS = {"figures": "figure_id", "events": "event_id", "claims": "claim_id", "forecasts": "forecast_id"}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(A-Z])")


def passage(passage_id: str) -> pd.Series:
    """One row of passages.csv."""
    passages = load("passages").set_index("passage_id")
    if passage_id not in passages.index:
        raise KeyError(f"unknown passage_id {passage_id!r}; known: {', '.join(passages.index)}")
    row = passages.loc[passage_id]
    # passage_id is the primary key, so .loc finds one row, never a frame.
    assert isinstance(row, pd.Series)
    return row


def sentence_starts(text: str) -> list[int]:
    """Where each sentence of a passage starts (after whitespace and quotes are normalised)."""
    text = normalise(text)
    return [0] + [m.end() for m in _SENTENCE_END.finditer(text)]


def expected_rows(passage_id: str) -> pd.DataFrame:
    """The rows of the passage's table whose quote lies inside it, in the order
    they appear, with `sentence` (1 for the first sentence) saying where."""
    row = passage(passage_id)
    table = load(row["table"])
    text = normalise(row["passage"])
    same_source = table[table["source_id"] == row["source_id"]]
    found = [(text.index(normalise(quote)), i) for i, quote in same_source["quote"].items() if normalise(quote) in text]
    starts = sentence_starts(text)
    picked = same_source.loc[[i for _, i in sorted(found)]].copy()
    picked["sentence"] = [sum(s <= at for s in starts) for at, _ in sorted(found)]
    return picked.reset_index(drop=True)
