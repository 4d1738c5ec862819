"""Turn graded results into the gradebook CSV, feedback files and written answers.

The gradebook has nbgrader's export columns, then one column per exercise,
then `needs_manual_grading` and `comments`. Feedback files show each exercise's
points, the public check's message and whether hidden tests passed, never the
hidden tests themselves or their expected values.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .plan import AssignmentPlan

NBGRADER_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                    "raw_score", "late_submission_penalty", "score", "max_score"]
TRAILING_COLUMNS = ["needs_manual_grading", "comments"]


@dataclass
class Graded:
    """One student's result for one assignment."""

    student_id: str
    timestamp: str
    outcome: str  # graded, zero (with a reason) or error (the grader's fault)
    reason: str | None = None
    exercises: list[dict[str, Any]] = field(default_factory=list)
    cell_errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Largest resident memory of the submission's kernel, for the benchmark.
    peak_kernel_mb: float | None = None

    @property
    def zeroed_because(self) -> str | None:
        if self.violations:
            return f"scored 0 and flagged for review: the notebook {self.violations[0]}"
        if self.outcome != "graded":
            return f"scored 0: {self.reason}"
        return None

    @property
    def nothing_answered(self) -> bool:
        return self.outcome == "graded" and all(e["status"] == "not answered yet" for e in self.exercises)

    def points(self, plan: AssignmentPlan) -> dict[str, float | None]:
        """Points per exercise; None where an instructor still has to grade."""
        by_id = {e["exercise_id"]: e for e in self.exercises}
        result: dict[str, float | None] = {}
        for exercise in plan.exercises:
            entry = by_id.get(exercise.exercise_id)
            if self.zeroed_because or entry is None:
                result[exercise.exercise_id] = 0.0
            elif exercise.manual:
                result[exercise.exercise_id] = None if entry["status"] == "recorded" else 0.0
            else:
                result[exercise.exercise_id] = float(entry["points"] or 0.0)
        return result


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def gradebook_rows(results: list[Graded], plan: AssignmentPlan, roster: dict[str, dict[str, str]],
                   duedate: str = "") -> list[dict[str, str]]:
    rows = []
    for graded in sorted(results, key=lambda g: g.student_id):
        points = graded.points(plan)
        raw = sum(p for p in points.values() if p is not None)
        person = roster.get(graded.student_id, {})
        comments = [graded.zeroed_because] if graded.zeroed_because else []
        if graded.nothing_answered:
            comments.append("no exercise was answered")
        comments += graded.cell_errors[:3] + graded.notes[:3]
        row = {
            "assignment": plan.name, "duedate": duedate, "timestamp": graded.timestamp,
            "student_id": graded.student_id, "last_name": person.get("last_name", ""),
            "first_name": person.get("first_name", ""), "email": person.get("email", ""),
            "raw_score": _number(raw), "late_submission_penalty": "0", "score": _number(raw),
            "max_score": _number(plan.max_score),
        }
        row.update({exercise_id: _number(value) for exercise_id, value in points.items()})
        row["needs_manual_grading"] = " ".join(e for e, p in points.items() if p is None)
        row["comments"] = "; ".join(c for c in comments if c)
        rows.append(row)
    return rows


def _atomic_write(path: Path, text: str) -> None:
    """Write beside the target, then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _csv_text(rows: list[dict[str, str]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_gradebook(path: Path, results: list[Graded], plan: AssignmentPlan,
                    roster: dict[str, dict[str, str]], duedate: str = "") -> Path:
    columns = NBGRADER_COLUMNS + [e.exercise_id for e in plan.exercises] + TRAILING_COLUMNS
    _atomic_write(path, _csv_text(gradebook_rows(results, plan, roster, duedate), columns))
    return path


def write_written_answers(path: Path, results: list[Graded]) -> Path:
    """Every written answer in one CSV, for the instructor to grade against the rubric."""
    rows = [{"student_id": g.student_id, "exercise_id": e["exercise_id"], "words": str(len(e["written_answer"].split())),
             "answer": e["written_answer"]}
            for g in sorted(results, key=lambda g: g.student_id) if not g.zeroed_because
            for e in g.exercises if e.get("written_answer")]
    _atomic_write(path, _csv_text(rows, ["student_id", "exercise_id", "words", "answer"]))
    return path


def _exercise_line(exercise: Any, entry: dict[str, Any] | None, points: float | None) -> str:
    heading = f"- **{exercise.exercise_id} {exercise.title}**"
    if entry is None:
        return f"{heading}: 0 / {exercise.points:g}, not graded."
    if points is None:
        return f"{heading}: graded by your instructor (up to {exercise.points:g} points)."
    line = f"{heading}: {points:g} / {exercise.points:g}. {entry['status'].capitalize()}."
    if entry["status"] != "public checks passed" and entry.get("message"):
        line += f" {entry['message']}"
    if entry["hidden"] == "passed":
        line += " Hidden tests: passed."
    elif entry["hidden"].startswith("failed"):
        line += " Hidden tests: failed (they check more than the public checks; look again at the question)."
    return line


def feedback_text(graded: Graded, plan: AssignmentPlan) -> str:
    points = graded.points(plan)
    auto_max = sum(e.points for e in plan.exercises if not e.manual)
    earned = sum(p for p in points.values() if p is not None)
    lines = [f"# Feedback: {plan.name}", "", f"Student: {graded.student_id}  ", f"Submitted: {graded.timestamp}", ""]
    if graded.zeroed_because:
        lines += [f"**This submission {graded.zeroed_because}.**", ""]
    lines += [f"Automatically graded: **{earned:g} of {auto_max:g} points**. "
              f"Written answers (up to {plan.max_score - auto_max:g} points) are graded by your instructor.", ""]
    if not graded.zeroed_because:
        by_id = {e["exercise_id"]: e for e in graded.exercises}
        lines += ["## Exercises", ""]
        lines += [_exercise_line(e, by_id.get(e.exercise_id), points[e.exercise_id]) for e in plan.exercises]
        lines.append("")
    if graded.cell_errors:
        lines += ["## Cells that raised errors", "", *[f"- {error}" for error in graded.cell_errors], ""]
    if graded.notes:
        lines += ["## Notes", "", *[f"- {note}" for note in graded.notes], ""]
    return "\n".join(lines)


def write_feedback(folder: Path, results: list[Graded], plan: AssignmentPlan) -> list[Path]:
    written = []
    for graded in results:
        path = folder / f"{graded.student_id}.md"
        _atomic_write(path, feedback_text(graded, plan))
        written.append(path)
    return written
