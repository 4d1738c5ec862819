"""`russia-china export`: the gradebooks as the CSV Canvas and Moodle import.

The layouts are checked against what each LMS documents (see grading/lms.py
for the sources): Canvas's own export header and its "Points Possible" row;
Moodle's CSV import, keyed on email address or ID number.
"""

from __future__ import annotations

import csv
import io

import pytest

from russia_china.cli import main
from russia_china.grading import gradebook, lms
from russia_china.grading.gradebook import Graded
from russia_china.grading.plan import load_plans
from russia_china.paths import REPO_ROOT

PLANS = load_plans(REPO_ROOT / "solutions")
PLAN = PLANS["00_introduction_exercises"]
MANUAL = [e.exercise_id for e in PLAN.exercises if e.manual]
ROSTER_COLUMNS = ["student_id", "first_name", "last_name", "email", "canvas_id", "sis_user_id", "sis_login_id",
                  "section", "id_number"]
ROSTER = [
    ["ann", "Ann", "Lee", "ann@uni.example", "101", "S-1", "alee", "Seminar A", "1001"],
    ["bob", "Bob", "=Cruz", "bob@uni.example", "102", "S-2", "bcruz", "Seminar B", "1002"],
    ["cat", "Cat", "Ng", "cat@uni.example", "103", "", "cng", "Seminar A", "1003"],
]


def _graded(student: str, auto_points: float) -> Graded:
    """Every automatic exercise at ``auto_points`` (capped at its maximum); written answers recorded."""
    exercises = [{"exercise_id": e.exercise_id, "status": "recorded" if e.manual else "public checks passed",
                  "message": "", "hidden": "passed", "points": None if e.manual else min(auto_points, e.points),
                  "max_points": e.points, "manual": e.manual} for e in PLAN.exercises]
    return Graded(student, "2026-12-01T10:00:00+00:00", "graded", exercises=exercises)


