"""Answers cross the trust boundary as plain data only, validated on arrival."""

from __future__ import annotations

import contextlib
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from russia_china.exercises import plain


class Liar(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class LyingFrame(pd.DataFrame):
    def __eq__(self, other):
        return True

    # Unhashable like any DataFrame (defining __eq__ alone would do the same).
    __hash__ = None


@pytest.mark.parametrize(("answer", "what"), [
    (Liar(1.0), "Liar"), (LyingFrame({"a": [1]}), "LyingFrame"), (object(), "object"), ({"a": 1}, "dict"),
    (b"bytes", "bytes"), (1 + 2j, "complex"), ([object()], "list"),
])
def test_anything_but_plain_data_is_unsupported_by_name(answer, what):
    rebuilt = plain.round_trip(answer)
    assert isinstance(rebuilt, plain.Unsupported) and rebuilt.what == what


def test_plain_values_come_back_as_exact_builtin_types():
    assert type(plain.round_trip(np.float64(1.5))) is float
    assert type(plain.round_trip(np.int64(3))) is int
    assert plain.round_trip(True) is True
    assert plain.round_trip(...) is ... and plain.round_trip(None) is ...
    table = pd.DataFrame({"k": ["a", "b"], "v": [1.5, 2.5]}).set_index("k")
    rebuilt = plain.round_trip(table)
    assert type(rebuilt) is pd.DataFrame and rebuilt.index.name == "k" and rebuilt["v"].tolist() == [1.5, 2.5]
    series = plain.round_trip(pd.Series([7.0], name="x"))
    assert type(series) is pd.Series and series.tolist() == [7.0]


@pytest.mark.parametrize("data", [
    None, [], {"type": "number"}, {"type": "number", "value": "1"}, {"type": "number", "value": True},
    {"type": "number", "value": 1, "points": 9}, {"type": "text", "value": 5}, {"type": "eval", "value": "x"},
    {"type": "table", "series": False, "columns": ["a"], "rows": [[1, 2]], "index_names": [None], "index": [[0]]},
    {"type": "table", "series": False, "columns": ["a"], "rows": [[{"x": 1}]], "index_names": [None], "index": [[0]]},
    {"type": "table", "series": 1, "columns": ["a"], "rows": [[1]], "index_names": [None], "index": [[0]]},
    {"type": "chart", "title": "t", "xlabel": "", "ylabel": "", "source_text": "s", "alt_text": "a", "bars": ["1"],
     "lines": [], "points": []},
    {"type": "chart", "title": "t", "xlabel": "", "ylabel": "", "source_text": "s", "alt_text": "a", "bars": [],
     "lines": [], "points": [[1.0, 2.0, 3.0]]},
    {"type": "chart", "title": "t", "xlabel": "", "ylabel": "", "source_text": "s", "alt_text": "a", "bars": [],
     "lines": []},
    {"type": "widget", "values": {"a": {"b": 1}}, "title": "", "units": "", "alt_text": "", "message": ""},
    {"type": "array", "shape": [3], "values": [1, 2]},
    {"type": "text", "value": "x" * (plain.MAX_TEXT + 1)},
])
def test_malformed_plain_data_is_refused(data):
    with pytest.raises(plain.Invalid):
        plain.from_plain(data)


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20))
def test_from_plain_raises_only_invalid_on_any_json(data):
    with contextlib.suppress(plain.Invalid):
        plain.from_plain(json.loads(json.dumps(data)))


def test_huge_answers_are_described_as_too_large_not_sent():
    big = pd.DataFrame({"a": range(plain.MAX_CELLS + 1)})
    assert plain.to_plain(big)["type"] == "unsupported"
    assert plain.to_plain("x" * (plain.MAX_TEXT + 1))["type"] == "unsupported"


def test_a_strip_chart_crosses_as_its_markers_and_is_compared_on_where_they_sit():
    import matplotlib.pyplot as plt

    from russia_china.exercises import keys

    fig, ax = plt.subplots()
    ax.scatter([2003, 2005, 2005], [0, 1, 0.1])
    ax.set_title("t (one marker per row)", loc="left")
    fig.alt_text = "three markers"
    answer = plain.from_plain(json.loads(plain.dumps(plain.to_plain(fig))))
    assert answer.points == ((2003.0, 0.0), (2005.0, 1.0), (2005.0, 0.1))
    assert keys.normalise_chart(answer) == "c:points:2003.0,2005.0,2005.0"
    jittered = plain.ChartAnswer(**{**answer.__dict__, "points": ((2005.0, 0.3), (2003.0, 0.2), (2005.0, 0.0))})
    assert keys.normalise_chart(jittered) == keys.normalise_chart(answer), "jitter along y changes nothing"
