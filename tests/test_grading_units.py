"""The grader's parts, without starting kernels: plans, discovery, untrusted files, gradebook safety."""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from russia_china.cli import main
from russia_china.grading import gradebook
from russia_china.grading.gradebook import Graded
from russia_china.grading.grader import Limits, read_submission
from russia_china.grading.plan import load_plan, load_plans
from russia_china.grading.returned import parse_channel, parse_report
from russia_china.grading.submissions import answered, find_submissions, guess_assignment
from russia_china.paths import REPO_ROOT

SOLUTIONS = REPO_ROOT / "solutions"
PLAN_00 = load_plan(SOLUTIONS / "00_introduction_exercises.ipynb")


def test_every_auto_graded_exercise_has_hidden_tests_found_by_id():
    plans = load_plans(SOLUTIONS)
    assert len(plans) == len(list(SOLUTIONS.glob("[0-9][0-9]_*_exercises.ipynb"))) == 7
    for plan in plans.values():
        assert len(plan.exercises) >= 5
        for exercise in plan.exercises:
            if not exercise.manual:
                # An extraction's public check compares every row, and its partial credit comes from that check.
                if exercise.kind != "extraction":
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


def _notebook(path, *sources):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)


def test_every_entry_is_a_submission_or_skipped_with_a_reason(tmp_path):
    _notebook(tmp_path / "ann.ipynb", "x = 1")
    _notebook(tmp_path / "ben" / "notes.ipynb", 'x = ...\ncheck("02.1", x)')
    _notebook(tmp_path / "ben" / "work.ipynb", 'x = 3\ncheck("02.1", x)', 'y = 4\ncheck("02.2", y)')
    _notebook(tmp_path / "ben" / ".ipynb_checkpoints" / "work-checkpoint.ipynb", "x = 1")
    (tmp_path / "cat").mkdir()
    (tmp_path / ".DS_Store").write_text("", encoding="utf-8")
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / "~ann.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "essay.docx").write_bytes(b"PK")
    (tmp_path / "dan.ipynb").symlink_to(tmp_path / "ann.ipynb")
    _notebook(tmp_path / "ann" / "again.ipynb", "x = 2")
    found, skipped = find_submissions(tmp_path)
    found = {s.student_id: s for s in found}
    assert sorted(found) == ["ann", "ben", "cat"]
    assert found["ann"].notebook.name == "ann.ipynb" or found["ann"].root.is_dir()
    assert found["ben"].notebook.name == "work.ipynb" and "most answered exercises (2)" in found["ben"].note
    assert found["cat"].notebook is None
    reasons = {s.entry: s.reason for s in skipped}
    assert set(reasons) == {".DS_Store", "__MACOSX", "~ann.ipynb", "essay.docx", "dan.ipynb", "ann.ipynb"}
    assert "hidden or temporary" in reasons["__MACOSX"] and "symbolic link" in reasons["dan.ipynb"]
    assert "not a Jupyter notebook (.docx)" in reasons["essay.docx"]
    assert "a second entry for student ann" in reasons["ann.ipynb"]


def test_an_untouched_download_counts_no_answered_exercises():
    assert answered(REPO_ROOT / "exercises" / "00_introduction_exercises.ipynb") == 0
    assert answered(SOLUTIONS / "00_introduction_exercises.ipynb") == 7


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
    ("BIG_CODE", "even without its outputs; the limit is 1 MB (--max-notebook-mb)"),
])
def test_unreadable_submissions_get_a_reason(tmp_path, content, reason):
    if content is None:
        path = None
    elif content == "x.pdf":
        path = tmp_path / "x.pdf"
        path.write_bytes(b"%PDF")
    elif content == "EMPTY":
        path = tmp_path / "e.ipynb"
        _notebook(path, "   ")
    elif content == "BIG_CODE":
        path = tmp_path / "b.ipynb"
        _notebook(path, "x = '" + "a" * 2 * 2**20 + "'")
    else:
        path = tmp_path / "b.ipynb"
        path.write_text(content, encoding="utf-8")
    nb, problem = read_submission(path, Limits(notebook_mb=1))
    assert nb is None and reason in problem


