"""Answers as plain data: the only form in which an answer leaves a student's kernel.

`to_plain` runs on the student's side and describes an answer with built-in
types only: a number, text, a table as column names and cell values, a chart
or widget as the properties its checks need. `from_plain` runs on the judge's
side and trusts nothing: it checks the exact type (``type(x) is float``, never
``isinstance`` or a dunder call) and the size of every field, and rebuilds
the answer as a number, text, a pandas table, an array, a `ChartAnswer` or a
`WidgetAnswer`. Anything else becomes `Unsupported`, which scores 0 with a
reason such as "the answer is a Liar, not a number".

check() sends every answer through both, so a student's instant feedback and
the grade judge the same form of the same answer.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

MAX_CELLS = 500_000
MAX_TEXT = 200_000
MAX_COLUMNS = 1_000
MAX_POINTS = 200_000
MAX_CONTROLS = 50
#: Largest answer, as JSON text, that crosses the boundary.
MAX_BYTES = 16 * 2**20

CELL_TYPES = (type(None), bool, int, float, str)


class Invalid(ValueError):
    """Plain data that does not have the shape this module writes."""


@dataclass(frozen=True)
class Unsupported:
    """An answer of a type the exercises cannot judge; `what` is its class name."""

    what: str
    why: str = ""

    def describe(self) -> str:
        return f"a {self.what}" + (f" ({self.why})" if self.why else "")


@dataclass(frozen=True)
class ChartAnswer:
    """A chart as its checks see it: the first axes' left title (with units),
    axis labels, source line, text alternative, the heights of its bars, the
    y values of each line and the (x, y) of each marker of a scatter or strip."""

    title: str
    xlabel: str
    ylabel: str
    source_text: str
    alt_text: str
    bars: tuple[float, ...]
    lines: tuple[tuple[float | None, ...], ...]
    points: tuple[tuple[float | None, float | None], ...] = ()


@dataclass(frozen=True)
class WidgetAnswer:
    """A widget chart as its checks see it: its control values and what it shows."""

    values: dict[str, Any]
    title: str
    units: str
    alt_text: str
    message: str


# -- the student's side ---------------------------------------------------------------


def to_plain(answer: object) -> dict[str, Any]:
    """Describe an answer with built-in types only. Never raises."""
    try:
        return _describe(answer)
    except Exception as problem:  # a student's object may raise anything, anywhere
        return {"type": "unsupported", "what": _class_name(answer), "why": f"it raised {type(problem).__name__}"}


def _class_name(value: object) -> str:
    return _identifier(type(value).__name__)


def _identifier(name: object) -> str:
    """Class names cross the boundary too: letters, digits, spaces, "_" and "." only."""
    return re.sub(r"[^\w. ]", "", str(name))[:80] or "object"


def _describe(answer: object) -> dict[str, Any]:
    kind = type(answer)
    if answer is ... or answer is None:
        return {"type": "missing"}
    if kind is bool or kind is np.bool_:
        return {"type": "bool", "value": bool(answer)}
    if type(answer) is int or type(answer) is float:
        return {"type": "number", "value": answer}
    if kind in _NUMPY_NUMBERS and isinstance(answer, np.number):
        return {"type": "number", "value": answer.item()}
    if type(answer) is str:
        if len(answer) > MAX_TEXT:
            return {"type": "unsupported", "what": "str", "why": f"{len(answer):,} characters; at most {MAX_TEXT:,}"}
        return {"type": "text", "value": answer}
    if kind is pd.DataFrame or kind is pd.Series:
        return _describe_table(answer)
    if type(answer) is np.ndarray:
        if answer.size > MAX_CELLS:
            return {"type": "unsupported", "what": "ndarray", "why": f"{answer.size:,} values"}
        return {"type": "array", "shape": [int(n) for n in answer.shape],
                "values": [_cell(v) for v in answer.ravel().tolist()]}
    if type(answer) is ChartAnswer or type(answer) is WidgetAnswer:  # already a description, e.g. from `answers`
        return {"type": "chart" if kind is ChartAnswer else "widget", **_fields(answer)}
    if type(answer) is list or type(answer) is tuple:
        if len(answer) > MAX_CELLS or not all(type(v) in CELL_TYPES or type(v) in _NUMPY_NUMBERS for v in answer):
            return {"type": "unsupported", "what": kind.__name__, "why": "a list is an answer only as plain values"}
        return {"type": "list", "values": [_cell(v) for v in answer]}
    described = _describe_chart(answer)
    return described if described is not None else {"type": "unsupported", "what": _class_name(answer), "why": ""}


def _fields(answer: ChartAnswer | WidgetAnswer) -> dict[str, Any]:
    fields = asdict(answer)
    if "values" in fields:
        fields["values"] = {k: list(v) if type(v) is tuple else v for k, v in fields["values"].items()}
    else:
        fields["bars"], fields["lines"] = list(fields["bars"]), [list(line) for line in fields["lines"]]
        fields["points"] = [list(point) for point in fields["points"]]
    return fields


_NUMPY_NUMBERS = (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
                  np.float16, np.float32, np.float64)


def _cell(value: object) -> object:
    """One table cell or control value as None, bool, int, float or str."""
    kind = type(value)
    if kind in CELL_TYPES:
        return value[:MAX_TEXT] if type(value) is str else value
    if kind.__module__ == "numpy" and hasattr(value, "item"):  # NumPy's scalars, np.bool_ among them
        return _cell(value.item())
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)[:MAX_TEXT]


def _label(name: object) -> str:
    if type(name) is tuple:
        return " ".join(str(part) for part in name if str(part))
    return str(name)


def _describe_table(table: Any) -> dict[str, Any]:
    series = type(table).__name__ == "Series"
    frame = table.to_frame() if series else table
    cells = frame.shape[0] * max(frame.shape[1], 1)
    if cells > MAX_CELLS or frame.shape[1] > MAX_COLUMNS:
        return {"type": "unsupported", "what": type(table).__name__,
                "why": f"a table of {frame.shape[0]:,} rows and {frame.shape[1]:,} columns: far larger than the answer"}
    index = [list(key) if type(key) is tuple else [key] for key in frame.index.tolist()]
    return {
        "type": "table", "series": series, "columns": [_label(c) for c in frame.columns],
        "rows": [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)],
        "index_names": [None if n is None else _label(n) for n in frame.index.names],
        "index": [[_cell(v) for v in key] for key in index],
    }


def _describe_chart(answer: object) -> dict[str, Any] | None:
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from ..widgets import ChartWidget

    if isinstance(answer, Figure):
        axes = answer.axes[0] if answer.axes else None
        return {
            "type": "chart",
            "title": str(axes.get_title(loc="left")) if axes else "",
            "xlabel": str(axes.get_xlabel()) if axes else "", "ylabel": str(axes.get_ylabel()) if axes else "",
            "source_text": str(getattr(answer, "source_text", "") or ""),
            "alt_text": str(getattr(answer, "alt_text", "") or ""),
            "bars": [_number(p.get_height()) for p in (axes.patches if axes else []) if isinstance(p, Rectangle)],
            # matplotlib types get_ydata() as any ArrayLike; a Line2D's y data is always a 1-D sequence.
            "lines": [[_number(y) for y in cast("Iterable[object]", line.get_ydata())]
                      for line in (axes.get_lines() if axes else [])],
            "points": _scatter_points(axes),
        }
    if isinstance(answer, ChartWidget):
        text = answer.text
        values = {str(name): ([_cell(v) for v in value] if type(value) is list or type(value) is tuple
                              else _cell(value))
                  for name, value in answer.values.items()}
        return {"type": "widget", "values": values, "title": str(text.title) if text else "",
                "units": str(text.units) if text else "", "alt_text": str(text.alt_text) if text else "",
                "message": str(answer.message or "")}
    return None


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def dumps(plain: dict[str, Any]) -> str:
    return json.dumps(plain, ensure_ascii=False, allow_nan=True)


# -- the judge's side -----------------------------------------------------------------


def from_plain(data: object) -> object:
    """Rebuild an answer from plain data, trusting nothing. Raises `Invalid`."""
    if type(data) is not dict or type(data.get("type")) is not str:
        raise Invalid("an answer must be an object with a 'type'")
    kind = data["type"]
    reader = _READERS.get(kind)
    if reader is None:
        raise Invalid(f"unknown answer type {kind[:40]!r}")
    fields, build = reader
    if set(data) != {"type", *fields}:
        raise Invalid(f"a {kind} answer has the fields {sorted(fields)}, not {sorted(set(data) - {'type'})[:10]}")
    return build(data)


def _exact(value: object, *types: type, what: str) -> Any:
    if type(value) not in types:
        raise Invalid(f"{what} must be {' or '.join(t.__name__ for t in types)}, not {type(value).__name__}")
    return value


def _text(value: object, what: str, limit: int = MAX_TEXT) -> str:
    text: str = _exact(value, str, what=what)
    if len(text) > limit:
        raise Invalid(f"{what} is longer than {limit:,} characters")
    return text


def _cells(values: object, what: str, limit: int = MAX_CELLS) -> list:
    cells: list = _exact(values, list, what=what)
    if len(cells) > limit:
        raise Invalid(f"{what} has more than {limit:,} values")
    for value in cells:
        _exact(value, *CELL_TYPES, what=f"a value in {what}")
        if type(value) is str and len(value) > MAX_TEXT:
            raise Invalid(f"a value in {what} is too long")
    return cells


def _read_number(data: dict) -> int | float:
    return _exact(data["value"], int, float, what="a number")


def _read_table(data: dict) -> Any:
    columns = _cells(data["columns"], "the column names", MAX_COLUMNS)
    if not all(type(c) is str for c in columns):
        raise Invalid("column names must be text")
    rows = _exact(data["rows"], list, what="the rows")
    index = _exact(data["index"], list, what="the index")
    names = _cells(data["index_names"], "the index names", 16)
    if not names or not all(n is None or type(n) is str for n in names):
        raise Invalid("index names must be text or null")
    if len(rows) != len(index) or len(rows) * max(len(columns), 1) > MAX_CELLS:
        raise Invalid("the rows and the index must be as long as each other, and not huge")
    for row in rows:
        if len(_cells(row, "a row")) != len(columns):
            raise Invalid("every row needs one value per column")
    for key in index:
        if len(_cells(key, "an index entry")) != len(names):
            raise Invalid("every index entry needs one value per index level")
    frame = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame({c: [] for c in columns})
    if len(names) > 1:
        frame.index = pd.MultiIndex.from_tuples([tuple(k) for k in index], names=names)
    elif not (names == [None] and [k[0] for k in index] == list(range(len(index)))):
        frame.index = pd.Index([k[0] for k in index], name=names[0])
    series = _exact(data["series"], bool, what="'series'")
    if series:
        if len(columns) != 1:
            raise Invalid("a Series has exactly one column")
        return frame.iloc[:, 0]
    return frame


def _read_array(data: dict) -> Any:
    shape = _cells(data["shape"], "the shape", 32)
    values = _cells(data["values"], "the array")
    if not all(type(n) is int and n >= 0 for n in shape) or math.prod(shape) != len(values):
        raise Invalid("the shape does not fit the values")
    return np.array(values, dtype=object if any(type(v) is str or v is None for v in values) else None).reshape(shape)


def _scatter_points(axes) -> list[list]:
    """The (x, y) of every marker the axes' scatter and strip plots draw, up to MAX_POINTS."""
    from matplotlib.collections import PathCollection

    points: list[list] = []
    for collection in (axes.collections if axes else []):
        if isinstance(collection, PathCollection):
            for x, y in np.asarray(collection.get_offsets(), dtype=float).reshape(-1, 2)[:MAX_POINTS - len(points)]:
                points.append([_number(x), _number(y)])
    return points


