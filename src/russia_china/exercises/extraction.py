"""Extraction exercises: a student's rows from a passage, matched with the course's rows.

The student turns a verbatim passage into rows in the course's own form
(`FORMS`). A row matches a course row on its key fields only, never on
wording: a figure on its value (within the exercise's tolerance), its unit
(normalised: "per cent" is "%", "$1 trillion" is 1000 US$ bn) and its year;
an event on its year; a claim (or a forecast) on a word of the claimant's (or
forecaster's) name and the year it was made. Free-text fields (an event's
description, the claim itself) must be filled in, and are not compared.

The key never holds a course row's fields: each expected row is stored as
salted hashes of its key fields (and of a looser "near" key, for hints), with
its course id and the sentence of the passage it sits in. Matching hashes the
student's fields the same way. Like every key here, the hashes defeat reading,
not a determined brute force over a small space (years, say).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import keys


@dataclass(frozen=True)
class Form:
    """The columns a student's table must have for one course table."""

    columns: tuple[str, ...]
    #: The free-text column that must be filled in but is never compared.
    text: str | None
    noun: str
    example: str


FORMS = {
    "figures": Form(("value", "unit", "year"), None, "figure",
                    'pd.DataFrame({"value": [12.5], "unit": ["%"], "year": [2021]})'),
    "events": Form(("year", "event"), "event", "event",
                   'pd.DataFrame({"year": [1900], "event": ["what happened, in your words"]})'),
    "claims": Form(("claimant", "made_on", "claim"), "claim", "claim",
                   'pd.DataFrame({"claimant": ["who"], "made_on": ["2020-01"], '
                   '"claim": ["the claim, in your words"]})'),
    "forecasts": Form(("forecaster", "made_on", "forecast"), "forecast", "forecast",
                      'pd.DataFrame({"forecaster": ["who"], "made_on": ["2020-01"], '
                      '"forecast": ["the forecast, in your words"]})'),
}
#: The column naming who speaks, in the tables whose rows are matched on a name and a year.
_PERSON = {"claims": "claimant", "forecasts": "forecaster"}

#: An answer far longer than any passage's rows is not an extraction.
MAX_ROWS = 200
_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
_COUNTS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


# -- normalising key fields (the key and the student's rows go through the same code) --------------


def unit_and_scale(unit: object) -> tuple[str, float]:
    """A unit as written -> (the course's unit, the factor that converts a value into it).

    Money is counted in US$ bn: "$ billion", "bn", "billion dollars" are US$ bn,
    a trillion is 1000 of them. "per cent", "percent" and "%" are "%"."""
    if type(unit) is not str:
        return "", 1.0
    text = " ".join(unit.casefold().replace("per cent", "%").replace("percent", "%").split())
    per_month = bool(re.search(r"(per|a|/)\s*month|monthly", text))
    text = re.sub(r"(per|a|/)\s*month|monthly", "", text).strip()
    if "% change" in text or text in ("% growth", "growth %", "change %"):
        return "% change", 1.0
    if "%" in text or text in ("share", "percentage", "pct"):
        return "%", 1.0
    scales = {"trillion": 1000.0, "tn": 1000.0, "billion": 1.0, "bn": 1.0, "million": 0.001, "mn": 0.001}
    words = re.findall(r"[a-z]+", text)
    scale = next((scales[w] for w in words if w in scales), None)
    money = "$" in text or any(w in ("us", "usd", "dollar", "dollars") for w in words)
    if scale is not None and (money or set(words) <= set(scales)):
        return "US$ bn per month" if per_month else "US$ bn", scale
    synonyms = {"count": {"count", "number", "times", "instances", "instance", "vetoes", "veto", "projects"},
                "rank": {"rank", "ranking", "place", "position"}, "days": {"days", "day"},
                "ordinal": {"ordinal", "th", "st", "nd", "rd"}}
    for canonical, names in synonyms.items():
        if words and set(words) <= names:
            return canonical, 1.0
    return " ".join(words) + (" per month" if per_month else ""), 1.0


