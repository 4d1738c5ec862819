"""Fair to the honest: the public check and the hidden tests accept exactly the same answer forms.

For every exercise, equivalent forms of the model answer (an int, a float, a
NumPy scalar, a one-value Series, array or table; a table with its columns
reordered, its rows shuffled, its key column as the index or reset, extra
space around its text; a written answer with extra space) go through both
paths: check() in the student's kernel, and the grader's path (described as
plain data, sent as JSON, judged by `judge_submission` with the hidden tests).
For every form both must accept, and the grade must give full points.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from russia_china.exercises import PASSED, check, checking, plain
from russia_china.exercises.format import RECORDED
from russia_china.grading.judge import judge_submission
from russia_china.grading.plan import load_plans
from russia_china.paths import REPO_ROOT

SOLUTIONS = REPO_ROOT / "solutions"
MODEL = json.loads((SOLUTIONS / "answers.json").read_text(encoding="utf-8"))["answers"]
PLANS = {e.exercise_id: plan for plan in load_plans(SOLUTIONS).values() for e in plan.exercises}
KEY = checking.answer_key()


def _model(exercise: str) -> Any:  # a number, text or table, by the exercise's kind
    entry = KEY[exercise]
    return checking.canonical(entry["kind"], plain.from_plain(MODEL[exercise]), entry)


def _both_paths(exercise: str, answer: object) -> tuple[bool, bool, dict]:
    """(check() accepted, the grade gave full points, the grader's entry)."""
    manual = KEY[exercise]["kind"] == "written"
    student = check(exercise, answer).status == (RECORDED if manual else PASSED)
    described = json.loads(plain.dumps(plain.to_plain(answer)))
    plan = PLANS[exercise]
    entries = judge_submission(plan.to_json(), {exercise: {"via": "check", "answer": described}})
    entry = next(e for e in entries if e["exercise_id"] == exercise)
    full = entry["hidden"] in ("passed", "none") and (
        entry["status"] == RECORDED if manual else entry["points"] == PLANS[exercise].exercises[
            [e.exercise_id for e in plan.exercises].index(exercise)].points)
    return student, full, entry


def _of_kind(*kinds: str) -> list[str]:
    return sorted(e for e, entry in KEY.items() if entry["kind"] in kinds)


def _number_forms(value: float | int) -> list[object]:
    forms: list[object] = [value, float(value), np.float64(value), pd.Series([value]), np.array([value]),
             pd.DataFrame({"answer": [value]}), pd.Series([value], index=["x"], name="y")]
    if float(value).is_integer():
        forms += [int(value), np.int64(int(value)), np.array([int(value)])]
    return forms


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), exercise=st.sampled_from(_of_kind("number")))
def test_every_form_of_a_right_number_passes_both(data, exercise):
    answer = data.draw(st.sampled_from(_number_forms(_model(exercise))), label="form")
    student, full, entry = _both_paths(exercise, answer)
    assert student and full, (type(answer).__name__, entry)


@st.composite
def _table_forms(draw, exercise: str):
    frame = _model(exercise)
    columns = KEY[exercise]["columns"]
    order = draw(st.permutations(list(frame.columns)))
    rows = draw(st.permutations(list(range(len(frame)))))
    form = frame[order].iloc[rows]
    pad = draw(st.sampled_from(["", " ", "  ", "\t"]))
    if pad:
        form = form.apply(lambda c: c.map(lambda v: f"{pad}{v}{pad}") if c.dtype == object or str(c.dtype) == "str"
                          else c)
    shape = draw(st.sampled_from(["as is", "reset", "key as index", "series"]))
    if shape == "reset":
        form = form.reset_index(drop=True)
    elif shape == "key as index":
        form = form.set_index(columns[0])
    elif shape == "series" and len(columns) == 2 and len(frame.columns) == 2:
        form = form.set_index(columns[0])[columns[1]]
    return form


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), exercise=st.sampled_from(_of_kind("table")))
def test_every_form_of_a_right_table_passes_both(data, exercise):
    answer = data.draw(_table_forms(exercise), label="form")
    student, full, entry = _both_paths(exercise, answer)
    assert student and full, (answer, entry)


@settings(max_examples=40, deadline=None)
@given(exercise=st.sampled_from(_of_kind("written")), pad=st.sampled_from(["", " ", "\n\n", "\t  "]))
def test_written_answers_with_extra_space_are_recorded_by_both(exercise, pad):
    student, full, entry = _both_paths(exercise, pad + _model(exercise) + pad)
    assert student and full, entry


@pytest.mark.parametrize("exercise", _of_kind("chart", "widget"))
def test_model_charts_and_widgets_pass_both(exercise):
    student, full, entry = _both_paths(exercise, _model(exercise))
    assert student and full, entry


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exercise=st.sampled_from(_of_kind("number", "table")), data=st.data())
def test_the_two_paths_agree_on_wrong_answers_too(exercise, data):
    """A wrong answer: whatever check() says, the grade says the same."""
    model = _model(exercise)
    if isinstance(model, pd.DataFrame):
        numeric = [c for c in model.columns if pd.api.types.is_numeric_dtype(model[c])]
        answer = model.assign(**{numeric[-1]: model[numeric[-1]] + data.draw(st.integers(1, 50))})
    else:
        answer = model + data.draw(st.floats(min_value=1, max_value=1e6) | st.floats(min_value=-1e6, max_value=-1))
    student, full, _ = _both_paths(exercise, answer)
    assert student == full
