"""Extraction exercises: a student's rows from a passage are matched with the course's rows on key fields only,
the feedback says what matched, what is missing (where, not what) and what is not in the text, and the grade
gives the share of the points that check() reports."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from russia_china.data import load
from russia_china.data.passages import expected_rows
from russia_china.exercises import NOT_ANSWERED, PASSED, check, checking, extraction, plain
from russia_china.grading.judge import judge_submission
from russia_china.grading.plan import load_plans
from russia_china.paths import REPO_ROOT
from russia_china.tools import answer_key

SOLUTIONS = REPO_ROOT / "solutions"

FIGURES = [
    {"id": "F90", "sentence": 1, "value": 190.0, "unit": "US$ bn", "years": [2022]},
    {"id": "F91", "sentence": 2, "value": 5.6, "unit": "%", "years": [None]},
    {"id": "F92", "sentence": 2, "value": 1.0, "unit": "US$ trillion", "years": [2019, 2023]},
]
EVENTS = [
    {"id": "E90", "sentence": 1, "years": [1949]},
    {"id": "E91", "sentence": 2, "years": [1953]},
    {"id": "E92", "sentence": 2, "years": [1961]},
]
CLAIMS = [
    {"id": "C90", "sentence": 1, "claimant": "Vladimir Putin and Xi Jinping", "years": [2022]},
    {"id": "C91", "sentence": 3, "claimant": "Hua Chunying", "years": [2022]},
    {"id": "C92", "sentence": 4, "claimant": "Zorawar Singh Gill", "years": [2025]},
]


def _key(table: str, expected: list[dict], tolerance: float = 0.05) -> dict:
    return {"99.1": {"kind": "extraction", "points": 4, "title": "t", "hint": "Read the passage again.",
                     "table": table, "passage": "P99", "tolerance": tolerance,
                     "rows": extraction.key_rows("99.1", table, expected, tolerance)}}


def _judge(key: dict, answer: object):
    """The public judge on the answer as the grader sees it (described, sent as JSON, rebuilt)."""
    feedback, _ = checking.judge("99.1", plain.round_trip(answer), key)
    return feedback


def _figures(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["value", "unit", "year"])


# -- figures --------------------------------------------------------------------------------------------------


def test_every_row_in_any_order_unit_spelling_and_period_form_matches():
    answer = _figures((5.6, "per cent", None), (1000, "billion dollars", "2019–2023"), (190, "$ billion", 2022))
    feedback = _judge(_key("figures", FIGURES), answer)
    assert feedback.status == PASSED and feedback.score == 1.0, feedback
    assert "3 of three figures found (F90, F91, F92)" in feedback.message


def test_missing_rows_are_located_without_giving_them_away():
    feedback = _judge(_key("figures", FIGURES), _figures((190, "US$ bn", 2022)))
    assert feedback.status != PASSED and feedback.score == pytest.approx(1 / 3)
    assert "1 of three figures found (F90)." in feedback.message
    assert "Missing: two figures in the second sentence." in feedback.message
    assert "5.6" not in feedback.message and "trillion" not in feedback.message and "F91" not in feedback.message


def test_rows_not_in_the_text_take_points_back_but_never_below_zero():
    right = [(190, "US$ bn", 2022), (5.6, "%", None), (1, "US$ trillion", 2019)]
    feedback = _judge(_key("figures", FIGURES), _figures(*right, (36, "%", 2024)))
    assert feedback.status != PASSED and feedback.score == pytest.approx(2 / 3)
    assert "Not in the text" in feedback.message and "your row 4" in feedback.message
    only_wrong = _judge(_key("figures", FIGURES), _figures((36, "%", 2024), (12, "days", 2020)))
    assert only_wrong.score == 0.0 and "rows 1, 2" in only_wrong.message
    twice = _judge(_key("figures", FIGURES), _figures(*right, right[0]))
    assert twice.score == pytest.approx(2 / 3), "a row listed twice is matched once"


@pytest.mark.parametrize(("value", "matches"), [(190.04, True), (189.96, True), (190.3, False), (19.0, False)])
def test_values_match_within_the_tolerance(value, matches):
    feedback = _judge(_key("figures", FIGURES[:1]), _figures((value, "US$ bn", 2022)))
    assert (feedback.status == PASSED) is matches, feedback


def test_a_wrong_year_is_a_near_miss_not_a_row_out_of_the_text():
    feedback = _judge(_key("figures", FIGURES), _figures((190, "US$ bn", 2021), (5.6, "%", 2024)))
    assert feedback.score == 0.0 and "Not in the text" not in feedback.message
    assert "Your row 1 has the value and unit of a figure in the first sentence, but not its year" in feedback.message
    assert "Your row 2 has the value and unit of a figure in the second sentence" in feedback.message


def test_unreadable_cells_are_named():
    feedback = _judge(_key("figures", FIGURES), _figures(("about 190", "US$ bn", 2022), (5.6, "", None)))
    assert "Your row 1 cannot be matched: its value 'about 190' is not a number" in feedback.message
    assert "Your row 2 cannot be matched: it has no unit" in feedback.message


@pytest.mark.parametrize(("unit", "expected"), [
    ("%", ("%", 1.0)), ("per cent", ("%", 1.0)), ("Percent", ("%", 1.0)), ("% change", ("% change", 1.0)),
    ("US$ bn", ("US$ bn", 1.0)), ("$bn", ("US$ bn", 1.0)), ("billion US dollars", ("US$ bn", 1.0)),
    ("US$ trillion", ("US$ bn", 1000.0)), ("trillion", ("US$ bn", 1000.0)), ("$ million", ("US$ bn", 0.001)),
    ("US$ bn per month", ("US$ bn per month", 1.0)), ("$bn a month", ("US$ bn per month", 1.0)),
    ("bn/month", ("US$ bn per month", 1.0)), ("vetoes", ("count", 1.0)), ("count", ("count", 1.0)),
    ("rank", ("rank", 1.0)), ("", ("", 1.0)), (None, ("", 1.0)),
])
def test_units_are_normalised(unit, expected):
    assert extraction.unit_and_scale(unit) == expected


# -- events and claims: free text is required but never compared -------------------------------------------------


def test_events_match_on_the_year_whatever_the_wording():
    answer = pd.DataFrame({"year": [1961, 1953, 1949],
                           "event": ["the alliance is over", "Stalin's death", "Mao wins; Moscow and Beijing ally"]})
    assert _judge(_key("events", EVENTS), answer).status == PASSED
    dated = pd.DataFrame({"date": ["1949-10-01", "1953-03", "1961"], "event": ["a", "b", "c"]})
    assert _judge(_key("events", EVENTS), dated).status == PASSED, "a date column is read for its year"
    blank = _judge(_key("events", EVENTS), answer.assign(event=["x", " ", "z"]))
    assert blank.status != PASSED and "Your row 2 cannot be matched: its event is empty" in blank.message


def test_claims_match_on_a_word_of_the_name_and_the_year():
    answer = pd.DataFrame({"claimant": ["Xi and Putin", "Gill (the author)", "Hua Chunying"],
                           "made_on": ["2022-02-04", "2025-12-04", 2022],
                           "claim": ["no limits to friendship", "sanctions did not stop trade", "blame the US"]})
    assert _judge(_key("claims", CLAIMS), answer).status == PASSED
    late = _judge(_key("claims", CLAIMS), answer.assign(made_on=["2022", "2025", "2023"]))
    assert late.score == pytest.approx(2 / 3) and "Your row 3 is close to a claim in the third sentence" in late.message


# -- wrong types: a helpful message, never a traceback ----------------------------------------------------------


@pytest.mark.parametrize("answer", [
    [190, 237], {"value": [190], "unit": ["US$ bn"], "year": [2022]}, "190 US$ bn in 2022", 190,
    pd.Series([190, 237]), np.array([[190, 2022]]), pd.DataFrame({"value": [190]}), object(),
])
def test_a_wrong_type_gets_a_helpful_message(answer):
    feedback = _judge(_key("figures", FIGURES), answer)
    assert feedback.status != PASSED and feedback.score is None
    assert "Give a pandas DataFrame with the columns value, unit, year, one row per figure" in feedback.message
    assert "Traceback" not in feedback.message


_CELLS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                   st.text(max_size=30), st.just("2019-2023"), st.just("per cent"))


@settings(max_examples=150, deadline=None)
@given(table=st.sampled_from(sorted(extraction.FORMS)), data=st.data())
def test_any_table_of_odd_cells_gets_feedback_never_a_traceback(table, data):
    columns = data.draw(st.lists(st.sampled_from([*extraction.FORMS[table].columns, "Year", "date", "x"]),
                                 unique=True, max_size=4))
    rows = data.draw(st.integers(0, 6))
    frame = pd.DataFrame({c: data.draw(st.lists(_CELLS, min_size=rows, max_size=rows)) for c in columns})
    expected = {"figures": FIGURES, "events": EVENTS, "claims": CLAIMS,
                "forecasts": [{**c, "forecaster": c["claimant"]} for c in CLAIMS]}[table]
    feedback = _judge(_key(table, expected), frame)
    assert feedback.status != PASSED and feedback.message and (feedback.score is None or 0 <= feedback.score < 1)


def test_missing_columns_are_named():
    feedback = _judge(_key("claims", CLAIMS), pd.DataFrame({"claimant": ["Xi"], "claim": ["x"]}))
    assert "the table has no column(s) made_on" in feedback.message


# -- the course's exercises, through check() and the grader -----------------------------------------------------


KEY = checking.answer_key()
EXTRACTIONS = sorted(e for e, entry in KEY.items() if entry["kind"] == "extraction")
MODEL = json.loads((SOLUTIONS / answer_key.ANSWERS_NAME).read_text(encoding="utf-8"))["answers"]
PLANS = {e.exercise_id: plan for plan in load_plans(SOLUTIONS).values() for e in plan.exercises}


def test_every_lesson_has_one_extraction_exercise_on_its_own_passage():
    spec = answer_key.load_spec(SOLUTIONS)
    passages = load("passages").set_index("passage_id")
    lessons = sorted({e.split(".")[0] for e in spec})
    by_lesson = {lesson: [e for e in EXTRACTIONS if e.startswith(lesson + ".")] for lesson in lessons}
    assert all(len(found) == 1 for found in by_lesson.values()), by_lesson
    for exercise in EXTRACTIONS:
        passage_id = spec[exercise]["passage"]
        assert passages.loc[passage_id, "lesson"] == exercise.split(".")[0], exercise
        assert KEY[exercise]["table"] == passages.loc[passage_id, "table"]


@pytest.mark.parametrize("exercise", EXTRACTIONS)
def test_the_key_holds_the_derived_rows_as_hashes_only(exercise):
    entry = KEY[exercise]
    expected = expected_rows(entry["passage"])
    assert [row["id"] for row in entry["rows"]] == list(expected.iloc[:, 0]), "run `make exercises`"
    assert all(set(row) == {"id", "sentence", "hashes", "near"} for row in entry["rows"])
    model = plain.from_plain(MODEL[exercise])
    key_text = json.dumps(entry)
    assert model.to_csv(index=False) not in key_text
    assert not [str(v) for v in model.iloc[:, -1] if len(str(v)) > 12 and str(v) in key_text]


def _graded(exercise: str, answer: object) -> dict:
    described = json.loads(plain.dumps(plain.to_plain(answer)))
    entries = judge_submission(PLANS[exercise].to_json(), {exercise: {"via": "check", "answer": described}})
    return next(e for e in entries if e["exercise_id"] == exercise)


@pytest.mark.parametrize("exercise", EXTRACTIONS)
def test_check_and_the_grade_agree_on_whole_partial_and_reworded_answers(exercise):
    model = plain.from_plain(MODEL[exercise])
    points = KEY[exercise]["points"]
    text_column = extraction.FORMS[KEY[exercise]["table"]].text
    reworded = model.iloc[::-1].reset_index(drop=True)
    if text_column:
        reworded[text_column] = [f"in my own words, item {n}" for n in range(len(reworded))]
    for answer in (model, reworded, reworded[reworded.columns[::-1]]):
        assert check(exercise, answer).status == PASSED
        entry = _graded(exercise, answer)
        assert entry["status"] == PASSED and entry["points"] == points, entry
    partial = model.iloc[1:]
    feedback = check(exercise, partial)
    assert feedback.status != PASSED and "Missing: one " in feedback.message
    assert _graded(exercise, partial)["points"] == round(points * (len(model) - 1) / len(model), 2)
    assert check(exercise, ...).status == NOT_ANSWERED
    assert _graded(exercise, [1, 2, 3])["points"] == 0.0
