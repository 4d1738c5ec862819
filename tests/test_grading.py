"""Grade a sample class (honest students of every kind and every cheat tried so far) end to end.

The class is graded once per module, as `make grade` does: each notebook in
the bubblewrap sandbox, two at a time, its plain answers judged outside it.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from submission_fixtures import (
    ASSIGNMENT,
    FULL_MARKS,
    MEMORY_LIMIT_ENFORCED,
    build_class,
    entries_to_skip,
    folder_fingerprint,
)

from russia_china.cli import main
from russia_china.grading import gradebook, sandbox
from russia_china.grading.grader import ClassGrader, Limits
from russia_china.grading.plan import load_plan, load_plans
from russia_china.paths import REPO_ROOT

SOLUTIONS = REPO_ROOT / "solutions"

needs_bubblewrap = pytest.mark.skipif(
    sandbox.bubblewrap() is None and not os.environ.get("CI"),
    reason="bubblewrap is not installed here (apt-get install bubblewrap); CI always has it")


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    canary = root / "canary.txt"
    canary.write_text("must survive grading", encoding="utf-8")
    expected = build_class(root / "submissions", canary)
    skipped = entries_to_skip(root / "submissions")
    before = folder_fingerprint(root / "submissions")
    grader = ClassGrader(SOLUTIONS, root / "submissions", root / "grades", limits=Limits(cell_timeout=10))
    outputs = grader.grade(workers=2, progress=False)
    with outputs.gradebook.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, {row["student_id"]: row for row in reader}
    return {"root": root, "canary": canary, "expected": expected, "skipped": skipped, "before": before,
            "outputs": outputs, "header": header, "rows": rows, "grader": grader}


HONEST = ["perfect", "shuffled", "partial", "no_check_call", "blank", "syntax_error", "other_forms", "two_notebooks",
          "practised", "with_a_pipe", "m" * 240, "infinite_loop", "interrupt", "exits_midway", "big_outputs",
          "invalid_json", "empty", "twice", "extraction_partial"] + (
    ["memory_hog"] if MEMORY_LIMIT_ENFORCED else [])
CHEATS = ["forged_result", "lying_objects", "huge_number", "deep_folder", "patched_globals", "reads_git",
          "reads_solutions", "ctypes_calls", "tripwire_off", "fills_disk", "forks_memory", "kills_runner",
          "deletes_files", "writes_outside", "=HYPERLINK(1)", "old_helpers"]


def _csv_id(student: str) -> str:
    return gradebook.safe_cell(student)


pytestmark = needs_bubblewrap


def test_the_fixture_class_is_the_one_listed_here(graded_class):
    assert sorted(graded_class["expected"]) == sorted(HONEST + CHEATS)
    assert sorted(graded_class["rows"]) == sorted(_csv_id(s) for s in HONEST + CHEATS)


@pytest.mark.parametrize("student", HONEST + CHEATS)
def test_each_submission_gets_its_exact_score_and_reason(graded_class, student):
    score, phrase = graded_class["expected"][student]
    row = graded_class["rows"][_csv_id(student)]
    assert float(row["raw_score"]) == score, row["comments"]
    assert float(row["score"]) == score
    assert float(row["max_score"]) == 19
    assert row["sandbox"] == "bubblewrap"
    if phrase:
        assert phrase in row["comments"]
    if score == 0:
        assert row["comments"], "a zero always comes with its reason"


def test_no_submission_is_the_graders_failure(graded_class):
    assert [g.student_id for g in graded_class["outputs"].results if g.outcome == "error"] == []


def test_every_entry_is_graded_or_skipped_with_its_reason(graded_class):
    outputs = graded_class["outputs"]
    with outputs.skipped.open(encoding="utf-8", newline="") as handle:
        skipped = {row["entry"]: row["reason"] for row in csv.DictReader(handle)}
    assert sorted(skipped) == sorted(graded_class["skipped"])
    for entry, phrase in graded_class["skipped"].items():
        assert phrase in skipped[entry]
    graded_roots = {g.student_id for g in outputs.results}
    entries = {p.name for p in (graded_class["root"] / "submissions").iterdir()}
    accounted = {e for e in entries if Path(e).stem in graded_roots or e in graded_roots} | set(skipped)
    assert accounted == entries


def test_a_notebook_that_ran_out_of_time_is_graded_again_alone(graded_class):
    """A cell may time out only because another notebook hogged the processor alongside it."""
    looped = next(g for g in graded_class["outputs"].results if g.student_id == "infinite_loop")
    assert any("graded a second time alone; the better run counts (15 points, then 15)" in n for n in looped.notes)
    perfect = next(g for g in graded_class["outputs"].results if g.student_id == "perfect")
    assert not [n for n in perfect.notes if "second time" in n]


def test_forged_records_and_points_never_become_a_score(graded_class):
    row = graded_class["rows"]["forged_result"]
    assert row["00.1"] == "0", "the forged record of 00.1 claimed 999 points"
    assert all(float(row[e]) <= p for e, p in {"00.1": 2, "00.2": 2, "00.3": 3, "00.4": 2, "00.5": 2}.items())
    feedback = (graded_class["outputs"].feedback[0].parent / "forged_result.md").read_text(encoding="utf-8")
    assert "malformed answer record" in feedback
    assert "all clear" not in feedback and "flagged" not in feedback


def test_lying_objects_are_named_for_what_they_are(graded_class):
    feedback = (graded_class["outputs"].feedback[0].parent / "lying_objects.md").read_text(encoding="utf-8")
    assert "The answer is a Liar, not a number" in feedback
    assert "The answer is a Anything, not a number" in feedback


def test_gradebook_has_nbgrader_columns_then_one_per_exercise(graded_class):
    ids = [e.exercise_id for e in load_plan(SOLUTIONS / f"{ASSIGNMENT}.ipynb").exercises]
    assert graded_class["header"] == gradebook.NBGRADER_COLUMNS + ids + gradebook.TRAILING_COLUMNS
    assert ids == ["00.1", "00.2", "00.3", "00.4", "00.5", "00.6", "00.7"]
    perfect = graded_class["rows"]["perfect"]
    assert [perfect[i] for i in ids] == ["2", "2", "3", "2", "2", "", "4"]
    assert perfect["assignment"] == ASSIGNMENT
    assert perfect["needs_manual_grading"] == "00.6"


def test_no_gradebook_cell_is_a_spreadsheet_formula(graded_class):
    text = graded_class["outputs"].gradebook.read_text(encoding="utf-8")
    cells = [cell for row in csv.reader(text.splitlines()) for cell in row]
    assert "'=HYPERLINK(1)" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_written_answers_are_left_for_the_instructor(graded_class):
    with graded_class["outputs"].written_answers.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    students = {row["student_id"] for row in rows if row["exercise_id"] == "00.6"}
    assert {"perfect", "shuffled", "partial"} <= students
    assert "blank" not in students and "exits_midway" not in students
    assert all(int(row["words"]) >= 60 for row in rows)


def test_submissions_and_outside_files_are_untouched(graded_class):
    assert folder_fingerprint(graded_class["root"] / "submissions") == graded_class["before"]
    assert graded_class["canary"].read_text(encoding="utf-8") == "must survive grading"
    assert not list(graded_class["root"].rglob("outside.txt"))
    assert not Path("/home/outside.txt").exists()


def test_feedback_never_reveals_hidden_tests_or_expected_values(graded_class):
    plan = load_plan(SOLUTIONS / f"{ASSIGNMENT}.ipynb")
    secret_lines = [line.strip() for e in plan.exercises for line in e.hidden_tests.splitlines()
                    if len(line.strip()) > 12]
    assert secret_lines, "the assignment has hidden tests to keep secret"
    answers = json.loads((SOLUTIONS / "answers.json").read_text(encoding="utf-8"))["answers"]
    values = [answers[e.exercise_id]["value"] for e in plan.exercises if answers[e.exercise_id]["type"] == "number"]
    secret_numbers = {f"{v:.2f}" for v in values} | {f"{v:.1f}" for v in values if abs(v) >= 1}
    assert "7.81" in secret_numbers  # 00.1's answer: the search is for real values
    files = graded_class["outputs"].feedback
    assert sorted(p.name for p in files) == sorted(gradebook.feedback_name(s) for s in HONEST + CHEATS)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "assert" not in text
        assert not [line for line in secret_lines if line in text], path.name
        assert not [number for number in secret_numbers if number in text], path.name


def test_feedback_escapes_what_came_from_the_students_side(graded_class):
    text = (graded_class["outputs"].feedback[0].parent / "=HYPERLINK(1).md").read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<img", text) and not re.search(r"(?<!\\)\[click", text)
    assert r"\<img src=x onerror=alert(1)\>" in text and r"\[click\](http://x)" in text


def test_feedback_is_honest_about_what_ran(graded_class):
    folder = graded_class["outputs"].feedback[0].parent
    perfect = (folder / "perfect.md").read_text(encoding="utf-8")
    assert f"{FULL_MARKS:g} of {FULL_MARKS:g} points" in perfect
    assert "Hidden tests: passed" in perfect
    assert "all tests passed" not in perfect.lower()
    partial = (folder / "partial.md").read_text(encoding="utf-8")
    assert "00.1 The gap between customs and the article in 2024**: 0 / 2" in partial
    stopped = (folder / "exits_midway.md").read_text(encoding="utf-8")
    assert "Grading stopped early: the kernel stopped while running cell" in stopped and "exit code 3" in stopped
    flagged = (folder / "ctypes_calls.md").read_text(encoding="utf-8")
    assert "flagged for review (no points taken)" in flagged


def test_written_feedback_shows_no_score_until_graded(graded_class):
    text = (graded_class["outputs"].feedback[0].parent / "perfect.md").read_text(encoding="utf-8")
    assert "00.6 Which number would you cite?**: graded by your instructor" in text


def test_the_sandbox_sees_only_what_a_student_has(tmp_path):
    """Walk the whole filesystem from inside the sandbox, as the runner would see it."""
    student_package = sandbox.stage_student_package(tmp_path)
    workdir = tmp_path / "work"
    for folder in ("in", "out"):
        (workdir / folder).mkdir(parents=True)
    view = sandbox.View(workdir, student_package, uid=sandbox.FIRST_UID if os.getuid() == 0 else None)
    args, _ = sandbox.command(view, f"{sandbox.INPUTS}/run.json")
    lister = ("import os, json\n"
              "found = []\n"
              "for top, dirs, files in os.walk('/'):\n"
              "    dirs[:] = [d for d in dirs if os.path.join(top, d) not in ('/proc', '/sys', '/dev')]\n"
              "    found += [os.path.join(top, n) for n in dirs + files]\n"
              "print(json.dumps(found))")
    python = args.index(sys.executable)
    result = subprocess.run([*args[:python], sys.executable, "-I", "-c", lister], capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert len(seen) > 1000, "the walk saw the Python environment"
    package = str(sandbox.package_dir())
    private = [str(REPO_ROOT / name) for name in (".git", "solutions", "grades", "tests", "exercises", "Makefile")]
    forbidden = [p for p in seen if p.endswith("answer_key.json") or p.startswith(
        (*private, f"{package}/grading", f"{package}/tools", f"{package}/cli.py"))]
    assert forbidden == []
    assert f"{package}/exercises/checking.py" in seen and f"{package}/exercises/runner.py" in seen
    at_root = sorted({Path(p).relative_to(REPO_ROOT).parts[0] for p in seen
                      if p.startswith(str(REPO_ROOT) + "/")})
    assert set(at_root) <= {".venv", "src", "data"}, at_root
    assert str(tmp_path) not in "\n".join(seen), "other submissions' scratch space is not visible"


def test_grading_without_a_sandbox_is_refused_unless_asked(tmp_path, monkeypatch, capsys):
    from russia_china.grading import grader

    (tmp_path / "ann.ipynb").write_text('check("00.1", x)', encoding="utf-8")
    monkeypatch.setattr(grader.sandbox, "bubblewrap", lambda: None)
    assert main(["grade", str(tmp_path), "--assignment", "00", "--output", str(tmp_path / "out")]) == 2
    assert "Pass --unsandboxed" in capsys.readouterr().err
    unsandboxed = ClassGrader(SOLUTIONS, tmp_path, tmp_path / "out", "00", unsandboxed=True)
    assert unsandboxed.unsandboxed


def test_unsandboxed_rows_are_marked(tmp_path):
    submissions = tmp_path / "submissions"
    build = build_class(tmp_path / "all", tmp_path / "canary.txt")
    submissions.mkdir()
    (tmp_path / "all" / "perfect.ipynb").rename(submissions / "perfect.ipynb")
    grader = ClassGrader(SOLUTIONS, submissions, tmp_path / "grades", limits=Limits(cell_timeout=10),
                         unsandboxed=True)
    outputs = grader.grade(workers=1, progress=False)
    with outputs.gradebook.open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["sandbox"] == "NONE (--unsandboxed)" and float(row["score"]) == build["perfect"][0]


def test_make_grade_exits_zero_for_a_class_of_cheats(tmp_path):
    """Only the grader's own failure makes `grade` exit non-zero, never a student's notebook."""
    submissions = tmp_path / "submissions"
    build_class(tmp_path / "all", tmp_path / "canary.txt")
    submissions.mkdir()
    for name in ("kills_runner.ipynb", "exits_midway.ipynb", "invalid_json.ipynb"):
        (tmp_path / "all" / name).rename(submissions / name)
    assert main(["grade", str(submissions), "--assignment", "00", "--output", str(tmp_path / "out"),
                 "--workers", "2"]) == 0


def test_every_solutions_notebook_grades_to_full_marks(tmp_path):
    """Every exercise: the model solutions pass their public checks and hidden tests in the grader."""
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
        assert graded.outcome == "graded" and not graded.cell_errors and not graded.flags, (name, graded)
        assert graded.reason is None, graded.reason
        assert {e: p for e, p in points.items() if p is not None} == {
            e.exercise_id: e.points for e in plan.exercises if not e.manual}, name
        assert [e for e, p in points.items() if p is None] == [e.exercise_id for e in plan.exercises if e.manual]
