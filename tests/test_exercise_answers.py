"""No expected answer appears in any student-side file, and the solutions pass
their own public checks. Executes solutions/ once (slow), so it has its own module."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from russia_china.exercises import PASSED, check, plain
from russia_china.exercises.checking import answer_key as _answer_key
from russia_china.paths import REPO_ROOT
from russia_china.tools import answer_key

SOLUTIONS = REPO_ROOT / "solutions"
EXERCISES = REPO_ROOT / "exercises"


@pytest.fixture(scope="module")
def solution_answers() -> dict:
    """The model answers `make exercises` recorded from solutions/ (instructor side), rebuilt from plain data."""
    recorded = json.loads((SOLUTIONS / answer_key.ANSWERS_NAME).read_text(encoding="utf-8"))
    assert recorded["solutions_digest"] == answer_key.solutions_digest(SOLUTIONS), "run `make exercises`"
    return {exercise: plain.from_plain(described) for exercise, described in recorded["answers"].items()}


def answer_key_kinds() -> dict[str, str]:
    return {exercise: entry["kind"] for exercise, entry in _answer_key().items()}


def _student_side_text() -> str:
    files = list(EXERCISES.glob("*.ipynb")) + [p for p in (REPO_ROOT / "src").rglob("*") if p.is_file()]
    return "\n".join(p.read_text(encoding="utf-8", errors="ignore") for p in files if "__pycache__" not in p.parts)


def _renderings(value) -> list[str]:
    if isinstance(value, pd.DataFrame):
        return [value.to_csv(index=False)]
    if type(value) in (int, float):
        rendered = {f"{value:.2f}", f"{value:.3f}", repr(float(value))}
        return [r for r in rendered if len(r.replace(".", "").lstrip("0")) >= 3]  # skip trivially common numbers
    if isinstance(value, str) and len(value) > 40:
        return [value[:60]]
    return []


def test_no_solution_value_appears_in_student_side_files(solution_answers):
    text = _student_side_text()
    assert solution_answers, "executing solutions/ recorded no answers"
    leaks = [(exercise, r) for exercise, value in solution_answers.items() for r in _renderings(value) if r in text]
    assert not leaks, f"expected answers found in student-side files: {leaks}"


def test_solutions_pass_their_own_public_checks(solution_answers):
    for exercise, value in solution_answers.items():
        feedback = check(exercise, value)
        assert feedback.status in (PASSED, "recorded"), f"{exercise}: {feedback}"


