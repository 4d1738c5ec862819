"""Grade a folder of submissions: each notebook runs in the sandbox, its plain answers are judged outside it.

For each submission, in a worker thread: the notebook is read here as data
(outputs dropped, size checked), copied into a private folder and run by the
runner inside the sandbox (see `sandbox`). What comes back, the answers check()
recorded and the runner's report, is untrusted: it is read with size limits,
validated field by field, and only then judged by a judge process in which no
student code ever ran (see `judge`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from queue import SimpleQueue
from typing import Any

import nbformat
from tqdm import tqdm

from ..exercises.runner import ANSWERS_FILE, FLAGS_FILE, REPORT_FILE
from ..exercises.tripwire import C_FUNCTIONS, EVENTS
from ..paths import REPO_ROOT
from . import gradebook, sandbox
from .gradebook import Graded
from .judge import Judge, JudgeError
from .plan import AssignmentPlan, load_plans
from .submissions import Skipped, Submission, find_submissions, guess_assignment, load_roster

#: A notebook file larger than this is not even read (outputs included).
MAX_FILE_MB = 512
_MAX_ANSWERS_BYTES = 64 * 2**20
_MAX_REPORT_BYTES = 2**20
_LIMIT_SIGNALS = {signal.SIGXCPU: ", the CPU time limit", signal.SIGXFSZ: ", the file size limit"}


@dataclass(frozen=True)
class Limits:
    cell_timeout: int = 60
    submission_timeout: int = 600
    memory_mb: int = 3072
    cpu_seconds: int = 600
    #: The notebook's size once stored outputs and attachments are dropped.
    notebook_mb: int = 5
    #: The largest file the notebook may write.
    file_mb: int = 200
    processes: int = 256


@dataclass(frozen=True)
class Outputs:
    gradebook: Path
    feedback: list[Path]
    written_answers: Path
    skipped: Path
    results: list[Graded]
    skipped_entries: list[Skipped]


def _fontlist() -> str | None:
    import matplotlib

    found = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    return str(found[-1]) if found else None


# -- before the run: the notebook as data --------------------------------------------------


def read_submission(path: Path | None, limits: Limits = Limits()) -> tuple[nbformat.NotebookNode | None, str | None]:
    """The notebook without outputs or attachments, or the reason it cannot be graded."""
    if path is None:
        return None, "no notebook was found in the submission"
    if path.suffix != ".ipynb":
        return None, f"{path.name} is not a Jupyter notebook (.ipynb)"
    size = path.stat().st_size
    if size > MAX_FILE_MB * 2**20:
        return None, f"{path.name} is {size / 2**20:.0f} MB; the grader reads notebooks up to {MAX_FILE_MB} MB"
    try:
        nb = nbformat.reads(path.read_text(encoding="utf-8", errors="strict"), as_version=4)
        for cell in nb.cells:
            cell.pop("attachments", None)
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.validate(nb)
    except Exception as problem:  # nbformat and json raise several kinds for broken files
        first_line = (str(problem).strip().splitlines() or [""])[0][:200]
        return None, f"{path.name} is not a valid notebook ({type(problem).__name__}: {first_line})"
    executed = len(nbformat.writes(nb).encode())
    if executed > limits.notebook_mb * 2**20:
        return None, (f"{path.name} is {executed / 2**20:.1f} MB even without its outputs; the limit is "
                      f"{limits.notebook_mb} MB (--max-notebook-mb)")
    if not any(c.cell_type == "code" and c.source.strip() for c in nb.cells):
        return None, f"{path.name} is empty: it has no code to run"
    return nb, None


def _copy_submission(submission: Submission, nb: nbformat.NotebookNode, workdir: Path) -> Path:
    """A private copy of the student's folder (links copied as links, never followed),
    with the notebook as it will run: no outputs."""
    target = workdir / "submission"
    if submission.root.is_dir():
        shutil.copytree(submission.root, target, symlinks=True)
        notebook = target / submission.notebook.relative_to(submission.root)
    else:
        target.mkdir(parents=True)
        notebook = target / submission.root.name
    notebook.unlink(missing_ok=True)
    nbformat.write(nb, notebook)
    return notebook


# -- after the run: untrusted files --------------------------------------------------------


def read_untrusted(path: Path, limit: int) -> bytes | None:
    """A regular file's bytes, never through a link, never blocking on a pipe; None if absent or too large."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def parse_answers(data: bytes | None, plan: AssignmentPlan) -> tuple[dict[str, dict[str, Any]], int]:
    """The last valid record per exercise, and how many lines were not records at all."""
    answers: dict[str, dict[str, Any]] = {}
    ignored = 0
    for line in (data or b"").splitlines():
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            ignored += 1
            continue
        exercise_id = record.get("exercise_id") if type(record) is dict else None
        if type(exercise_id) is not str or exercise_id not in plan.ids:
            ignored += 1
            continue
        if set(record) != {"exercise_id", "via", "answer"} or record["via"] not in ("check", "variable"):
            record = {"exercise_id": exercise_id, "via": "check",
                      "answer": {"type": "unsupported", "what": "malformed answer record", "why": ""}}
        answers[exercise_id] = {"via": record["via"], "answer": record["answer"]}
    return answers, ignored


