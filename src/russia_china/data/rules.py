"""Rules a manifest states beyond each cell's type, checked on the typed table.

- `min_rows`: the file holds at least this many data rows (a header alone is
  not a data file).
- Numbers are finite: `1e400` or `inf` reads as infinity, never as a value
  (`finite: false` on a column allows it).
- `range_by`: the range of a number depends on another column, e.g. a share in
  "%" lies between 0 and 100 while a growth rate in "% change" may be negative.
- `calendar: true`: a date written YYYY, YYYY-MM or YYYY-MM-DD is a real one
  (no month 13, no 30 February).
- `consistent`: rules between columns; `year_of_date` says that a date column
  and a year column of the same row name the same year.

Each problem names the row, its line in the file and the column.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from .errors import Problem
from .manifest import Manifest


def rule_problems(frame: pd.DataFrame, manifest: Manifest, row_start_lines: list[int]) -> list[Problem]:
    def at(index: int, message: str, column: str) -> Problem:
        row = index + 1
        return Problem(message, row=row, line=row_start_lines[index] if index < len(row_start_lines) else None,
                       column=column)

    problems: list[Problem] = []
    minimum = manifest.content["min_rows"]
    if len(frame) < minimum:
        problems.append(Problem(f"has {len(frame)} data row(s); the manifest expects at least {minimum}", line=2))
    for spec in manifest.columns:
        name, values = spec["name"], frame[spec["name"]]
        if spec["type"] in ("float", "int") and spec.get("finite", True):
            problems += [at(i, f"{v!r} is not a finite number", name)
                         for i, v in enumerate(values) if isinstance(v, float) and math.isinf(v)]
        if "range_by" in spec:
            problems += _range_problems(frame, spec, at)
        if spec.get("calendar"):
            problems += [at(i, f"{v!r} is not a real calendar date", name)
                         for i, v in enumerate(values) if not pd.isna(v) and not _is_calendar_date(str(v))]
    for rule in manifest.content.get("consistent", []):
        if rule["rule"] == "year_of_date":
            dates, years = frame[rule["date"]], frame[rule["year"]]
            problems += [at(i, f"the date {d!r} is not in the year {y} that column '{rule['year']}' gives",
                            rule["date"])
                         for i, (d, y) in enumerate(zip(dates, years))
                         if not pd.isna(d) and not pd.isna(y) and str(d)[:4] != str(int(y))]
    return problems


def _range_problems(frame: pd.DataFrame, spec: dict, at) -> list[Problem]:
    name, by = spec["name"], spec["range_by"]["column"]
    problems = []
    for index, (value, key) in enumerate(zip(frame[name], frame[by])):
        bounds = spec["range_by"]["ranges"].get(str(key))
        if bounds is None or pd.isna(value):
            continue
        if "min" in bounds and value < bounds["min"]:
            problems.append(at(index, f"{value!r} is below {bounds['min']}, the least a value in {key!r} may be",
                               name))
        if "max" in bounds and value > bounds["max"]:
            problems.append(at(index, f"{value!r} is above {bounds['max']}, the most a value in {key!r} may be",
                               name))
    return problems


def _is_calendar_date(text: str) -> bool:
    parts = text.split("-")
    if not 1 <= len(parts) <= 3:
        return False
    try:
        dt.date(*(int(part) for part in parts), *[1] * (3 - len(parts)))
    except ValueError:
        return False
    return True
