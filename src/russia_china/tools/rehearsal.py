"""The class rehearsal (`make rehearsal`, and tests/test_rehearsal.py): one teaching
week on a real JupyterHub on 127.0.0.1, with eight students and an instructor.

1. Distribute: the students' copy of the course (tools/student_copy.py, no
   solutions) is a local git repository; each student signs in to the hub and
   follows the class's nbgitpuller link, which pulls it into their home.
2. Work: each student's server runs lesson 00 and then the exercise notebook
   over the Jupyter server's REST API and kernel websocket, as JupyterLab
   would; each answers differently (right, partly right, blank, late, hostile),
   and the notebook is saved with its outputs.
3. Collect: the instructor, in a kernel of their own server on the hub, runs
   ``russia-china collect`` over the hub's home folders, against a due date.
4. Grade: the same instructor runs ``make grade`` on the hub (bubblewrap
   sandbox), then writes the points of the written answers into the gradebook.
5. Return: ``russia-china return`` puts each feedback file into its student's
   home, and each student opens theirs through their own server.
6. Export: ``russia-china export`` for Canvas and for Moodle.

Everything is shut down in ``finally``. The result says what happened at each
step (what the test asserts) and how long each step took.
"""

from __future__ import annotations

import copy
import csv
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import nbformat

from ..exercises.format import check_ids
from ..paths import REPO_ROOT
from .hub import Hub, HubError, UserSession
from .release import handed_in_notebook
from .student_copy import COLAB_TAGS, student_copy

ASSIGNMENT = "00_introduction_exercises"
LESSON = "notebooks/00_introduction.ipynb"
COURSE = "russia-china-course"
INSTRUCTOR = "instructor"
#: The GitHub repository the rehearsal's students' copy pretends to be pushed to (its Colab links name it).
COLAB_REPOSITORY = "university-example/russia-china-course"
#: Points the instructor gives each written answer (00.6, out of 4) after reading it.
WRITTEN_POINTS = 3


@dataclass(frozen=True)
class Student:
    name: str
    first_name: str
    last_name: str
    #: How the student answers: right, wrong_00_1, partial, blank, late (right, after the due date), hostile.
    behaviour: str


CLASS = [
    Student("ada", "Ada", "Okafor", "right"),
    Student("ben", "Ben", "Lindqvist", "right"),
    Student("cleo", "Cleo", "Marchetti", "wrong_00_1"),
    Student("dev", "Dev", "Raman", "first_two"),
    Student("eli", "Eli", "Sato", "blank"),
    Student("fay", "Fay", "Haddad", "late"),
    Student("gus", "Gus", "Petrov", "hostile"),
    Student("hana", "Hana", "Novak", "wrong_00_1"),
]


@dataclass
class Rehearsal:
    """What each step did, for the test to check, and how long it took."""

    seconds: dict[str, float] = field(default_factory=dict)
    pulled: dict[str, list[str]] = field(default_factory=dict)
    lesson_errors: dict[str, list[str]] = field(default_factory=dict)
    check_outputs: dict[str, list[str]] = field(default_factory=dict)
    exercise_errors: dict[str, list[str]] = field(default_factory=dict)
    due: str = ""
    collected: list[dict[str, str]] = field(default_factory=list)
    grade_output: str = ""
    gradebook: dict[str, dict[str, str]] = field(default_factory=dict)
    returned_output: str = ""
    feedback_seen: dict[str, str] = field(default_factory=dict)
    feedback_written: dict[str, str] = field(default_factory=dict)
    feedback_files: list[str] = field(default_factory=list)
    canvas: list[list[str]] = field(default_factory=list)
    moodle: list[list[str]] = field(default_factory=list)
    solutions_pulled: bool = True
    stopped_cleanly: bool = False


@contextmanager
def _step(report: Rehearsal, name: str, log: Callable[[str], None]) -> Iterator[None]:
    started = time.perf_counter()
    log(f"[{name}] …")
    yield
    report.seconds[name] = round(time.perf_counter() - started, 1)
    log(f"[{name}] {report.seconds[name]} s")


