"""Turn graded results into the gradebook CSV, feedback files and written answers.

The gradebook has nbgrader's export columns, then one column per exercise,
then `needs_manual_grading`, `sandbox` and `comments`. Feedback files show each
exercise's points, the public check's message and whether hidden tests passed,
never the hidden tests themselves or their expected values.

Text that came from a student's side (error messages, column names, class
names) is escaped before it reaches a Markdown feedback file, and every CSV
cell that a spreadsheet would read as a formula is neutralised (OWASP's rule
for CSV injection: a leading =, +, -, @, tab or carriage return gets a ').
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..exercises.format import NOT_ANSWERED, PASSED, RECORDED
from .deadline import late_by, parse_due
from .plan import AssignmentPlan

NBGRADER_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                    "raw_score", "late_submission_penalty", "score", "max_score"]
TRAILING_COLUMNS = ["needs_manual_grading", "sandbox", "comments"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Characters that start Markdown or HTML markup anywhere in a line, and at its start.
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>&|~$])")
_LINE_START_MARKUP = re.compile(r"^(\d*)([#+\-=>.)])")


@dataclass
class Graded:
    """One student's result for one assignment."""

    student_id: str
    timestamp: str
    outcome: str  # graded, zero (with a reason) or error (the grader's fault)
    #: Why a graded submission stopped early (its answers until then count), or why it scored 0.
    reason: str | None = None
    exercises: list[dict[str, Any]] = field(default_factory=list)
    cell_errors: list[str] = field(default_factory=list)
    #: Tripwire events: for the instructor to look at, never a loss of points.
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sandboxed: bool = True
    #: A cell or the whole notebook ran out of time: worth a second run alone (see ClassGrader.grade).
    ran_out_of_time: bool = False
    #: Largest resident memory of the submission's kernel, for the benchmark.
    peak_kernel_mb: float | None = None

    @property
    def zeroed_because(self) -> str | None:
        if self.outcome == "error":
            return f"not graded (the grader failed): {self.reason}"
        if self.outcome != "graded":
            return f"scored 0: {self.reason}"
        return None

    @property
    def stopped_because(self) -> str | None:
        return self.reason if self.outcome == "graded" else None

    @property
    def flagged(self) -> str | None:
        tried = ", ".join(self.flags)
        return f"flagged for review (no points taken): the notebook tried {tried}" if tried else None

    @property
    def nothing_answered(self) -> bool:
        return self.outcome == "graded" and all(e["status"] == NOT_ANSWERED for e in self.exercises)

    def points(self, plan: AssignmentPlan) -> dict[str, float | None]:
        """Points per exercise; None where an instructor still has to grade."""
        by_id = {e["exercise_id"]: e for e in self.exercises}
        result: dict[str, float | None] = {}
        for exercise in plan.exercises:
            entry = by_id.get(exercise.exercise_id)
            if self.zeroed_because or entry is None:
                result[exercise.exercise_id] = 0.0
            elif exercise.manual:
                result[exercise.exercise_id] = None if entry["status"] == RECORDED else 0.0
            else:
                result[exercise.exercise_id] = min(float(entry["points"] or 0.0), exercise.points)
        return result


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _moment(timestamp: str) -> datetime | None:
    try:
        return datetime.fromisoformat(timestamp)
    except ValueError:
        return None


def gradebook_rows(results: list[Graded], plan: AssignmentPlan, roster: dict[str, dict[str, str]],
                   duedate: str = "") -> list[dict[str, str]]:
    rows = []
    due = parse_due(duedate)
    for graded in sorted(results, key=lambda g: g.student_id):
        points = graded.points(plan)
        raw = sum(p for p in points.values() if p is not None)
        person = roster.get(graded.student_id, {})
        submitted = _moment(graded.timestamp)
        late = late_by(submitted, due) if submitted and due else ""
        comments = [f"submitted {late} after the due date (marked, no points taken)" if late else None,
                    graded.zeroed_because, graded.stopped_because, graded.flagged]
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
        row["sandbox"] = "bubblewrap" if graded.sandboxed else "NONE (--unsandboxed)"
        row["comments"] = " ".join("; ".join(c for c in comments if c).split())
        rows.append(row)
    return rows


def safe_cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def escape_markdown(text: str) -> str:
    """Untrusted text as literal Markdown: one line, no markup, no HTML."""
    text = _INLINE_MARKUP.sub(r"\\\1", " ".join(str(text).split()))
    return _LINE_START_MARKUP.sub(r"\1\\\2", text)