def _floats(values: object, what: str) -> tuple:
    values = _cells(values, what, MAX_POINTS)
    if not all(v is None or type(v) in (int, float) for v in values):
        raise Invalid(f"{what} must be numbers")
    return tuple(values)


def _read_chart(data: dict) -> ChartAnswer:
    lines = _exact(data["lines"], list, what="the lines")
    if len(lines) > 1_000:
        raise Invalid("too many lines")
    return ChartAnswer(title=_text(data["title"], "the title", 2_000),
                       xlabel=_text(data["xlabel"], "the x label", 2_000),
                       ylabel=_text(data["ylabel"], "the y label", 2_000),
                       source_text=_text(data["source_text"], "the source line", 10_000),
                       alt_text=_text(data["alt_text"], "the text alternative", 20_000),
                       bars=tuple(v for v in _floats(data["bars"], "the bars")),
                       lines=tuple(_floats(line, "a line") for line in lines),
                       points=_read_points(data["points"]))


def _read_points(data: object) -> tuple:
    points = _exact(data, list, what="the points")
    if len(points) > MAX_POINTS:
        raise Invalid("too many points")
    read = tuple(_floats(point, "a point") for point in points)
    if any(len(point) != 2 for point in read):
        raise Invalid("a point must be an (x, y) pair")
    return read