# -- how each student answers -------------------------------------------------------------------------


def _solved() -> nbformat.NotebookNode:
    return handed_in_notebook(nbformat.read(REPO_ROOT / "solutions" / f"{ASSIGNMENT}.ipynb", as_version=4),
                              ASSIGNMENT)


def _checking(nb: nbformat.NotebookNode, exercise_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if f'check("{exercise_id}"' in c.source)


HOSTILE_CELL = """\
# Forge full marks for 00.1 down the grader's channel, after the real answer.
import json, os
channel = os.environ.get("RUSSIA_CHINA_RECORD_ANSWERS", "")
if channel:
    with open(channel.split(os.pathsep)[0], "a") as f:
        f.write(json.dumps({"exercise_id": "00.1", "via": "check", "points": 999}) + "\\n")
print("nothing to see here")
"""


def answered(pulled: dict[str, Any], behaviour: str) -> dict[str, Any]:
    """The exercise notebook as this student leaves it, from the copy they pulled."""
    nb = nbformat.from_dict(copy.deepcopy(pulled))
    if behaviour == "blank":
        return nb
    # The students' copy starts each notebook with Colab's link and setup cell; the rest lines up with solutions/.
    colab = [c for c in nb.cells if set(c.metadata.get("tags", [])) & set(COLAB_TAGS)]
    nb.cells = [c for c in nb.cells if c not in colab]
    solved = _solved()
    if len(solved.cells) != len(nb.cells):
        raise HubError("the pulled exercise notebook does not match solutions/: regenerate exercises/")
    keep = {"first_two": {"00.1", "00.2"}}.get(behaviour)
    for index, cell in enumerate(solved.cells):
        ids = check_ids(cell.source)
        if not ids or keep is None or set(ids) <= keep:
            nb.cells[index].source = cell.source
    if behaviour == "wrong_00_1":
        nb.cells.insert(_checking(nb, "00.1") + 1, nbformat.v4.new_code_cell('gap_2024 = 0.5\ncheck("00.1", gap_2024)'))
    if behaviour == "hostile":
        nb.cells.insert(_checking(nb, "00.1") + 1, nbformat.v4.new_code_cell(HOSTILE_CELL))
    nb.cells = colab + nb.cells
    return nb


# -- the week ----------------------------------------------------------------------------------------


def _run_notebook(user: UserSession, path: str) -> tuple[dict[str, Any], list[str]]:
    """Run every code cell of a notebook in the user's server, as Run All does; store the outputs."""
    nb = user.contents(path)["content"]
    kernel = user.kernel(path)
    errors: list[str] = []
    try:
        for count, cell in enumerate((c for c in nb["cells"] if c["cell_type"] == "code"), start=1):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["outputs"] = kernel.execute(source)
            cell["execution_count"] = count
            errors += [f"{o['ename']}: {o['evalue']}" for o in cell["outputs"] if o["output_type"] == "error"]
            errors += [f"stderr: {o['text'][:300]}" for o in cell["outputs"]
                       if o["output_type"] == "stream" and o["name"] == "stderr"]
    finally:
        kernel.close()
    return nb, errors


def _output_text(cell: dict[str, Any]) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif "data" in output:
            parts.append(str(output["data"].get("text/markdown") or output["data"].get("text/plain", "")))
    return "".join(parts).strip()


def _student_week(hub: Hub, student: Student, link: str, report: Rehearsal) -> None:
    user = hub.user(student.name)
    events = user.follow_pull_link(link)
    report.pulled[student.name] = [e.get("phase", "") for e in events]
    _, report.lesson_errors[student.name] = _run_notebook(user, f"{COURSE}/{LESSON}")
    exercise = f"{COURSE}/exercises/{ASSIGNMENT}.ipynb"
    if student.behaviour == "late":
        return  # works after the due date: see run()
    _work_on_exercises(user, student, exercise, report)