def test_stored_outputs_are_dropped_before_the_size_limit(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('x')")])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 3 * 2**20)]
    nbformat.write(nb, tmp_path / "a.ipynb")
    read, problem = read_submission(tmp_path / "a.ipynb", Limits(notebook_mb=1))
    assert problem is None and read.cells[0].outputs == []


# -- what comes back from the sandbox is untrusted ---------------------------------------


def _channel(*lines) -> bytes:
    return "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines).encode()


def test_answer_records_are_validated_and_the_last_valid_one_counts():
    told = parse_channel(_channel(
        {"exercise_id": "00.1", "via": "check", "answer": {"type": "number", "value": 1.0}},
        {"exercise_id": "00.1", "via": "check", "answer": {"type": "number", "value": 2.0}},
        {"exercise_id": "00.2", "via": "check", "answer": {"type": "text", "value": "x"}, "points": 99},
        {"exercise_id": "00.5", "via": "variable", "answer": {"type": "number", "value": 3}},
        {"exercise_id": "99.9", "via": "check", "answer": {}},
        {"exercise_id": "00.4", "via": "sudo", "answer": {}},
        ["not", "a", "record"], "{broken", "[" * 100_000), PLAN_00)
    assert told.answers["00.1"]["answer"]["value"] == 2.0
    assert told.answers["00.2"]["answer"]["what"] == "malformed answer record"
    assert told.answers["00.4"]["answer"]["what"] == "malformed answer record"
    assert told.answers["00.5"] == {"via": "variable", "answer": {"type": "number", "value": 3}}
    assert told.ignored == 4 and told.report is None and told.flags == []


@pytest.mark.parametrize("report", [
    None, "not a report", [], {"finished": "yes", "cells": [], "died": None},
    {"finished": True, "cells": [{"cell": "1", "outcome": "error", "ename": "E", "evalue": ""}], "died": None},
    {"finished": True, "cells": [{"cell": 1, "outcome": "points", "ename": "E", "evalue": ""}], "died": None},
    {"finished": True, "cells": {"cell": 1}, "died": None}, {"finished": True, "cells": [], "died": [1]},
])
def test_a_malformed_report_is_no_report(report):
    assert parse_report(report) is None


def test_a_report_keeps_only_checked_fields():
    report = parse_report({
        "finished": False, "points": 999, "died": {"cell": 3, "exit_code": "3", "signal": 9, "extra": 1},
        "cells": [{"cell": 2, "outcome": "error", "ename": "E" * 500, "evalue": "v" * 5000, "x": 1},
                  {"cell": 4, "outcome": "error", "ename": "Instructor note - full marks", "evalue": "a\nb"}]})
    assert report == {"finished": False, "died": {"cell": 3, "exit_code": None, "signal": 9},
                      "cells": [{"cell": 2, "outcome": "error", "ename": "E" * 60, "evalue": "v" * 200},
                                {"cell": 4, "outcome": "error", "ename": "an exception", "evalue": "a b"}]}


def test_the_last_report_counts_and_flags_are_only_names_the_tripwire_writes():
    told = parse_channel(_channel(
        {"report": {"finished": True, "cells": [], "died": None, "points": 5}},
        {"flag": "os.fork"}, {"flag": "ctypes.open"}, {"flag": "I am innocent"}, {"flag": "=cmd()"},
        {"flag": "os.fork", "extra": 1}, {"report": "forged"}), PLAN_00)
    assert told.flags == ["ctypes.open", "os.fork"]
    assert told.report is None, "the last report was malformed"
    assert told.ignored == 3


# -- the gradebook -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(value):
    assert gradebook.safe_cell(value) == "'" + value


def test_ordinary_cells_are_left_alone():
    assert gradebook.safe_cell("11") == "11" and gradebook.safe_cell("cell 3 raised =x") == "cell 3 raised =x"


def test_markdown_from_students_is_escaped():
    escaped = gradebook.escape_markdown("# <script>x</script> [a](b) *c* `d`\nnext line")
    assert escaped == r"\# \<script\>x\</script\> \[a\](b) \*c\* \`d\` next line"


def test_points_never_exceed_an_exercises_maximum():
    exercises = [{"exercise_id": e.exercise_id, "status": "public checks passed", "message": "", "hidden": "passed",
                  "points": 999, "max_points": e.points, "manual": e.manual} for e in PLAN_00.exercises]
    points = Graded("ann", "t", "graded", exercises=exercises).points(PLAN_00)
    assert all(points[e.exercise_id] <= e.points for e in PLAN_00.exercises if not e.manual)


def test_gradebook_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "gradebook.csv"
    path.write_text("the previous gradebook\n", encoding="utf-8")

    def fail(*_):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    graded = [Graded("ann", "2026-01-01T00:00:00+00:00", "zero", reason="empty")]
    with pytest.raises(OSError, match="disk full"):
        gradebook.write_gradebook(path, graded, PLAN_00, {})
    assert path.read_text(encoding="utf-8") == "the previous gradebook\n"
    assert [p.name for p in tmp_path.iterdir()] == ["gradebook.csv"]


def test_roster_fills_names_and_emails():
    roster = {"ann": {"student_id": "ann", "first_name": "Ann", "last_name": "Lee", "email": "ann@example.edu"}}
    rows = gradebook.gradebook_rows([Graded("ann", "t", "zero", reason="empty")], PLAN_00, roster, "2026-12-01")
    assert (rows[0]["first_name"], rows[0]["last_name"], rows[0]["email"], rows[0]["duedate"]) == (
        "Ann", "Lee", "ann@example.edu", "2026-12-01")
    assert rows[0]["raw_score"] == "0" and rows[0]["comments"] == "scored 0: empty"


def test_grade_command_explains_a_missing_folder(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "nowhere"), "--assignment", "00", "--output", str(tmp_path),
                 "--unsandboxed"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_grade_command_explains_an_unknown_assignment(tmp_path, capsys):
    assert main(["grade", str(tmp_path), "--assignment", "99", "--output", str(tmp_path), "--unsandboxed"]) == 2
    assert "no single assignment matches '99'" in capsys.readouterr().err