@pytest.fixture
def grades(tmp_path):
    """A grades folder with 00's gradebook for ann and bob (cat handed nothing in), and a roster."""
    folder = tmp_path / "grades"
    roster = {row[0]: dict(zip(ROSTER_COLUMNS, row)) for row in ROSTER}
    gradebook.write_gradebook(folder / PLAN.name / "gradebook.csv", [_graded("ann", 99), _graded("bob", 1)], PLAN,
                              roster)
    with (tmp_path / "roster.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([ROSTER_COLUMNS, *ROSTER])
    return folder


def _fill_manual(path, points: dict[str, str]) -> None:
    """What an instructor does after grading written answers: write the points into the exercise columns."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        columns = list(rows[0])
    for row in rows:
        for exercise_id in MANUAL:
            row[exercise_id] = points[row["student_id"]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _read(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_canvas_gets_its_own_export_layout_with_points_possible(grades, tmp_path):
    _fill_manual(grades / PLAN.name / "gradebook.csv", {"ann": "4", "bob": "0"})
    out = tmp_path / "canvas.csv"
    assert main(["export", "--format", "canvas", "--roster", str(tmp_path / "roster.csv"), "--grades", str(grades),
                 "--output", str(out), "--canvas-id", f"{PLAN.name}=4757"]) == 0
    rows = _read(out)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{PLAN.name} (4757)"]
    assert rows[1] == ["    Points Possible", "", "", "", "", f"{PLAN.max_score:g}"]
    by_id = {row[1]: row for row in rows[2:]}
    auto_max = sum(e.points for e in PLAN.exercises if not e.manual)
    assert by_id["101"] == ["Lee, Ann", "101", "S-1", "alee", "Seminar A", f"{auto_max + 4 * len(MANUAL):g}"]
    # One point per automatic exercise, none for the written ones.
    assert by_id["102"][5] == f"{sum(1 for e in PLAN.exercises if not e.manual):g}"
    # A name a spreadsheet would run as a formula is neutralised; a student who handed nothing in is left blank.
    assert by_id["102"][0] == "'=Cruz, Bob" and by_id["103"][5] == ""
    assert out.read_bytes().count(b"\r\n") == len(rows)


def test_moodle_gets_one_row_per_student_keyed_on_email_or_id_number(grades, tmp_path):
    _fill_manual(grades / PLAN.name / "gradebook.csv", {"ann": "2", "bob": "1"})
    out = tmp_path / "moodle.csv"
    assert main(["export", "--format", "moodle", "--roster", str(tmp_path / "roster.csv"), "--grades", str(grades),
                 "--output", str(out), "--missing", "zero", "--moodle-key", "idnumber"]) == 0
    rows = _read(out)
    assert rows[0] == ["First name", "Last name", "ID number", "Email address", PLAN.name]
    emails = {row[3]: row for row in rows[1:]}
    assert emails["cat@uni.example"] == ["Cat", "Ng", "1003", "cat@uni.example", "0"]
    assert emails["ann@uni.example"][2] == "1001" and float(emails["ann@uni.example"][4]) > 0


def test_totals_waiting_for_written_answers_are_refused_unless_partial(grades, tmp_path, capsys):
    args = ["export", "--format", "canvas", "--roster", str(tmp_path / "roster.csv"), "--grades", str(grades),
            "--output", str(tmp_path / "out.csv")]
    assert main(args) == 2
    error = capsys.readouterr().err
    assert "written answers are still to be graded" in error and f"ann ({', '.join(MANUAL)})" in error
    assert not (tmp_path / "out.csv").exists()
    assert main([*args, "--partial"]) == 0
    assert "count 0 in these totals" in capsys.readouterr().out


def test_a_hand_edited_cell_that_is_not_a_score_names_its_file_row_and_column(grades, tmp_path):
    path = grades / PLAN.name / "gradebook.csv"
    _fill_manual(path, {"ann": "4", "bob": "9"})  # bob's written answers get more than they are worth
    with pytest.raises(lms.ExportError, match=rf"gradebook.csv, row 3, column {MANUAL[0]}: 9 is not between 0 and"):
        lms.read_gradebook(path, PLAN)
    _fill_manual(path, {"ann": "four", "bob": "1"})
    with pytest.raises(lms.ExportError, match=rf"row 2, column {MANUAL[0]}: 'four' is not a number"):
        lms.read_gradebook(path, PLAN)


def test_a_late_penalty_comes_off_the_total_and_never_below_zero(grades):
    path = grades / PLAN.name / "gradebook.csv"
    _fill_manual(path, {"ann": "0", "bob": "0"})
    text = path.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    column = header.index("late_submission_penalty")
    rows = [line.split(",") for line in text[1:]]
    rows[0][column], rows[1][column] = "2", "50"
    path.write_text("\n".join([text[0], *(",".join(r) for r in rows)]) + "\n", encoding="utf-8")
    marks = lms.read_gradebook(path, PLAN)
    auto_max = sum(e.points for e in PLAN.exercises if not e.manual)
    assert marks.scores == {"ann": auto_max - 2, "bob": 0.0}


def test_students_the_lms_cannot_identify_stop_the_export(grades, tmp_path):
    marks = [lms.read_gradebook(grades / PLAN.name / "gradebook.csv", PLAN)]
    roster = {row[0]: dict(zip(ROSTER_COLUMNS, row)) for row in ROSTER}
    without_ann = {k: v for k, v in roster.items() if k != "ann"}
    with pytest.raises(lms.ExportError, match="the roster has no row for ann"):
        lms.canvas_rows(marks, without_ann)
    roster["cat"] = {**roster["cat"], "canvas_id": "", "sis_user_id": ""}
    with pytest.raises(lms.ExportError, match="cat has no Canvas ID or SIS User ID"):
        lms.canvas_rows(marks, roster)
    roster["bob"] = {**roster["bob"], "email": ""}
    with pytest.raises(lms.ExportError, match="bob has no email address"):
        lms.moodle_rows(marks, roster)


def test_export_without_gradebooks_says_what_to_run(tmp_path, capsys):
    (tmp_path / "roster.csv").write_text("student_id\nann\n", encoding="utf-8")
    assert main(["export", "--format", "moodle", "--roster", str(tmp_path / "roster.csv"),
                 "--grades", str(tmp_path / "none")]) == 2
    assert "run `russia-china grade` first" in capsys.readouterr().err