def parse_report(data: bytes | None) -> dict[str, Any] | None:
    """The runner's report with every field checked, or None if it is missing or malformed."""
    try:
        report = json.loads(data) if data else None
        if type(report) is not dict or type(report.get("finished")) is not bool:
            return None
        cells = []
        for entry in report["cells"][:1000]:
            if entry["outcome"] not in ("error", "timeout", "interrupted") or type(entry["cell"]) is not int:
                return None
            cells.append({"cell": entry["cell"], "outcome": entry["outcome"],
                          "ename": str(entry["ename"])[:100], "evalue": str(entry["evalue"])[:200]})
        died = report["died"]
        if died is not None:
            died = {k: died[k] if type(died[k]) is int else None for k in ("cell", "exit_code", "signal")}
        return {"finished": report["finished"], "cells": cells, "died": died}
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


def parse_flags(data: bytes | None) -> list[str]:
    """Tripwire events, kept only when they are names the tripwire writes."""
    known = EVENTS | {f"ctypes.{name}" for name in C_FUNCTIONS}
    names = [line.strip() for line in (data or b"").decode("utf-8", "replace").splitlines()]
    return sorted({name for name in names if name in known})


def _cell_errors(report: dict[str, Any] | None, limits: Limits) -> list[str]:
    errors = []
    for entry in (report or {}).get("cells", []):
        number = entry["cell"]
        if entry["outcome"] == "timeout":
            errors.append(f"cell {number} ran longer than {limits.cell_timeout} s and was stopped")
        elif entry["outcome"] == "interrupted":
            errors.append(f"cell {number} was interrupted (KeyboardInterrupt raised in the cell)")
        elif entry["ename"] == "MemoryError":
            errors.append(f"cell {number} raised MemoryError: it needed more than the memory limit "
                          f"({limits.memory_mb} MB)")
        else:
            errors.append(f"cell {number} raised {entry['ename']}: {entry['evalue']}")
    return errors


def _how(exit_code: int | None, signal_number: int | None) -> str:
    if signal_number is not None:
        name = signal.Signals(signal_number).name if signal_number in signal.valid_signals() else "unknown"
        return f"killed by signal {signal_number} ({name}{_LIMIT_SIGNALS.get(signal_number, '')})"
    return f"exit code {exit_code}" if exit_code is not None else "exit status unknown"


def _stopped_reason(finished: sandbox.Finished, report: dict[str, Any] | None, limits: Limits) -> str | None:
    """Why grading ended early, in words; None when the notebook ran to its end."""
    memory = f"peak memory {finished.peak_mb:.0f} MB of the {limits.memory_mb} MB limit"
    if finished.timed_out:
        return (f"grading stopped after {limits.submission_timeout} s (time limit per submission); "
                "answers given before that count")
    if report is None or (not report["finished"] and report["died"] is None):
        return (f"the notebook stopped its grading runner ({_how(finished.exit_code, finished.signal)}; {memory}); "
                "answers given before that count")
    died = report["died"]
    if died is None:
        return None
    where = f" while running cell {died['cell']}" if died["cell"] else ""
    return (f"the kernel stopped{where} ({_how(died['exit_code'], died['signal'])}; {memory}); "
            "answers given before that count")


# -- the class -------------------------------------------------------------------------------