def _read_widget(data: dict) -> WidgetAnswer:
    values = _exact(data["values"], dict, what="the control values")
    if len(values) > MAX_CONTROLS:
        raise Invalid("too many controls")
    controls: dict[str, Any] = {}
    for name, value in values.items():
        _text(name, "a control name", 100)
        # JSON has no tuples: a range or multiple selection comes back as one, as the control holds it.
        controls[name] = tuple(_cells(value, "a control value", 1_000)) if type(value) is list else (
            _exact(value, *CELL_TYPES, what="a control value"))
    return WidgetAnswer(values=controls, title=_text(data["title"], "the title", 2_000),
                        units=_text(data["units"], "the units", 500),
                        alt_text=_text(data["alt_text"], "the text alternative", 20_000),
                        message=_text(data["message"], "the message", 2_000))


_READERS: dict[str, tuple[tuple[str, ...], Any]] = {
    "missing": ((), lambda _: ...),
    "bool": (("value",), lambda d: _exact(d["value"], bool, what="a bool")),
    "number": (("value",), _read_number),
    "text": (("value",), lambda d: _text(d["value"], "the text")),
    "list": (("values",), lambda d: list(_cells(d["values"], "the list"))),
    "array": (("shape", "values"), _read_array),
    "table": (("series", "columns", "rows", "index_names", "index"), _read_table),
    "chart": (("title", "xlabel", "ylabel", "source_text", "alt_text", "bars", "lines", "points"), _read_chart),
    "widget": (("values", "title", "units", "alt_text", "message"), _read_widget),
    "unsupported": (("what", "why"), lambda d: Unsupported(_identifier(_text(d["what"], "the class", 200)),
                                                            _text(d["why"], "the reason", 300))),
}


def round_trip(answer: object) -> object:
    """What the judge will see of an answer: described, sent as JSON, rebuilt."""
    return from_plain(json.loads(dumps(to_plain(answer))))