def atomic_write(path: Path, text: str) -> None:
    """Write beside the target, then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-", suffix=".tmp")
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
    writer.writerows([{name: safe_cell(str(value)) for name, value in row.items()} for row in rows])
    return buffer.getvalue()


def write_gradebook(path: Path, results: list[Graded], plan: AssignmentPlan,
                    roster: dict[str, dict[str, str]], duedate: str = "") -> Path:
    columns = NBGRADER_COLUMNS + [e.exercise_id for e in plan.exercises] + TRAILING_COLUMNS
    atomic_write(path, _csv_text(gradebook_rows(results, plan, roster, duedate), columns))
    return path


def write_written_answers(path: Path, results: list[Graded]) -> Path:
    """Every written answer in one CSV, for the instructor to grade against the rubric."""
    rows = [{"student_id": g.student_id, "exercise_id": e["exercise_id"],
             "words": str(len(e["written_answer"].split())), "answer": e["written_answer"]}
            for g in sorted(results, key=lambda g: g.student_id) if not g.zeroed_because
            for e in g.exercises if e.get("written_answer")]
    atomic_write(path, _csv_text(rows, ["student_id", "exercise_id", "words", "answer"]))
    return path


def write_skipped(path: Path, skipped: list[Any]) -> Path:
    """Every entry of the class folder that was not graded, and why."""
    atomic_write(path, _csv_text([{"entry": s.entry, "reason": s.reason} for s in skipped], ["entry", "reason"]))
    return path


def _exercise_line(exercise: Any, entry: dict[str, Any] | None, points: float | None) -> str:
    heading = f"- **{exercise.exercise_id} {exercise.title}**"
    if entry is None:
        return f"{heading}: 0 / {exercise.points:g}, not graded."
    if points is None:
        return f"{heading}: graded by your instructor (up to {exercise.points:g} points)."
    line = f"{heading}: {points:g} / {exercise.points:g}. {entry['status'].capitalize()}."
    if entry["status"] != PASSED and entry.get("message"):
        line += f" {escape_markdown(entry['message'])}"
    if entry["hidden"] == "passed":
        line += " Hidden tests: passed."
    elif entry["hidden"].startswith("failed"):
        line += " Hidden tests: failed (they check more than the public checks; look again at the question)."
    return line


def feedback_text(graded: Graded, plan: AssignmentPlan) -> str:
    points = graded.points(plan)
    auto_max = sum(e.points for e in plan.exercises if not e.manual)
    earned = sum(p for p in points.values() if p is not None)
    lines = [f"# Feedback: {plan.name}", "", f"Student: {escape_markdown(graded.student_id)}  ",
             f"Submitted: {graded.timestamp}", ""]
    if graded.zeroed_because:
        lines += [f"**This submission {escape_markdown(graded.zeroed_because)}.**", ""]
    if graded.stopped_because:
        lines += [f"**Grading stopped early: {escape_markdown(graded.stopped_because)}.**", ""]
    if graded.flagged:
        lines += [f"**This submission was {graded.flagged}.**", ""]
    lines += [f"Automatically graded: **{earned:g} of {auto_max:g} points**. "
              f"Written answers (up to {plan.max_score - auto_max:g} points) are graded by your instructor.", ""]
    if not graded.zeroed_because:
        by_id = {e["exercise_id"]: e for e in graded.exercises}
        lines += ["## Exercises", ""]
        lines += [_exercise_line(e, by_id.get(e.exercise_id), points[e.exercise_id]) for e in plan.exercises]
        lines.append("")
    if graded.cell_errors:
        lines += ["## Cells that raised errors", "", *[f"- {escape_markdown(e)}" for e in graded.cell_errors], ""]
    if graded.notes:
        lines += ["## Notes", "", *[f"- {escape_markdown(note)}" for note in graded.notes], ""]
    return "\n".join(lines)


def feedback_name(student_id: str) -> str:
    """The feedback file's name: the student id, shortened (with a hash to keep it unique)
    where the file system would refuse it."""
    if len(student_id.encode()) <= 200:
        return f"{student_id}.md"
    start = student_id.encode()[:100].decode("utf-8", "ignore")
    return f"{start}-{hashlib.sha256(student_id.encode()).hexdigest()[:12]}.md"


def write_feedback(folder: Path, results: list[Graded], plan: AssignmentPlan) -> list[Path]:
    written = []
    for graded in results:
        path = folder / feedback_name(graded.student_id)  # ids are folder entries' names: no separators
        atomic_write(path, feedback_text(graded, plan))
        written.append(path)
    return written
