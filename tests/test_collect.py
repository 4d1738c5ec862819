"""`russia-china collect`: notebooks from the hub's homes into a class folder,
late ones marked, nothing in a home trusted."""

from __future__ import annotations

import csv
import os
from datetime import UTC, datetime

import pytest

from russia_china.cli import main
from russia_china.grading import gradebook
from russia_china.grading.collect import collect
from russia_china.grading.deadline import late_by, parse_due
from russia_china.grading.gradebook import Graded
from russia_china.grading.plan import load_plans
from russia_china.paths import REPO_ROOT

ASSIGNMENT = "02_economics_exercises"
COURSE = "russia-china-course"
DUE = "2026-12-08T17:00+00:00"
BEFORE = datetime(2026, 12, 8, 16, 0, tzinfo=UTC).timestamp()
AFTER = datetime(2026, 12, 8, 19, 5, tzinfo=UTC).timestamp()


def _notebook(home, content: str, when: float):
    path = home / COURSE / "exercises" / f"{ASSIGNMENT}.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    os.utime(path, (when, when))
    return path


@pytest.fixture
def homes(tmp_path):
    root = tmp_path / "home"
    _notebook(root / "ann", '{"ann": 1}', BEFORE)
    _notebook(root / "bob", '{"bob": 1}', AFTER)
    (root / "cat").mkdir(parents=True)  # never opened the link
    elsewhere = tmp_path / "solutions.ipynb"
    elsewhere.write_text("the solutions", encoding="utf-8")
    linked = root / "dan" / COURSE / "exercises" / f"{ASSIGNMENT}.ipynb"
    linked.parent.mkdir(parents=True)
    linked.symlink_to(elsewhere)
    _notebook(tmp_path / "someone", '{"someone": 1}', BEFORE)
    (root / "eve").mkdir()
    (root / "eve" / COURSE).symlink_to(tmp_path / "someone" / COURSE)
    (root / "fay" / COURSE / "exercises" / f"{ASSIGNMENT}.ipynb").mkdir(parents=True)
    (root / ".cache").mkdir()
    return root


def test_each_home_is_collected_missing_or_refused_with_its_reason(homes, tmp_path):
    out = tmp_path / "submitted" / ASSIGNMENT
    rows = {r.student_id: r for r in collect(homes, ASSIGNMENT, out, course_folder=COURSE, due=parse_due(DUE))}
    assert sorted(rows) == ["ann", "bob", "cat", "dan", "eve", "fay"]
    assert (rows["ann"].status, rows["ann"].late_by) == ("collected", "")
    assert (rows["bob"].status, rows["bob"].late_by) == ("collected", "2 h 5 min")
    assert rows["cat"].status == "missing"
    assert rows["dan"].status == "refused" and "is a symbolic link" in rows["dan"].detail
    assert rows["eve"].status == "refused" and f"eve/{COURSE} is a symbolic link" in rows["eve"].detail
    assert rows["fay"].status == "refused" and "not a regular file" in rows["fay"].detail
    assert sorted(p.name for p in out.iterdir()) == ["ann.ipynb", "bob.ipynb"]
    assert (out / "bob.ipynb").read_text(encoding="utf-8") == '{"bob": 1}'
    assert (out / "bob.ipynb").stat().st_mtime == AFTER  # the gradebook's submission time
    with (tmp_path / "submitted" / f"{ASSIGNMENT}-collected.csv").open(encoding="utf-8") as handle:
        written = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert written["bob"]["late_by"] == "2 h 5 min" and written["dan"]["status"] == "refused"
    assert written["ann"]["modified"] == "2026-12-08T16:00:00+00:00"
    assert written["ann"]["due"] == "2026-12-08T17:00:00+00:00"


