"""The grader's parts, without starting kernels: plans, discovery, guard, gradebook."""

from __future__ import annotations

import os

import nbformat
import pytest

from russia_china.cli import main
from russia_china.grading import gradebook
from russia_china.grading.gradebook import Graded
from russia_china.grading.kernel_session import _Guard
from russia_china.grading.plan import load_plan, load_plans
from russia_china.grading.submissions import find_submissions, guess_assignment
from russia_china.grading.worker import read_submission
from russia_china.paths import REPO_ROOT

SOLUTIONS = REPO_ROOT / "solutions"


def test_every_auto_graded_exercise_has_hidden_tests_found_by_id():
    plans = load_plans(SOLUTIONS)
    assert len(plans) == 6
    for plan in plans.values():
        assert len(plan.exercises) >= 5
        for exercise in plan.exercises:
            if not exercise.manual:
                assert f'answers["{exercise.exercise_id}"]' in exercise.hidden_tests, exercise.exercise_id
                assert exercise.answer_name, exercise.exercise_id
            for other in plan.exercises:
                if other is not exercise:
                    assert f'answers["{other.exercise_id}"]' not in exercise.hidden_tests


def test_hidden_tests_before_any_check_call_are_an_error(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS")])
    nbformat.write(nb, tmp_path / "x.ipynb")
    (tmp_path / "x.yml").write_text('"9.1": {kind: number, points: 1, tolerance: 0.1}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="belong to no exercise"):
        load_plan(tmp_path / "x.ipynb")


def test_submissions_are_one_per_file_or_folder(tmp_path):
    (tmp_path / "ann.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "ben").mkdir()
    (tmp_path / "ben" / "notes.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "ben" / "02_economics_exercises.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "ben" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "ben" / ".ipynb_checkpoints" / "02_economics_exercises-checkpoint.ipynb").write_text("{}")
    (tmp_path / "cat").mkdir()
    (tmp_path / ".DS_Store").write_text("", encoding="utf-8")
    found = {s.student_id: s for s in find_submissions(tmp_path, "02_economics_exercises", set())}
    assert sorted(found) == ["ann", "ben", "cat"]
    assert found["ben"].notebook.name == "02_economics_exercises.ipynb"
    assert found["cat"].notebook is None


def test_two_submissions_for_one_student_are_refused(tmp_path):
    (tmp_path / "ann.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "ann.txt").write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="share a student id: ann"):
        find_submissions(tmp_path, "x", set())


def test_the_assignment_is_guessed_from_exercise_ids(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.ipynb").write_text('check(\\"03.1\\", x) check(\\"03.2\\", y)', encoding="utf-8")
    plans = {n: set(p.ids) for n, p in load_plans(SOLUTIONS).items()}
    assert guess_assignment(tmp_path, plans) == "03_military_exercises"
    (tmp_path / "a.ipynb").write_text("nothing", encoding="utf-8")
    (tmp_path / "b.ipynb").write_text("nothing", encoding="utf-8")
    with pytest.raises(ValueError, match="pass --assignment"):
        guess_assignment(tmp_path, plans)


@pytest.mark.parametrize(("content", "reason"), [
    (None, "no notebook was found"),
    ("x.pdf", "is not a Jupyter notebook"),
    ("{broken", "is not a valid notebook"),
    ('{"cells": 3}', "is not a valid notebook"),
    ("EMPTY", "is empty"),
])
def test_unreadable_submissions_get_a_reason(tmp_path, content, reason):
    if content is None:
        path = None
    elif content == "x.pdf":
        path = tmp_path / "x.pdf"
        path.write_bytes(b"%PDF")
    elif content == "EMPTY":
        path = tmp_path / "e.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("   ")]), path)
    else:
        path = tmp_path / "b.ipynb"
        path.write_text(content, encoding="utf-8")
    nb, problem = read_submission(path)
    assert nb is None and reason in problem


@pytest.fixture
def guard(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "solutions").mkdir()
    return _Guard(str(tmp_path / "mine"), {str(tmp_path / "solutions"): "the solutions"}), tmp_path


def test_guard_allows_reading_and_writing_in_the_submissions_folder(guard):
    hook, root = guard
    hook("open", (str(root / "mine" / "chart.png"), "wb", 0))
    hook("open", (str(REPO_ROOT / "data" / "gdp.csv"), "r", 0))
    hook("os.remove", (str(root / "mine" / "old.png"), None))
    hook("open", (3, "r", 0))
    assert hook.violations == []


@pytest.mark.parametrize(("event", "args", "reason"), [
    ("open", ("{root}/solutions/answers.json", "r", 0), "tried to read the solutions"),
    ("open", ("{root}/mine/../solutions/x", "r", 0), "tried to read the solutions"),
    ("open", ("{root}/elsewhere.txt", "w", 0), "tried to write outside its folder"),
    ("open", ("{root}/elsewhere.txt", None, os.O_WRONLY | os.O_CREAT), "tried to write outside its folder"),
    ("os.remove", ("{root}/canary", None), "tried to change files outside its folder"),
    ("shutil.rmtree", ("{root}", None), "tried to change files outside its folder"),
    ("os.rename", ("{root}/mine/a", "{root}/b", None, None), "tried to change files outside its folder"),
    ("subprocess.Popen", ("rm", ["rm", "-rf", "/"], None, None), "tried to run another program"),
    ("socket.connect", (None, ("example.org", 80)), "tried to use the network"),
])
def test_guard_blocks_and_records(guard, event, args, reason):
    hook, root = guard
    args = tuple(a.format(root=root) if isinstance(a, str) else a for a in args)
    with pytest.raises(PermissionError, match=reason):
        hook(event, args)
    assert reason in hook.violations[0]


def test_gradebook_write_is_atomic(tmp_path, monkeypatch):
    plan = load_plan(SOLUTIONS / "00_introduction_exercises.ipynb")
    path = tmp_path / "gradebook.csv"
    path.write_text("the previous gradebook\n", encoding="utf-8")

    def fail(*_):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    graded = [Graded("ann", "2026-01-01T00:00:00+00:00", "zero", reason="empty")]
    with pytest.raises(OSError, match="disk full"):
        gradebook.write_gradebook(path, graded, plan, {})
    assert path.read_text(encoding="utf-8") == "the previous gradebook\n"
    assert [p.name for p in tmp_path.iterdir()] == ["gradebook.csv"]


def test_roster_fills_names_and_emails(tmp_path):
    plan = load_plan(SOLUTIONS / "00_introduction_exercises.ipynb")
    roster = {"ann": {"student_id": "ann", "first_name": "Ann", "last_name": "Lee", "email": "ann@example.edu"}}
    rows = gradebook.gradebook_rows([Graded("ann", "t", "zero", reason="empty")], plan, roster, "2026-12-01")
    assert (rows[0]["first_name"], rows[0]["last_name"], rows[0]["email"], rows[0]["duedate"]) == (
        "Ann", "Lee", "ann@example.edu", "2026-12-01")
    assert rows[0]["raw_score"] == "0" and rows[0]["comments"] == "scored 0: empty"


def test_grade_command_explains_a_missing_folder(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "nowhere"), "--assignment", "00", "--output", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_grade_command_explains_an_unknown_assignment(tmp_path, capsys):
    assert main(["grade", str(tmp_path), "--assignment", "99", "--output", str(tmp_path)]) == 2
    assert "no single assignment matches '99'" in capsys.readouterr().err




def test_the_sandbox_never_hides_what_the_worker_needs(tmp_path):
    import sys

    from russia_china.grading import sandbox

    if sandbox.bubblewrap() is None:
        pytest.skip("bubblewrap is not installed here; the command is only built with it")
    other = tmp_path / "other_students"
    other.mkdir()
    command = sandbox.worker_command(tmp_path / "work", [other, REPO_ROOT.parent, REPO_ROOT / "solutions"], True)
    hidden = [command[i + 1] for i, part in enumerate(command) if part == "--tmpfs"]
    assert hidden == [str(other), str(REPO_ROOT / "solutions")]
    assert "-I" in command and command[command.index("-I") - 1] == sys.executable
