"""Grade a folder of submissions in parallel, one sandboxed worker per submission."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from ..exercises.checking import KEY_ENV
from ..paths import REPO_ROOT
from . import gradebook, sandbox
from .gradebook import Graded
from .plan import AssignmentPlan, load_plans
from .submissions import Submission, find_submissions, guess_assignment, load_roster

KEY_FILE = Path(__file__).resolve().parents[1] / "exercises" / "answer_key.json"


@dataclass(frozen=True)
class Limits:
    cell_timeout: int = 60
    submission_timeout: int = 600
    memory_mb: int = 3072
    cpu_seconds: int = 600


@dataclass(frozen=True)
class Outputs:
    gradebook: Path
    feedback: list[Path]
    written_answers: Path
    results: list[Graded]


def _fontlist() -> str | None:
    import matplotlib

    found = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    return str(found[-1]) if found else None


def _copy_submission(submission: Submission, workdir: Path) -> Path | None:
    """A private copy to run; symlinks are copied as links, never followed."""
    target = workdir / "submission"
    if submission.root.is_dir():
        shutil.copytree(submission.root, target, symlinks=True)
        return target / submission.notebook.relative_to(submission.root) if submission.notebook else None
    target.mkdir(parents=True)
    shutil.copy2(submission.root, target / submission.root.name)
    return target / submission.root.name


def _run_worker(command: list[str], config: dict, timeout: int) -> dict:
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True, cwd=config["workdir"])
    try:
        stdout, stderr = process.communicate(json.dumps(config), timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return {"outcome": "zero", "reason": f"grading stopped after {timeout} s (time limit per submission)"}
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        tail = " ".join(stderr.strip().splitlines()[-2:])[:300]
        return {"outcome": "error", "reason": f"the grading worker failed (exit {process.returncode}): {tail}"}
    return json.loads(lines[-1])


class ClassGrader:
    """Grades one assignment for every submission in a folder."""

    def __init__(self, solutions: Path, submissions: Path, output: Path, assignment: str | None = None,
                 limits: Limits = Limits(), use_bubblewrap: bool | None = None):
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
        self.use_bubblewrap = sandbox.bubblewrap() is not None if use_bubblewrap is None else use_bubblewrap
        self._fontlist = _fontlist()

    def _blocked(self, scratch: Path) -> dict[str, str]:
        key = Path(os.environ.get(KEY_ENV) or KEY_FILE).resolve()
        return {str(self.solutions): "the solutions", str(key): "the answer key",
                str(self.submissions): "other students' submissions", str(self.output): "the gradebook folder",
                str(scratch): "other students' submissions"}

    def grade_one(self, submission: Submission, scratch: Path) -> Graded:
        workdir = Path(tempfile.mkdtemp(prefix="submission-", dir=scratch))
        try:
            notebook = _copy_submission(submission, workdir)
            config = {
                "nonce": secrets.token_hex(16), "notebook": str(notebook) if notebook else None,
                "workdir": str(workdir), "cwd": str(notebook.parent if notebook else workdir / "submission"),
                "blocked": self._blocked(scratch), "plan": self.plan.to_json(), "fontlist": self._fontlist,
                "cell_timeout": self.limits.cell_timeout, "memory_mb": self.limits.memory_mb,
                "cpu_seconds": self.limits.cpu_seconds,
            }
            hidden = [self.solutions, self.submissions, self.output, scratch]
            command = sandbox.worker_command(workdir, hidden, self.use_bubblewrap)
            result = _run_worker(command, config, self.limits.submission_timeout)
        except Exception as problem:  # one student's odd files must not stop the class
            result = {"outcome": "error", "reason": f"could not prepare the submission: {problem}"}
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return Graded(student_id=submission.student_id, timestamp=submission.timestamp,
                      outcome=result.get("outcome", "error"), reason=result.get("reason"),
                      exercises=result.get("exercises", []), cell_errors=result.get("cell_errors", []),
                      violations=result.get("violations", []), notes=result.get("notes", []),
                      peak_kernel_mb=result.get("peak_kernel_mb"))

    def grade(self, workers: int | None = None, roster: Path | None = None, duedate: str = "",
              progress: bool = True) -> Outputs:
        people = load_roster(roster)
        found = find_submissions(self.submissions, self.plan.name, set(self.plan.ids))
        workers = max(1, workers or os.cpu_count() or 1)
        results: list[Graded] = []
        with tempfile.TemporaryDirectory(prefix="russia-china-grading-") as scratch:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = [pool.submit(self.grade_one, s, Path(scratch)) for s in found]
                for future in tqdm(as_completed(futures), total=len(futures), desc=f"grading {self.plan.name}",
                                   unit="submission", disable=not progress):
                    results.append(future.result())
        results.sort(key=lambda g: g.student_id)
        folder = self.output / self.plan.name
        return Outputs(
            gradebook=gradebook.write_gradebook(folder / "gradebook.csv", results, self.plan, people, duedate),
            feedback=gradebook.write_feedback(folder / "feedback", results, self.plan),
            written_answers=gradebook.write_written_answers(folder / "written_answers.csv", results),
            results=results,
        )


DEFAULT_OUTPUT = REPO_ROOT / "grades"
