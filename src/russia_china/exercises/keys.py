"""Answer keys as salted hashes of normalised answers.

Student-side files must not contain expected answers in plain text, so the key
stores, per exercise, hashes of the *normalised* correct answer (and of known
wrong answers, each with a hint). Normalising makes equal answers hash equal:
numbers are snapped to the exercise's tolerance grid, text is case- and
space-folded, DataFrames are reduced to the columns that matter, sorted and
rounded.
"""

from __future__ import annotations

import hashlib
import math

import pandas as pd

from .plain import ChartAnswer, WidgetAnswer

#: Fixed so that `make exercises` is reproducible; the salt defeats lookup
#: tables, not a determined brute force (answers are small numbers).
COURSE_SALT = "russia-china-course/v1"


def salt_for(exercise_id: str) -> str:
    return f"{COURSE_SALT}/{exercise_id}"


def digest(exercise_id: str, normalised: str) -> str:
    return hashlib.sha256(f"{salt_for(exercise_id)}|{normalised}".encode()).hexdigest()


class NotComparable(ValueError):
    """The answer is of a kind this exercise cannot compare (e.g. text for a number)."""


def normalise_number(value: object, tolerance: float) -> list[str]:
    """The grid cells a number may fall in: its own and both neighbours, so an
    answer within the tolerance never misses because of where rounding cuts."""
    if type(value) is not int and type(value) is not float:
        raise NotComparable(f"expected a number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise NotComparable("the number is not finite (NaN or infinity)")
    cell = round(number / tolerance)
    return [f"n:{cell + offset}@{tolerance!r}" for offset in (-1, 0, 1)]


def key_number(value: float, tolerance: float) -> str:
    """The single grid cell stored in the key for a correct number."""
    return f"n:{round(float(value) / tolerance)}@{float(tolerance)!r}"


def normalise_text(value: object) -> str:
    if type(value) is not str:
        raise NotComparable(f"expected text, got {type(value).__name__}")
    return "t:" + " ".join(value.casefold().split())


def normalise_frame(value: object, columns: list[str], decimals: int) -> str:
    """A canonical table (see checking.canonical) reduced to the columns that matter,
    rows sorted, numbers rounded."""
    if type(value) is not pd.DataFrame:
        raise NotComparable(f"expected a table, got {type(value).__name__}")
    frame = value[columns].copy()
    for column in columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].astype(float).round(decimals)
        else:
            frame[column] = frame[column].astype(str).str.strip()
    frame = frame.sort_values(columns, ignore_index=True)
    return "f:" + frame.to_csv(index=False, float_format=f"%.{decimals}f")


def normalise_chart(value: object) -> str:
    """A chart reduced to what it plots: bar heights, or line values, or where its
    markers sit along x (a strip's jitter is along y, so y is left out), rounded."""
    if type(value) is not ChartAnswer:
        raise NotComparable(f"expected a chart, got {type(value).__name__}")
    if not value.alt_text:
        raise NotComparable("the chart has no title, source line or text alternative yet: call charts.label_chart(...)")
    bars = sorted(round(h) for h in value.bars if h is not None and math.isfinite(h) and h > 0)
    if bars:
        return "c:bars:" + ",".join(map(str, bars))
    lines = sorted(round(float("nan") if y is None else float(y), 1) for line in value.lines for y in line)
    points = sorted(round(x, 1) for x, _ in value.points if x is not None and math.isfinite(x))
    if points and not lines:
        return "c:points:" + ",".join(map(str, points))
    return "c:lines:" + ",".join(map(str, lines))


def normalise_widget(value: object) -> str:
    """A widget chart reduced to what it currently shows: title, units and control values."""
    if type(value) is not WidgetAnswer:
        raise NotComparable(f"expected a widget chart, got {type(value).__name__}")
    if value.message or not value.title:
        raise NotComparable(f"the widget shows a message instead of a chart: {value.message}")
    controls = "|".join(f"{name}={value.values[name]!r}" for name in sorted(value.values))
    return f"w:{value.title}|{value.units}|{controls}"
