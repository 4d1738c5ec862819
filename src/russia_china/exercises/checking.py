"""The `check` function students call after each exercise, and the public judge.

check() describes the answer as plain data (see `plain`), rebuilds it exactly
as the grader's judge will, and judges that with `judge`. The grader calls the
same `judge` on the same plain data in a process of its own, so an answer that
check() accepts, the grade accepts.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

import pandas as pd

from . import extraction, keys, plain
from .feedback import Feedback
from .format import (
    HINT,
    KEY_ENV,
    KEY_FILE,
    MANUAL_KINDS,
    NOT_ANSWERED,
    PASSED,
    PLACEHOLDER_TEXT,
    RECORD_ENV,
    RECORDED,
    UNKNOWN,
)

#: Every answer given to check() in this kernel, by exercise id (the last one
#: wins), in the canonical form the hidden tests see: a number, text, a table
#: with its key columns as columns, a ChartAnswer or a WidgetAnswer.
answers: dict[str, Any] = {}

_MAX_ROWS = 100_000
_WANTED = {"number": "a number", "text": "text", "table": "a pandas DataFrame", "chart": "a matplotlib Figure",
           "widget": "a widget chart", "written": "text", "manual": "text",
           "extraction": "a pandas DataFrame with one row per item of the passage"}


def _key_path() -> str:
    return os.environ.get(KEY_ENV) or str(KEY_FILE)


@cache
def answer_key() -> dict[str, Any]:
    """The key's entries by exercise id: salted hashes, never answers."""
    with open(_key_path(), encoding="utf-8") as handle:
        return json.load(handle)["exercises"]


def check(exercise_id: object, answer: object = ...) -> Feedback:
    """Check an answer and say what to do next. Never raises."""
    exercise = str(exercise_id)
    try:
        described = plain.to_plain(answer)
        record(exercise, described)
        value = plain.from_plain(json.loads(plain.dumps(described)))
        if not os.path.exists(_key_path()):
            answers[exercise] = value
            if os.environ.get(RECORD_ENV):  # the grading sandbox: the key is never inside it
                return Feedback(exercise, RECORDED, "Your answer was recorded for grading.")
            return Feedback(exercise, UNKNOWN, "The answer key is missing: ask your instructor to run make exercises.")
        feedback, answers[exercise] = judge(exercise, value)
        return feedback
    except Exception as problem:  # a student's odd object must never produce a traceback
        return Feedback(exercise, HINT, f"This answer could not be checked ({type(problem).__name__}). "
                                         "Give a plain number, text or table as the exercise asks.")


def record(exercise: str, described: dict[str, Any], via: str = "check") -> None:
    """Append an answer, as plain data, to each file RECORD_ENV names (release and grading)."""
    paths = [p for p in os.environ.get(RECORD_ENV, "").split(os.pathsep) if p]
    if not paths:
        return
    line = json.dumps({"exercise_id": exercise, "via": via, "answer": described}, ensure_ascii=False)
    if len(line) > plain.MAX_BYTES:
        line = json.dumps({"exercise_id": exercise, "via": via, "answer": {
            "type": "unsupported", "what": described.get("type", "answer"),
            "why": f"{len(line) // 2**20} MB as data; at most {plain.MAX_BYTES // 2**20} MB"}})
    for path in paths:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def judge(exercise: str, value: object, key: dict[str, Any] | None = None) -> tuple[Feedback, object]:
    """The public check of a rebuilt answer (`plain.from_plain`): the feedback,
    and the answer in the canonical form that hidden tests see."""
    key = answer_key() if key is None else key
    entry = key.get(exercise)
    if entry is None:
        known = ", ".join(sorted(key))
        return Feedback(exercise, UNKNOWN, f"There is no exercise with this id; the ids are {known}."), value
    kind = entry["kind"]
    if value is ... or value is None or (type(value) is str and value.strip() in ("", PLACEHOLDER_TEXT)):
        where = "between the triple quotes" if kind in MANUAL_KINDS else "in place of the ..."
        return Feedback(exercise, NOT_ANSWERED, f"Write your answer {where}, then run the cell again."), value
    try:
        value = canonical(kind, value, entry)
        if kind in MANUAL_KINDS:
            return _judge_written(exercise, str(value), entry), value  # canonical() made it text
        if kind == "extraction":
            return _judge_extraction(exercise, value, entry), value
        candidates = _normalised(value, entry)
        if any(keys.digest(exercise, c) in set(entry["hashes"]) for c in candidates):
            return Feedback(exercise, PASSED, "Your instructor's hidden tests may check more."), value
        for mistake in entry.get("mistakes", []):
            mistaken = _normalised(value, {**entry, **mistake})
            if any(keys.digest(exercise, c) in set(mistake["hashes"]) for c in mistaken):
                return Feedback(exercise, HINT, mistake["hint"]), value
    except keys.NotComparable as problem:
        return Feedback(exercise, HINT, _type_hint(value, entry, str(problem))), value
    except Exception as problem:  # an odd but plain answer (a huge integer, say): the same verdict everywhere
        return Feedback(exercise, HINT, f"This answer could not be checked ({type(problem).__name__}). "
                                         f"Give {_WANTED.get(kind, 'a plain answer')} as the exercise asks."), value
    hint = entry.get("hint", "Not the expected answer yet: re-read the question and try again.")
    return Feedback(exercise, HINT, hint), value


