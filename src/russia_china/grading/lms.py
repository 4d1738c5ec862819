"""Marks for the learning management system: the course's gradebooks as the CSV
that Canvas or Moodle imports.

Canvas ("Grades > Import"): the columns of Canvas's own gradebook export,
which its import reads back: Student, ID, SIS User ID, SIS Login ID, Section,
then one column per assignment, titled "Name" or "Name (Canvas assignment id)";
the second row is "    Points Possible" (four spaces) with each assignment's
maximum. Canvas matches a student by ID (its user id) or SIS User ID, or by
the name in the Student column. Sources: Canvas's exporter,
instructure/canvas-lms lib/gradebook_exporter.rb (header and "Points Possible"
row); the Ohio State University's guide "Import CSV File for Carmen Grades"
(https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades):
one of Student name, Student ID or SIS User ID is required, with SIS Login ID,
Section and one column per assignment; a column Canvas does not know creates a
new assignment.

Moodle ("Grade administration > Import > CSV file"): any columns, mapped at
import. "Identify user by": "Map from" a column of the file, "Map to" the
user's email address (useremail) or ID number (useridnumber); then each grade
column is mapped to a grade item. Source: MoodleDocs, "Grade import"
(https://docs.moodle.org/311/en/Grade_import; the same in later versions):
"Change both dropdowns to: 'Email Address' to 'useremail', or to 'Id Number'
to 'useridnumber'", and email addresses are compared case-sensitively.

The roster (``--roster``) says how a student id of the hub maps to the LMS:
columns student_id, first_name, last_name, email, and for Canvas canvas_id,
sis_user_id, sis_login_id and section; for Moodle id_number. Scores are read
back from each gradebook's exercise columns, so points an instructor wrote in
by hand for written answers count.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .gradebook import NBGRADER_COLUMNS, atomic_write, safe_cell
from .plan import AssignmentPlan

FORMATS = ("canvas", "moodle")
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
#: Canvas's export puts four spaces before it, and its import looks for the row as written.
CANVAS_POINTS_POSSIBLE = "    Points Possible"
MOODLE_IDENTITY = ["First name", "Last name", "ID number", "Email address"]
MOODLE_KEYS = {"email": "email", "idnumber": "id_number"}


class ExportError(ValueError):
    """A gradebook or roster the export cannot use; the message names the file, row and column."""


@dataclass(frozen=True)
class AssignmentMarks:
    """One assignment's scores as a gradebook holds them."""

    name: str
    max_score: float
    #: student_id -> total points, with the late penalty taken off
    scores: dict[str, float]
    #: student_id -> exercises whose points are still to be written in by hand
    pending: dict[str, list[str]]


def _number(text: str, where: str, low: float, high: float | None) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ExportError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        limit = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise ExportError(f"{where}: {text} is not {limit}")
    return value