def _work_on_exercises(user: UserSession, student: Student, exercise: str, report: Rehearsal) -> None:
    user.save(exercise, answered(user.contents(exercise)["content"], student.behaviour))
    ran, report.exercise_errors[student.name] = _run_notebook(user, exercise)
    user.save(exercise, ran)  # what JupyterLab's save writes: the answers and their feedback
    report.check_outputs[student.name] = [_output_text(c) for c in ran["cells"]
                                          if c["cell_type"] == "code" and "check(" in "".join(c["source"])]
    if student.behaviour == "hostile":
        # A home is the student's ground: a link where feedback will be returned, into a classmate's home.
        target = user.hub.homes / CLASS[0].name / COURSE
        trap = user.hub.homes / student.name / COURSE / "feedback"
        trap.symlink_to(target)


def _instructor_runs(user: UserSession, command: list[str], allowed: tuple[int, ...] = (0,)) -> str:
    """Run a command in a kernel of the instructor's own server on the hub, as a terminal would."""
    kernel = user.kernel("grading.ipynb")
    try:
        outputs = kernel.execute(
            "import subprocess\n"
            f"done = subprocess.run({command!r}, capture_output=True, text=True)\n"
            "print(done.stdout + done.stderr)\nprint('exit status', done.returncode)", timeout=900)
    finally:
        kernel.close()
    text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")
    if not any(f"exit status {code}\n" in text for code in allowed):
        raise HubError(f"the instructor's command {' '.join(command)} failed:\n{text[-2000:]}")
    return text


def _write_roster(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "first_name", "last_name", "email", "canvas_id", "sis_user_id",
                         "sis_login_id", "section", "id_number"])
        for number, s in enumerate(CLASS, start=1):
            writer.writerow([s.name, s.first_name, s.last_name, f"{s.name}@uni.example", 5000 + number,
                             f"S{number:04d}", s.name, "Seminar 1", f"ID{number:04d}"])


