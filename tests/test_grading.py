"""Grade a sample class (perfect, partial, blank and every hostile kind) end to end.

The class is graded once per module: each submission in its own sandboxed
worker and kernel, two at a time, as `make grade` does.
"""

from __future__ import annotations

import csv
import json
from concurrent.futures import ThreadPoolExecutor
import pytest
from submission_fixtures import ASSIGNMENT, FULL_MARKS, MEMORY_LIMIT_ENFORCED, build_class, folder_fingerprint

from russia_china.grading import gradebook, sandbox
from russia_china.grading.grader import ClassGrader, Limits
from russia_china.grading.plan import load_plan, load_plans
from russia_china.paths import REPO_ROOT

SOLUTIONS = REPO_ROOT / "solutions"


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    canary = root / "canary.txt"
    canary.write_text("must survive grading", encoding="utf-8")
    expected = build_class(root / "submissions", canary)
    before = folder_fingerprint(root / "submissions")
    grader = ClassGrader(SOLUTIONS, root / "submissions", root / "grades", limits=Limits(cell_timeout=10))
    outputs = grader.grade(workers=2, progress=False)
    with outputs.gradebook.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, {row["student_id"]: row for row in reader}
    return {"root": root, "canary": canary, "expected": expected, "before": before, "outputs": outputs,
            "header": header, "rows": rows, "grader": grader}


STUDENTS = ["perfect", "shuffled", "partial", "no_check_call", "blank", "syntax_error", "infinite_loop",
            "invalid_json", "not_a_notebook", "empty", "deletes_files", "writes_outside", "reads_solutions",
            "old_helpers"] + (["memory_hog"] if MEMORY_LIMIT_ENFORCED else [])


def test_the_fixture_class_is_the_one_listed_here(graded_class):
    assert sorted(graded_class["expected"]) == sorted(STUDENTS)
    assert sorted(graded_class["rows"]) == sorted(STUDENTS)


@pytest.mark.parametrize("student", STUDENTS)
def test_each_submission_gets_its_exact_score_and_reason(graded_class, student):
    score, phrase = graded_class["expected"][student]
    row = graded_class["rows"][student]
    assert float(row["raw_score"]) == score
    assert float(row["score"]) == score
    assert float(row["max_score"]) == 15
    if phrase:
        assert phrase in row["comments"]
    if score == 0:
        assert row["comments"], "a zero always comes with its reason"


def test_gradebook_has_nbgrader_columns_then_one_per_exercise(graded_class):
    ids = [e.exercise_id for e in load_plan(SOLUTIONS / f"{ASSIGNMENT}.ipynb").exercises]
    assert graded_class["header"] == gradebook.NBGRADER_COLUMNS + ids + gradebook.TRAILING_COLUMNS
    assert ids == ["00.1", "00.2", "00.3", "00.4", "00.5", "00.6"]
    perfect = graded_class["rows"]["perfect"]
    assert [perfect[i] for i in ids] == ["2", "2", "3", "2", "2", ""]
    assert perfect["assignment"] == ASSIGNMENT
    assert perfect["needs_manual_grading"] == "00.6"


def test_written_answers_are_left_for_the_instructor(graded_class):
    with graded_class["outputs"].written_answers.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    students = {row["student_id"] for row in rows if row["exercise_id"] == "00.6"}
    assert {"perfect", "shuffled", "partial"} <= students
    assert "blank" not in students and "reads_solutions" not in students
    assert all(int(row["words"]) >= 60 for row in rows)


def test_submissions_and_outside_files_are_untouched(graded_class):
    assert folder_fingerprint(graded_class["root"] / "submissions") == graded_class["before"]
    assert graded_class["canary"].read_text(encoding="utf-8") == "must survive grading"
    assert not list(graded_class["root"].rglob("outside.txt"))