def read_gradebook(path: Path, plan: AssignmentPlan) -> AssignmentMarks:
    """An assignment's scores from its gradebook.csv, every cell checked against the plan."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        missing = [c for c in [*NBGRADER_COLUMNS, *(e.exercise_id for e in plan.exercises)] if c not in columns]
        if missing:
            raise ExportError(f"{path}, row 1: no column {', '.join(missing)}; is this the gradebook of {plan.name}?")
        scores: dict[str, float] = {}
        pending: dict[str, list[str]] = {}
        for line, row in enumerate(reader, start=2):
            student = (row["student_id"] or "").strip()
            if not student:
                raise ExportError(f"{path}, row {line}, column student_id: empty")
            if student in scores:
                raise ExportError(f"{path}, row {line}, column student_id: {student} appears twice")
            total = 0.0
            for exercise in plan.exercises:
                cell = (row[exercise.exercise_id] or "").strip()
                where = f"{path}, row {line}, column {exercise.exercise_id}"
                if not cell:
                    if not exercise.manual:
                        raise ExportError(f"{where}: empty, but the grader scores this exercise itself")
                    pending.setdefault(student, []).append(exercise.exercise_id)
                    continue
                total += _number(cell, where, 0, exercise.points)
            penalty = _number((row["late_submission_penalty"] or "0").strip(),
                              f"{path}, row {line}, column late_submission_penalty", 0, None)
            scores[student] = max(0.0, total - penalty)
    return AssignmentMarks(plan.name, plan.max_score, scores, pending)


def _check_roster(roster: Mapping[str, Mapping[str, str]], marks: Iterable[AssignmentMarks], needs: list[str],
                  what: str) -> None:
    unknown = sorted({s for m in marks for s in m.scores if s not in roster})
    if unknown:
        raise ExportError(f"the roster has no row for {', '.join(unknown)}, who are in the gradebook: the LMS "
                          "could not tell who they are; add them to the roster")
    lacking = sorted(s for s, person in roster.items() if not any((person.get(c) or "").strip() for c in needs))
    if lacking:
        raise ExportError(f"roster: {', '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} no {what}, "
                          f"which the LMS needs to find {'them' if len(lacking) > 1 else 'the student'} "
                          f"(column {' or '.join(needs)})")


def _pending_error(marks: Iterable[AssignmentMarks]) -> None:
    waiting = [f"{m.name}: {s} ({', '.join(ids)})" for m in marks for s, ids in sorted(m.pending.items())]
    if waiting:
        raise ExportError("written answers are still to be graded, so these totals are not final: "
                          + "; ".join(waiting[:10]) + (f"; and {len(waiting) - 10} more" if len(waiting) > 10 else "")
                          + ". Write the points into the gradebook's exercise columns (see written_answers.csv), "
                          "or pass --partial to export the automatic points only")


def _score(marks: AssignmentMarks, student: str, missing: str) -> str:
    if student in marks.scores:
        return f"{round(marks.scores[student], 2):g}"
    return "0" if missing == "zero" else ""


def _column(marks: AssignmentMarks, canvas_ids: Mapping[str, str]) -> str:
    return f"{marks.name} ({canvas_ids[marks.name]})" if marks.name in canvas_ids else marks.name


def canvas_rows(marks: list[AssignmentMarks], roster: Mapping[str, Mapping[str, str]], missing: str = "blank",
                canvas_ids: Mapping[str, str] | None = None) -> list[list[str]]:
    """Header, the Points Possible row, then one row per student on the roster."""
    _check_roster(roster, marks, ["canvas_id", "sis_user_id"], "Canvas ID or SIS User ID")
    ids = canvas_ids or {}
    rows = [CANVAS_IDENTITY + [_column(m, ids) for m in marks],
            [CANVAS_POINTS_POSSIBLE, "", "", "", ""] + [f"{m.max_score:g}" for m in marks]]
    for student, person in sorted(roster.items(), key=lambda item: (item[1].get("last_name", ""), item[0])):
        name = ", ".join(p for p in (person.get("last_name", ""), person.get("first_name", "")) if p)
        rows.append([name, person.get("canvas_id", ""), person.get("sis_user_id", ""), person.get("sis_login_id", ""),
                     person.get("section", "")] + [_score(m, student, missing) for m in marks])
    return rows


def moodle_rows(marks: list[AssignmentMarks], roster: Mapping[str, Mapping[str, str]], key: str = "email",
                missing: str = "blank") -> list[list[str]]:
    """Header, then one row per student on the roster."""
    column = MOODLE_KEYS[key]
    _check_roster(roster, marks, [column], "email address" if key == "email" else "ID number")
    rows = [MOODLE_IDENTITY + [m.name for m in marks]]
    for student, person in sorted(roster.items(), key=lambda item: (item[1].get("last_name", ""), item[0])):
        rows.append([person.get("first_name", ""), person.get("last_name", ""), person.get("id_number", ""),
                     person.get("email", "")] + [_score(m, student, missing) for m in marks])
    return rows


def write_export(path: Path, fmt: str, marks: list[AssignmentMarks], roster: Mapping[str, Mapping[str, str]], *,
                 partial: bool = False, missing: str = "blank", moodle_key: str = "email",
                 canvas_ids: Mapping[str, str] | None = None) -> Path:
    """Write the LMS's import file; refuse totals that still wait for hand-graded points unless ``partial``."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose {' or '.join(FORMATS)}")
    if not partial:
        _pending_error(marks)
    rows = (canvas_rows(marks, roster, missing, canvas_ids) if fmt == "canvas"
            else moodle_rows(marks, roster, moodle_key, missing))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(rows[0])
    # The Points Possible row starts with spaces on purpose; names and ids go through safe_cell.
    for row in rows[1:]:
        writer.writerow([cell if cell == CANVAS_POINTS_POSSIBLE else safe_cell(cell) for cell in row])
    atomic_write(path, buffer.getvalue())
    return path