def _number(value: object) -> float | None:
    """A value cell as a finite number, or None (text such as "about 36" is not a number)."""
    if type(value) is bool:
        return None
    if type(value) is int:
        number = float(value) if abs(value) < 10**300 else math.inf
    elif type(value) is float:
        number = value
    elif type(value) is str:
        try:
            number = float(value.replace(",", "").strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _empty(value: object) -> bool:
    return value is None or (type(value) is float and math.isnan(value)) or (type(value) is str and not value.strip())


def years(value: object) -> list[int | None] | None:
    """The years a year or date cell names: [None] when empty, [2019, 2023] for "2019-2023",
    None when it is not a year at all."""
    if _empty(value):
        return [None]
    if type(value) is int or type(value) is float:
        return [int(value)] if 0 < value < 3000 and float(value).is_integer() else None
    if type(value) is str:
        found: list[int | None] = [int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", value)]
        return found[:2] if found else None
    return None


def claimant_words(value: object) -> list[str]:
    """The words of a claimant's name that identify them ("Vladimir Putin and Xi Jinping" -> putin, xi, ...)."""
    if type(value) is not str:
        return []
    ignore = {"and", "the", "of", "by", "as", "in", "on", "for", "what", "reported", "reporting", "believes",
              "president", "minister", "foreign", "former", "assistant", "affairs", "secretary", "state", "us",
              "china", "chinese", "russia", "russian", "analysts", "decision", "makers", "author", "writer", "guest"}
    return sorted({w for w in re.findall(r"[^\W\d_]+", value.casefold()) if len(w) >= 2 and w not in ignore})


# -- what a row hashes to -----------------------------------------------------------------------------


def row_strings(table: str, row: dict[str, Any], tolerance: float, exact: bool) -> tuple[set[str], set[str]]:
    """(full keys, near keys) of one row as normalised strings.

    ``exact`` is the key's side: one grid cell per number. The student's side
    takes the neighbouring cells too, so a value within the tolerance never
    misses because of where rounding cuts (as in `keys.normalise_number`)."""
    if table == "figures":
        unit, scale = unit_and_scale(row["unit"])
        value = _number(row["value"])
        if value is None or not unit:
            return set(), set()
        value *= scale
        cells = ([round(value / tolerance)] if exact else
                 [round(value / tolerance) + offset for offset in (-1, 0, 1)])
        full = {f"x:figures|{c}@{tolerance!r}|{unit}|{y}" for c in cells for y in row["years"]}
        near = {f"x:figures~{c}@{tolerance!r}|{unit}" for c in cells}
        return full, near
    if table == "events":
        return {f"x:events|{y}" for y in row["years"] if y is not None}, set()
    if table in _PERSON:
        words = claimant_words(row[_PERSON[table]])
        full = {f"x:{table}|{w}|{y}" for w in words for y in row["years"]}
        near = {f"x:{table}~who|{w}" for w in words} | {f"x:{table}~when|{y}" for y in row["years"] if y is not None}
        return full, near
    raise keys.NotComparable(f"unknown table {table!r}")


def key_rows(exercise: str, table: str, expected: list[dict[str, Any]], tolerance: float) -> list[dict[str, Any]]:
    """The key's entries for a passage's expected rows: course id, sentence and salted hashes.

    Each expected row is a dict of its key fields, with ``years`` the years a
    student may give (both ends of a period; [None] when the article gives none),
    ``id`` and ``sentence``."""
    entries = []
    for row in expected:
        full, near = row_strings(table, row, tolerance, exact=True)
        if not full:
            raise ValueError(f"exercise {exercise}: row {row['id']} has no key fields to match on")
        entries.append({"id": row["id"], "sentence": int(row["sentence"]),
                        "hashes": sorted(keys.digest(exercise, s) for s in full),
                        "near": sorted(keys.digest(exercise, s) for s in near)})
    return entries


# -- the student's table -----------------------------------------------------------------------------


def student_rows(value: object, table: str) -> list[dict[str, Any]]:
    """The student's table as one dict per row (key fields plus ``years``). Raises NotComparable."""
    form = FORMS[table]
    if type(value) is not pd.DataFrame:
        raise keys.NotComparable(f"expected a DataFrame with one row per {form.noun}, got {_a(value)}")
    # "Year" or " year " is the column the student meant.
    frame = value.rename(columns=lambda c: c.strip().casefold() if type(c) is str else c)
    if table == "events" and "year" not in frame.columns and "date" in frame.columns:
        frame = frame.rename(columns={"date": "year"})
    if not set(form.columns) <= set(frame.columns):
        frame = frame.reset_index()
    missing = [c for c in form.columns if c not in frame.columns]
    if missing:
        raise keys.NotComparable(f"the table has no column(s) {', '.join(missing)}")
    if frame.columns.duplicated().any():
        raise keys.NotComparable("the table has two columns with the same name")
    if len(frame) > MAX_ROWS:
        raise keys.NotComparable(f"the table has {len(frame)} rows; the passage holds far fewer")
    rows = []
    for values in frame[list(form.columns)].itertuples(index=False, name=None):
        row = dict(zip(form.columns, (v.item() if type(v).__module__ == "numpy" and hasattr(v, "item") else v
                                      for v in values)))
        row["years"] = years(row["made_on" if table in _PERSON else "year"])
        rows.append(row)
    return rows


def _a(value: object) -> str:
    names = {int: "a number", float: "a number", str: "text", list: "a list", dict: "a dict",
             pd.Series: "a Series"}
    return names.get(type(value), f"a {type(value).__name__}")


def _problem(table: str, row: dict[str, Any]) -> str | None:
    """Why a row cannot match anything, in the student's terms; None when it can."""
    if table == "figures":
        if _empty(row["value"]):
            return "it has no value"
        if _number(row["value"]) is None:
            return f"its value {_short(row['value'])} is not a number (write 36, not '36 %' or 'about 36')"
        if not unit_and_scale(row["unit"])[0]:
            return "it has no unit"
    if row["years"] is None:
        column = "made_on" if table in _PERSON else "year"
        return f"its {column} {_short(row[column])} is not a year or a date"
    if table == "events" and row["years"] == [None]:
        return "it has no year"
    if table in _PERSON and not claimant_words(row[_PERSON[table]]):
        return f"it names no {_PERSON[table]}"
    text = FORMS[table].text
    if text and (type(row[text]) is not str or not row[text].strip()):
        return f"its {text} is empty: say it in a few words of your own"
    return None


def _short(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


@dataclass(frozen=True)
class Result:
    """What a student's rows came to: course ids matched, expected rows missing, and their own rows
    (numbered from 1) that are not in the text, close to a row, or unreadable."""

    matched: tuple[str, ...]
    missing: tuple[dict[str, Any], ...]
    extra: tuple[int, ...]
    close: tuple[tuple[int, int], ...]
    unreadable: tuple[tuple[int, str], ...]
    expected: int

    @property
    def complete(self) -> bool:
        return not (self.missing or self.extra or self.close or self.unreadable)

    @property
    def score(self) -> float:
        """Matched rows minus rows not in the text, as a share of the expected rows; never below 0.
        A row close to a missing one, or unreadable, already misses its match and costs nothing more."""
        return max(0.0, (len(self.matched) - len(self.extra)) / self.expected) if self.expected else 0.0


def match(exercise: str, value: object, entry: dict[str, Any]) -> Result:
    """Match a student's table with the key's expected rows (each row used once). Raises NotComparable."""
    table, tolerance, expected = entry["table"], float(entry["tolerance"]), entry["rows"]
    rows = student_rows(value, table)
    candidates: list[set[str]] = []
    nears: list[set[str]] = []
    unreadable = []
    for number, row in enumerate(rows, start=1):
        problem = _problem(table, row)
        if problem:
            unreadable.append((number, problem))
            candidates.append(set())
            nears.append(set())
            continue
        full, near = row_strings(table, row, tolerance, exact=False)
        candidates.append({keys.digest(exercise, s) for s in full})
        nears.append({keys.digest(exercise, s) for s in near})
    edges = [[j for j, e in enumerate(expected) if candidates[i] & set(e["hashes"])] for i in range(len(rows))]
    owner = _assign(edges, len(expected))
    matched_rows = {i for i in owner if i is not None}
    missing = [j for j in range(len(expected)) if owner[j] is None]
    close, extra = [], []
    unreadable_rows = {n - 1 for n, _ in unreadable}
    for i in range(len(rows)):
        if i in matched_rows or i in unreadable_rows:
            continue
        near_to = next((j for j in missing if nears[i] & set(expected[j]["near"])), None)
        if near_to is None:
            extra.append(i + 1)
        else:
            close.append((i + 1, expected[near_to]["sentence"]))
    return Result(matched=tuple(expected[j]["id"] for j in range(len(expected)) if owner[j] is not None),
                  missing=tuple(expected[j] for j in missing), extra=tuple(extra), close=tuple(close),
                  unreadable=tuple(unreadable), expected=len(expected))


def _assign(edges: list[list[int]], size: int) -> list[int | None]:
    """A maximum matching of student rows to expected rows (augmenting paths; the tables are small)."""
    owner: list[int | None] = [None] * size

    def place(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j not in seen:
                seen.add(j)
                holder = owner[j]
                if holder is None or place(holder, seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(edges)):
        place(i, set())
    return owner


# -- what the student reads -------------------------------------------------------------------------


def _sentence(number: int) -> str:
    return f"the {_ORDINALS[number - 1]} sentence" if 0 < number <= len(_ORDINALS) else f"sentence {number}"


def _count(n: int, noun: str) -> str:
    return f"{_COUNTS[n] if n < len(_COUNTS) else n} {noun}{'' if n == 1 else 's'}"


def message(result: Result, table: str) -> str:
    """Which rows match, which are missing (where, not what), and which are not in the text."""
    noun = FORMS[table].noun
    parts = [f"{len(result.matched)} of {_count(result.expected, noun)} found"
             + (f" ({', '.join(result.matched)})." if result.matched else ".")]
    by_sentence: dict[int, int] = {}
    for row in result.missing:
        by_sentence[row["sentence"]] = by_sentence.get(row["sentence"], 0) + 1
    if by_sentence:
        missing = "; ".join(f"{_count(n, noun)} in {_sentence(s)}" for s, n in sorted(by_sentence.items()))
        parts.append(f"Missing: {missing}.")
    for number, sentence in result.close:
        hint = {"figures": "has the value and unit of a figure in {where}, but not its year (or the passage "
                           "gives none: then leave year empty)",
                "claims": "is close to a claim in {where}: check who made it and when (made_on)",
                "forecasts": "is close to a forecast in {where}: check who made it and when (made_on)"}[table]
        parts.append(f"Your row {number} {hint.format(where=_sentence(sentence))}.")
    if result.extra:
        rows = ("rows " if len(result.extra) > 1 else "row ") + ", ".join(map(str, result.extra))
        parts.append(f"Not in the text (or not a {noun} of the course's table): your {rows}; check the numbers, "
                     f"units and years against the passage, and list each {noun} once.")
    for number, problem in result.unreadable:
        parts.append(f"Your row {number} cannot be matched: {problem}.")
    return " ".join(parts)
