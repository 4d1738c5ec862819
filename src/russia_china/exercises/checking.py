"""The `check` function students call after each exercise."""

from __future__ import annotations

import json
import os
import pickle
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

from . import keys
from .feedback import HINT, NOT_ANSWERED, PASSED, RECORDED, UNKNOWN, Feedback

#: Every answer given to check() in this kernel, by exercise id (the last one
#: wins). Hidden tests and the grader read answers from here, so a student's
#: cell order, duplicates and deletions do not matter.
answers: dict[str, Any] = {}

#: Set by the release tool while it executes solutions/ to build the key.
RECORD_ENV = "RUSSIA_CHINA_RECORD_ANSWERS"

_MAX_ROWS = 100_000

#: What the release puts between the triple quotes of a written answer.
PLACEHOLDER_TEXT = "Write your answer here."


#: Lets an author try a draft's key before `make exercises` writes the real one.
KEY_ENV = "RUSSIA_CHINA_ANSWER_KEY"


@cache
def _answer_key() -> dict[str, Any]:
    override = os.environ.get(KEY_ENV)
    if override:
        text = open(override, encoding="utf-8").read()
    else:
        text = resources.files(__package__).joinpath("answer_key.json").read_text(encoding="utf-8")
    return json.loads(text)["exercises"]


def check(exercise_id: object, answer: object = ...) -> Feedback:
    """Check an answer and say what to do next. Never raises."""
    exercise = str(exercise_id)
    try:
        answers[exercise] = answer
        _record_for_release(exercise, answer)
        return _judge(exercise, answer)
    except Exception as problem:  # a student's odd object must never produce a traceback
        return Feedback(exercise, HINT, f"This answer could not be checked ({type(problem).__name__}). "
                                         "Give a plain number, text or table as the exercise asks.")


def _record_for_release(exercise: str, answer: object) -> None:
    path = os.environ.get(RECORD_ENV)
    if path:
        recorded = {}
        if os.path.exists(path):
            with open(path, "rb") as handle:
                recorded = pickle.load(handle)
        recorded[exercise] = portable(answer)
        payload = pickle.dumps(recorded)  # before opening: a failure leaves the old file whole
        with open(path, "wb") as handle:
            handle.write(payload)


def portable(answer: object) -> object:
    """Charts and widgets cannot be pickled: record what the key compares instead."""
    from matplotlib.figure import Figure

    from ..widgets import ChartWidget

    if isinstance(answer, Figure):
        return keys.Normalised(keys.normalise_chart(answer))
    if isinstance(answer, ChartWidget):
        return keys.Normalised(keys.normalise_widget(answer))
    return answer


def _judge(exercise: str, answer: object) -> Feedback:
    key = _answer_key().get(exercise)
    if key is None:
        known = ", ".join(sorted(_answer_key()))
        return Feedback(exercise, UNKNOWN, f"There is no exercise with this id; the ids are {known}.")
    if answer is ... or answer is None or (isinstance(answer, str) and answer.strip() in ("", PLACEHOLDER_TEXT)):
        where = "between the triple quotes" if key["kind"] == "written" else "in place of the ..."
        return Feedback(exercise, NOT_ANSWERED, f"Write your answer {where}, then run the cell again.")
    kind = key["kind"]
    if kind == "written":
        return _judge_written(exercise, answer, key)
    try:
        candidates = _normalised(answer, key)
    except keys.NotComparable as problem:
        return Feedback(exercise, HINT, _type_hint(answer, key, str(problem)))
    correct = set(key["hashes"])
    if any(keys.digest(exercise, c) in correct for c in candidates):
        return Feedback(exercise, PASSED, "Your instructor's hidden tests may check more.")
    for mistake in key.get("mistakes", []):
        mistaken = _normalised(answer, {**key, **mistake})
        if any(keys.digest(exercise, c) in set(mistake["hashes"]) for c in mistaken):
            return Feedback(exercise, HINT, mistake["hint"])
    return Feedback(exercise, HINT, key.get("hint", "Not the expected answer yet: re-read the question and try again."))


def _normalised(answer: object, key: dict[str, Any]) -> list[str]:
    kind = key["kind"]
    if kind == "number":
        return keys.normalise_number(_as_number(answer), key["tolerance"])
    if kind == "text":
        return [keys.normalise_text(answer)]
    if kind == "table":
        if isinstance(answer, (pd.DataFrame, pd.Series)) and len(answer) > _MAX_ROWS:
            raise keys.NotComparable(f"the table has {len(answer)} rows; the answer is much smaller")
        return [keys.normalise_frame(answer, key["columns"], key["decimals"])]
    if kind == "chart":
        return [keys.normalise_chart(answer)]
    if kind == "widget":
        return [keys.normalise_widget(answer)]
    raise keys.NotComparable(f"unknown kind {kind!r}")


def _as_number(answer: object) -> object:
    """Accept a one-element Series or array as the number it holds."""
    if isinstance(answer, (pd.Series, pd.DataFrame)) and answer.size == 1:
        answer = answer.to_numpy().ravel()[0]
    if hasattr(answer, "item") and getattr(answer, "size", None) == 1:
        answer = answer.item()
    return answer


def _type_hint(answer: object, key: dict[str, Any], detail: str) -> str:
    kind = key["kind"]
    if "not finite" in detail:
        return "Your answer is NaN (not a number) or infinite: check that the rows you selected are not empty."
    if kind == "number" and isinstance(answer, str):
        return "Your answer is text. Give a number without quotes or units, e.g. 12.5."
    if kind == "number" and isinstance(answer, (pd.Series, pd.DataFrame)):
        return "Your answer is a table with several values. Pick out the single number, e.g. with .iloc[0]."
    if kind == "table":
        return f"Give a pandas DataFrame with the columns {', '.join(key['columns'])}. ({detail})"
    if kind in ("chart", "widget"):
        return detail[0].upper() + detail[1:] + "."
    return f"This kind of answer cannot be checked here: {detail}."


def _judge_written(exercise: str, answer: object, key: dict[str, Any]) -> Feedback:
    if not isinstance(answer, str):
        return Feedback(exercise, HINT, "Write your answer as text between the triple quotes.")
    words = len(answer.split())
    if words < key["min_words"]:
        return Feedback(exercise, HINT, f"Your answer has {words} words; write at least {key['min_words']}.")
    return Feedback(exercise, RECORDED, "Written answers are graded by your instructor against a rubric.")