class ClassGrader:
    """Grades one assignment for every submission in a folder."""

    def __init__(self, solutions: Path, submissions: Path, output: Path, assignment: str | None = None,
                 limits: Limits = Limits(), unsandboxed: bool = False):
        self.solutions, self.submissions, self.output = solutions.resolve(), submissions.resolve(), output.resolve()
        plans = load_plans(self.solutions)
        if assignment is None:
            assignment = guess_assignment(self.submissions, {n: set(p.ids) for n, p in plans.items()})
        matches = [name for name in plans if name == assignment or name.startswith(assignment)]
        if len(matches) != 1:
            raise ValueError(f"no single assignment matches {assignment!r}; the assignments are "
                             f"{', '.join(plans)}")
        self.plan: AssignmentPlan = plans[matches[0]]
        self.limits = limits
        if not unsandboxed and sandbox.bubblewrap() is None:
            raise RuntimeError(
                "no OS sandbox is available here (bubblewrap, Linux only: apt-get install bubblewrap). "
                "Without one, a student's code runs with your permissions and can read the solutions. "
                "Pass --unsandboxed to grade anyway; every row is then marked in the gradebook.")
        self.unsandboxed = unsandboxed
        self._fontlist = _fontlist()

    def grade_one(self, submission: Submission, scratch: Path, student_package: Path | None,
                  slot: int, judge: Judge) -> Graded:
        graded = Graded(student_id=submission.student_id, timestamp=submission.timestamp, outcome="graded",
                        sandboxed=not self.unsandboxed, notes=[submission.note] if submission.note else [])
        nb, problem = read_submission(submission.notebook, self.limits)
        if problem:
            return replace(graded, outcome="zero", reason=problem)
        workdir = Path(tempfile.mkdtemp(prefix="submission-", dir=scratch))
        try:
            notebook = _copy_submission(submission, nb, workdir)
            view = sandbox.View(workdir, student_package,
                                uid=sandbox.FIRST_UID + slot if student_package and os.getuid() == 0 else None)
            config = sandbox.prepare(view, notebook, {
                "cell_timeout": self.limits.cell_timeout, "memory_mb": self.limits.memory_mb,
                "cpu_seconds": self.limits.cpu_seconds, "file_mb": self.limits.file_mb,
                "processes": self.limits.processes,
                "variables": {e.exercise_id: e.answer_name for e in self.plan.exercises if e.answer_name}},
                self._fontlist)
            finished = sandbox.run(view, config, self.limits.submission_timeout)
            if not finished.started and not finished.timed_out:
                return replace(graded, outcome="error", reason=f"the sandbox did not start: {finished.output_tail}")
            answers, ignored = parse_answers(read_untrusted(workdir / ANSWERS_FILE, _MAX_ANSWERS_BYTES), self.plan)
            report = parse_report(read_untrusted(workdir / REPORT_FILE, _MAX_REPORT_BYTES))
            flags = parse_flags(read_untrusted(workdir / FLAGS_FILE, 2**16))
        except Exception as failure:  # the grader's own failure: reported, and the class goes on
            return replace(graded, outcome="error", reason=f"grading failed: {type(failure).__name__}: {failure}")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        try:
            exercises = judge(self.plan.to_json(), answers)
        except JudgeError as failure:
            return replace(graded, outcome="error", reason=f"the judge failed: {failure}")
        by_id = {e.exercise_id: e for e in self.plan.exercises}
        notes = graded.notes + [f"Exercise {e['exercise_id']}: check() recorded no answer; graded the variable "
                                f"{by_id[e['exercise_id']].answer_name}." for e in exercises if e["via"] == "variable"]
        if ignored:
            notes.append(f"{ignored} line(s) of the recorded answers were not answer records and were ignored.")
        return replace(graded, reason=_stopped_reason(finished, report, self.limits), exercises=exercises,
                       cell_errors=_cell_errors(report, self.limits), flags=flags, notes=notes,
                       peak_kernel_mb=finished.peak_mb)

    def grade(self, workers: int | None = None, roster: Path | None = None, duedate: str = "",
              progress: bool = True) -> Outputs:
        people = load_roster(roster)
        found, skipped = find_submissions(self.submissions)
        workers = max(1, workers or os.cpu_count() or 1)
        slots: SimpleQueue[tuple[int, Judge]] = SimpleQueue()
        judges = [Judge() for _ in range(workers)]
        for slot, judge in enumerate(judges):
            slots.put((slot, judge))

        def grade_in_a_slot(submission: Submission) -> Graded:
            slot, judge = slots.get()
            try:
                return self.grade_one(submission, Path(scratch), student_package, slot, judge)
            finally:
                slots.put((slot, judge))

        results: list[Graded] = []
        with tempfile.TemporaryDirectory(prefix="russia-china-grading-") as scratch:
            os.chmod(scratch, 0o711)  # sandbox users pass through; they cannot list it
            student_package = None if self.unsandboxed else sandbox.stage_student_package(Path(scratch))
            try:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    futures = [pool.submit(grade_in_a_slot, s) for s in found]
                    for future in tqdm(as_completed(futures), total=len(futures), desc=f"grading {self.plan.name}",
                                       unit="submission", disable=not progress):
                        results.append(future.result())
            finally:
                for judge in judges:
                    judge.close()
        results.sort(key=lambda g: g.student_id)
        folder = self.output / self.plan.name
        return Outputs(
            gradebook=gradebook.write_gradebook(folder / "gradebook.csv", results, self.plan, people, duedate),
            feedback=gradebook.write_feedback(folder / "feedback", results, self.plan),
            written_answers=gradebook.write_written_answers(folder / "written_answers.csv", results),
            skipped=gradebook.write_skipped(folder / "skipped.csv", skipped),
            results=results, skipped_entries=skipped,
        )


DEFAULT_OUTPUT = REPO_ROOT / "grades"