def _grade_written_answers(gradebook: Path) -> None:
    """The instructor reads written_answers.csv and writes the points into the gradebook."""
    with gradebook.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or []), list(reader)
    for row in rows:
        if "00.6" in row["needs_manual_grading"].split():
            row["00.6"] = str(WRITTEN_POINTS)
    with gradebook.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def run(log: Callable[[str], None] = print, keep: Path | None = None) -> Rehearsal:
    """Rehearse the week; ``keep`` keeps the hub's folder (homes, grades) for a look afterwards."""
    report = Rehearsal()
    root = Path(tempfile.mkdtemp(prefix="russia-china-rehearsal-"))
    hub = Hub(root / "hub")
    bin_dir = Path(sys.executable).parent
    try:
        with _step(report, "start the hub", log):
            # Published for a class as a fork would be: with each notebook's "Open in Colab" link and setup cell.
            course = student_copy(REPO_ROOT, root / "course.git", repository=COLAB_REPOSITORY)
            report.solutions_pulled = (course / "solutions").exists()
            hub.start()
            hub.add_users([s.name for s in CLASS] + [INSTRUCTOR])
            for name in [s.name for s in CLASS] + [INSTRUCTOR]:
                hub.api("POST", f"/users/{name}/server")
            for name in [s.name for s in CLASS] + [INSTRUCTOR]:
                hub.wait_for_server(name)
        query = urlencode({"repo": str(course), "branch": "main", "targetpath": COURSE,
                           "urlpath": f"lab/tree/{COURSE}/{LESSON}"})
        link = f"{hub.url}/hub/user-redirect/git-pull?{query}"
        with _step(report, "distribute and work", log), ThreadPoolExecutor(max_workers=4) as pool:
            for future in [pool.submit(_student_week, hub, s, link, report) for s in CLASS]:
                future.result()
        # The due date: the next whole second after the class's work (files are timed to the nanosecond,
        # a due date to the second), and the late student saves after it.
        due = datetime.fromtimestamp(int(time.time()) + 1, tz=UTC)
        report.due = due.isoformat(timespec="seconds")
        time.sleep(max(0.0, due.timestamp() - time.time()) + 1.0)
        with _step(report, "late work", log):
            late = next(s for s in CLASS if s.behaviour == "late")
            _work_on_exercises(hub.user(late.name), late, f"{COURSE}/exercises/{ASSIGNMENT}.ipynb", report)
        instructor = hub.user(INSTRUCTOR)
        home = hub.homes / INSTRUCTOR
        submitted, grades, roster = home / "submitted" / ASSIGNMENT, home / "grades", home / "roster.csv"
        _write_roster(roster)
        cli = str(bin_dir / "russia-china")
        with _step(report, "collect", log):
            _instructor_runs(instructor, [cli, "collect", "--homes", str(hub.homes), "--assignment", "00",
                                          "--course-folder", COURSE, "--output", str(submitted), "--due",
                                          report.due, "--roster", str(roster)])
            with (submitted.parent / f"{ASSIGNMENT}-collected.csv").open(encoding="utf-8") as handle:
                report.collected = list(csv.DictReader(handle))
        with _step(report, "grade", log):
            report.grade_output = _instructor_runs(instructor, [
                "make", "-C", str(REPO_ROOT), "grade", f"SUBMISSIONS={submitted}", "ASSIGNMENT=00",
                f"GRADE_ARGS=--output {grades} --roster {roster} --due {report.due} --workers 2"])
            gradebook = grades / ASSIGNMENT / "gradebook.csv"
            _grade_written_answers(gradebook)
            with gradebook.open(encoding="utf-8", newline="") as handle:
                report.gradebook = {row["student_id"]: row for row in csv.DictReader(handle)}
            report.feedback_written = {path.stem: path.read_text(encoding="utf-8")
                                       for path in (grades / ASSIGNMENT / "feedback").glob("*.md")}
        with _step(report, "return feedback", log):
            # Exit status 1: the hostile student's trap is refused and reported; the others get theirs.
            report.returned_output = _instructor_runs(instructor, [
                cli, "return", "--homes", str(hub.homes), "--assignment", "00", "--grades", str(grades),
                "--course-folder", COURSE, "--roster", str(roster)], allowed=(0, 1))
            for student in CLASS:
                try:
                    opened = hub.user(student.name).contents(f"{COURSE}/feedback/{ASSIGNMENT}.md")
                    report.feedback_seen[student.name] = opened["content"]
                except HubError:
                    report.feedback_seen[student.name] = ""
            report.feedback_files = sorted(str(p.relative_to(hub.homes)) for p in hub.homes.rglob(f"{ASSIGNMENT}.md")
                                           if not p.is_symlink() and p.is_file()
                                           and not any(q.is_symlink() for q in p.parents))
        with _step(report, "export", log):
            for fmt in ("canvas", "moodle"):
                output = home / f"{fmt}.csv"
                _instructor_runs(instructor, [cli, "export", "--format", fmt, "--roster", str(roster), "--grades",
                                              str(grades), "--output", str(output)])
                rows = list(csv.reader(output.open(encoding="utf-8", newline="")))
                if fmt == "canvas":
                    report.canvas = rows
                else:
                    report.moodle = rows
        if keep is not None:
            shutil.copytree(root, keep, symlinks=True, dirs_exist_ok=True)
    finally:
        with _step(report, "shut down", log):
            hub.stop()
            report.stopped_cleanly = hub.process is None
            shutil.rmtree(root, ignore_errors=True)
    return report


def summary(report: Rehearsal) -> str:
    lines = ["Class rehearsal: 8 students and an instructor on JupyterHub (127.0.0.1)", ""]
    lines += [f"  {name:<22} {seconds:>6.1f} s" for name, seconds in report.seconds.items()]
    lines += ["", f"  total {sum(report.seconds.values()):.1f} s"]
    return "\n".join(lines)


def main() -> int:
    report = run()
    print(summary(report))
    print(json.dumps({"seconds": report.seconds}, indent=1))
    return 0