def test_the_roster_maps_student_ids_to_hub_users(homes, tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,hub_user\ns-100,ann\ns-200,bob\n", encoding="utf-8")
    out = tmp_path / "class"
    assert main(["collect", "--homes", str(homes), "--assignment", "02", "--course-folder", COURSE,
                 "--output", str(out), "--due", DUE, "--roster", str(roster)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["s-100.ipynb", "s-200.ipynb"]
    printed = capsys.readouterr().out
    assert "collected 2 of 2 student(s)" in printed and "late 1" in printed and "s-200: late by 2 h 5 min" in printed


def test_student_ids_that_cannot_name_a_file_are_refused(homes, tmp_path):
    with pytest.raises(ValueError, match=r"student ids that cannot name a file: '\.\./x'"):
        collect(homes, ASSIGNMENT, tmp_path / "out", course_folder=COURSE, students={"../x": "ann"})


def test_due_dates_and_lateness_read_as_people_write_them():
    assert parse_due("2026-12-08") == datetime(2026, 12, 8, 23, 59, 59, tzinfo=UTC)
    assert parse_due("") is None
    with pytest.raises(ValueError, match="write a date"):
        parse_due("next Tuesday")
    due = parse_due("2026-12-08T17:00+01:00")
    assert late_by(datetime(2026, 12, 8, 17, 0, tzinfo=UTC), due) == "1 h"
    assert late_by(datetime(2026, 12, 10, 16, 30, tzinfo=UTC), due) == "2 d 30 min"
    assert late_by(datetime(2026, 12, 8, 15, 59, tzinfo=UTC), due) == ""
    assert late_by(datetime(2026, 12, 8, 16, 0, 30, tzinfo=UTC), due) == "under a minute"


def test_the_gradebook_marks_a_late_submission_without_taking_points():
    plan = load_plans(REPO_ROOT / "solutions")["00_introduction_exercises"]
    results = [Graded("ann", "2026-12-08T16:00:00+00:00", "zero", reason="empty"),
               Graded("bob", "2026-12-09T18:00:00+00:00", "zero", reason="empty")]
    rows = {r["student_id"]: r for r in gradebook.gradebook_rows(results, plan, {}, "2026-12-08T17:00+00:00")}
    assert "after the due date" not in rows["ann"]["comments"]
    assert rows["bob"]["comments"].startswith("submitted 1 d 1 h after the due date (marked, no points taken)")
    assert rows["bob"]["late_submission_penalty"] == "0"


def test_grade_refuses_a_due_date_it_cannot_read(tmp_path, capsys):
    assert main(["grade", str(tmp_path), "--assignment", "00", "--due", "soon", "--unsandboxed"]) == 2
    assert "--due 'soon'" in capsys.readouterr().err


def _graded_folder(tmp_path, students: list[str]):
    grades = tmp_path / "grades" / ASSIGNMENT
    (grades / "feedback").mkdir(parents=True)
    for student in students:
        (grades / "feedback" / f"{student}.md").write_text(f"# Feedback for {student}\n", encoding="utf-8")
    return grades


def test_feedback_lands_in_each_students_own_home_and_nowhere_else(homes, tmp_path, capsys):
    from russia_china.grading.handback import return_feedback

    grades = _graded_folder(tmp_path, ["ann", "bob", "cat", "gus"])
    (homes / "bob" / COURSE / "feedback").mkdir()
    (homes / "bob" / COURSE / "feedback" / f"{ASSIGNMENT}.md").write_text("an earlier return", encoding="utf-8")
    (homes / "ann" / COURSE / "feedback").symlink_to(homes / "bob" / COURSE / "exercises")  # ann's trap
    rows = {r.student_id: r for r in return_feedback(grades, homes, course_folder=COURSE)}
    assert rows["bob"].status == "returned"
    assert (homes / "bob" / COURSE / "feedback" / f"{ASSIGNMENT}.md").read_text() == "# Feedback for bob\n"
    assert rows["ann"].status == "refused" and "feedback is a symbolic link" in rows["ann"].detail
    assert not (homes / "bob" / COURSE / "exercises" / f"{ASSIGNMENT}.md").exists()
    assert rows["cat"].status == "missing" and rows["gus"].status == "missing"
    written = sorted(str(p.relative_to(homes)) for p in homes.rglob(f"{ASSIGNMENT}.md"))
    assert written == [f"bob/{COURSE}/feedback/{ASSIGNMENT}.md"]
    assert main(["return", "--homes", str(homes), "--assignment", "02", "--grades", str(tmp_path / "grades"),
                 "--course-folder", COURSE]) == 1
    assert "ann: refused" in capsys.readouterr().out