def canonical(kind: str, value: object, entry: dict[str, Any]) -> object:
    """The one form of an answer that the key and hidden tests compare: a number
    for a one-value table or array, a table with its key columns as columns and
    a plain index, text without surrounding space. Raises NotComparable."""
    if isinstance(value, plain.Unsupported):
        raise keys.NotComparable(f"the answer is {value.describe()}, not {_WANTED.get(kind, 'an answer')}")
    if kind == "number":
        number = _as_number(value)
        if type(number) is bool:
            raise keys.NotComparable("the answer is True or False, not a number")
        if type(number) not in (int, float):
            raise keys.NotComparable(f"the answer is {_a(number)}, not a number")
        return number
    if kind in ("text", *MANUAL_KINDS):
        if type(value) is not str:
            raise keys.NotComparable(f"the answer is {_a(value)}, not text")
        return value.strip()
    if kind == "table":
        return _canonical_table(value, entry["columns"])
    if kind == "extraction":
        extraction.student_rows(value, entry["table"])  # raises NotComparable for a wrong shape
        return value
    wanted = {"chart": plain.ChartAnswer, "widget": plain.WidgetAnswer}.get(kind)
    if wanted is None or type(value) is not wanted:
        raise keys.NotComparable(f"expected {_WANTED.get(kind, kind)}, got {_a(value)}")
    return value


def _a(value: object) -> str:
    names = {int: "a number", float: "a number", str: "text", bool: "True or False", list: "a list",
             pd.DataFrame: "a DataFrame", pd.Series: "a Series", plain.ChartAnswer: "a matplotlib Figure",
             plain.WidgetAnswer: "a widget chart"}
    return names.get(type(value), f"a {type(value).__name__}")


def _as_number(value: Any) -> object:
    """A one-value Series, DataFrame or array is the number it holds."""
    if type(value) in (pd.Series, pd.DataFrame) and value.size == 1:
        return _as_number(value.to_numpy().ravel()[0])
    if type(value).__name__ == "ndarray" and value.size == 1:
        return _as_number(value.ravel()[0])
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        return value.item()
    return value


def _canonical_table(value: object, columns: list[str]) -> pd.DataFrame:
    if type(value) is pd.Series:
        frame = value.reset_index(allow_duplicates=True)
    elif type(value) is pd.DataFrame:
        frame = value if set(columns) <= set(value.columns) else value.reset_index(allow_duplicates=True)
    else:
        raise keys.NotComparable(f"expected a DataFrame, got {_a(value)}")
    if len(frame) > _MAX_ROWS:
        raise keys.NotComparable(f"the table has {len(frame)} rows; the answer is much smaller")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise keys.NotComparable(f"the table has no column(s) {missing}; expected {columns}")
    twice = sorted({c for c in frame.columns[frame.columns.duplicated()] if c in columns})
    if twice:
        raise keys.NotComparable(f"the table has more than one column named {twice[0]!r}; expected {columns}")
    frame = frame.reset_index(drop=True)
    for column in frame.columns[frame.dtypes.map(lambda d: not pd.api.types.is_numeric_dtype(d))]:
        frame[column] = frame[column].map(lambda v: v.strip() if type(v) is str else v)
    return frame


def _normalised(value: object, entry: dict[str, Any]) -> list[str]:
    kind = entry["kind"]
    if kind == "number":
        return keys.normalise_number(value, entry["tolerance"])
    if kind == "text":
        return [keys.normalise_text(value)]
    if kind == "table":
        return [keys.normalise_frame(value, entry["columns"], entry["decimals"])]
    if kind == "chart":
        return [keys.normalise_chart(value)]
    if kind == "widget":
        return [keys.normalise_widget(value)]
    raise keys.NotComparable(f"unknown kind {kind!r}")


def _type_hint(value: object, entry: dict[str, Any], detail: str) -> str:
    kind = entry["kind"]
    if "not finite" in detail:
        return "Your answer is NaN (not a number) or infinite: check that the rows you selected are not empty."
    if kind == "extraction":
        form = extraction.FORMS[entry["table"]]
        return (f"Give a pandas DataFrame with the columns {', '.join(form.columns)}, one row per {form.noun} "
                f"of the passage, e.g. {form.example}. ({detail})")
    if kind == "number" and type(value) is str:
        return "Your answer is text. Give a number without quotes or units, e.g. 12.5."
    if (kind == "number" and type(value) in (pd.Series, pd.DataFrame)) or type(value).__name__ == "ndarray":
        return "Your answer is a table with several values. Pick out the single number, e.g. with .iloc[0]."
    if isinstance(value, plain.Unsupported):
        return f"{detail[0].upper()}{detail[1:]}. Give {_WANTED.get(kind, 'a plain answer')} as the exercise asks."
    if kind == "table":
        return f"Give a pandas DataFrame with the columns {', '.join(entry['columns'])}. ({detail})"
    if kind in ("chart", "widget"):
        return detail[0].upper() + detail[1:] + "."
    if kind in MANUAL_KINDS:
        return "Write your answer as text between the triple quotes."
    return f"This kind of answer cannot be checked here: {detail}."


def _judge_extraction(exercise: str, value: object, entry: dict[str, Any]) -> Feedback:
    result = extraction.match(exercise, value, entry)
    text = extraction.message(result, entry["table"])
    if result.complete:
        return Feedback(exercise, PASSED, f"{text} Your instructor's hidden tests may check more.", score=1.0)
    return Feedback(exercise, HINT, f"{text} {entry.get('hint', '')}".strip(), score=result.score)


def _judge_written(exercise: str, answer: str, entry: dict[str, Any]) -> Feedback:
    words = len(answer.split())
    if words < entry["min_words"]:
        return Feedback(exercise, HINT, f"Your answer has {words} words; write at least {entry['min_words']}.")
    return Feedback(exercise, RECORDED, "Written answers are graded by your instructor against a rubric.")