def test_feedback_never_reveals_hidden_tests_or_expected_values(graded_class):
    plan = load_plan(SOLUTIONS / f"{ASSIGNMENT}.ipynb")
    secret_lines = [line.strip() for e in plan.exercises for line in e.hidden_tests.splitlines()
                    if len(line.strip()) > 12]
    assert secret_lines, "the assignment has hidden tests to keep secret"
    answers = json.loads((SOLUTIONS / "answers.json").read_text(encoding="utf-8"))["answers"]
    values = [answers[e.exercise_id] for e in plan.exercises if isinstance(answers[e.exercise_id], float)]
    secret_numbers = {f"{v:.2f}" for v in values} | {f"{v:.1f}" for v in values if abs(v) >= 1}
    assert "7.81" in secret_numbers  # 00.1's answer: the search is for real values
    files = graded_class["outputs"].feedback
    assert sorted(p.stem for p in files) == sorted(STUDENTS)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "assert" not in text
        assert not [line for line in secret_lines if line in text], path.name
        assert not [number for number in secret_numbers if number in text], path.name


def test_feedback_is_honest_about_what_ran(graded_class):
    folder = graded_class["outputs"].feedback[0].parent
    perfect = (folder / "perfect.md").read_text(encoding="utf-8")
    assert f"{FULL_MARKS:g} of {FULL_MARKS:g} points" in perfect
    assert "Hidden tests: passed" in perfect
    assert "all tests passed" not in perfect.lower()
    partial = (folder / "partial.md").read_text(encoding="utf-8")
    assert "00.1 The gap between customs and the article in 2024**: 0 / 2" in partial
    hostile = (folder / "reads_solutions.md").read_text(encoding="utf-8")
    assert "flagged for review" in hostile


def test_written_feedback_shows_no_score_until_graded(graded_class):
    text = (graded_class["outputs"].feedback[0].parent / "perfect.md").read_text(encoding="utf-8")
    assert "00.6 Which number would you cite?**: graded by your instructor" in text


@pytest.mark.skipif(sandbox.bubblewrap() is None, reason="the class above already ran without bubblewrap")
def test_without_bubblewrap_the_audit_hook_still_blocks(tmp_path):
    """macOS and some containers have no bubblewrap: the kernel's guard alone must hold."""
    canary = tmp_path / "canary.txt"
    canary.write_text("keep", encoding="utf-8")
    everyone = tmp_path / "all"
    expected = build_class(everyone, canary)
    chosen = tmp_path / "submissions"
    chosen.mkdir()
    for name in ("deletes_files", "reads_solutions", "perfect"):
        (everyone / f"{name}.ipynb").rename(chosen / f"{name}.ipynb")
    grader = ClassGrader(SOLUTIONS, chosen, tmp_path / "grades", limits=Limits(cell_timeout=10),
                         use_bubblewrap=False)
    results = {g.student_id: g for g in grader.grade(workers=2, progress=False).results}
    for name, graded in results.items():
        points = sum(p or 0 for p in graded.points(grader.plan).values())
        assert points == expected[name][0], name
    assert results["reads_solutions"].violations and results["deletes_files"].violations
    assert canary.exists()



def test_every_solutions_notebook_grades_to_full_marks(tmp_path):
    """All 42 exercises: the model solutions pass their public checks and hidden tests in the grader."""
    plans = load_plans(SOLUTIONS)

    def grade(name):
        folder = tmp_path / name / "submissions"
        folder.mkdir(parents=True)
        (folder / "model.ipynb").write_bytes((SOLUTIONS / f"{name}.ipynb").read_bytes())
        grader = ClassGrader(SOLUTIONS, folder, tmp_path / name / "grades", assignment=name)
        return name, grader.grade(workers=1, progress=False).results[0]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(pool.map(grade, plans))
    for name, graded in results.items():
        plan = plans[name]
        points = graded.points(plan)
        assert graded.outcome == "graded" and not graded.cell_errors and not graded.violations, name
        assert {e: p for e, p in points.items() if p is not None} == {
            e.exercise_id: e.points for e in plan.exercises if not e.manual}, name
        assert [e for e, p in points.items() if p is None] == [e.exercise_id for e in plan.exercises if e.manual]
