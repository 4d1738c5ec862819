"""Grade a folder of submissions: each notebook runs in the sandbox, its plain answers are judged outside it.

For each submission, in a worker thread: the notebook is read here as data
(outputs dropped, size checked), copied into a private folder and run by the
runner inside the sandbox (see `sandbox`). What comes back down its channel,
the answers check() recorded, flags and the runner's report, is untrusted: it
is validated field by field (see `returned`), and only then judged by a judge
process in which no student code ever ran (see `judge`). A notebook whose cell
ran out of time is graded once more alone at the end, as another notebook may
have hogged the processor.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from queue import SimpleQueue

import nbformat
from tqdm import tqdm

from ..paths import REPO_ROOT
from . import gradebook, returned, sandbox
from .gradebook import Graded
from .judge import Judge, JudgeError
from .plan import AssignmentPlan, load_plans
from .shards import Shard, ShardError, read_shards, write_shard
from .submissions import Skipped, Submission, find_submissions, guess_assignment, load_roster, walk

#: A notebook file larger than this is not even read (outputs included).
MAX_FILE_MB = 512


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
    """matplotlib's font cache, built here if need be, to copy into each sandbox."""
    import matplotlib
    import matplotlib.font_manager  # importing it loads or builds the cache

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


def _copy_submission(submission: Submission, nb: nbformat.NotebookNode, workdir: Path) -> tuple[Path, str | None]:
    """A private copy of the student's folder (links copied as links, never followed; pipes and
    devices left out), with the notebook as it will run, without outputs; or why it cannot run."""
    target = workdir / "in" / "submission"
    target.mkdir(parents=True)
    if submission.root.is_dir():
        folders, files, links, _ = walk(submission.root)
        size = sum(f.lstat().st_size for f in files if f != submission.notebook) / 2**20
        if size > sandbox.HOME_MB / 2:
            return target, (f"the folder {submission.root.name} holds {size:.0f} MB besides the notebook; "
                            f"the sandbox has room for {sandbox.HOME_MB // 2} MB")
        for folder in folders:
            (target / folder.relative_to(submission.root)).mkdir(exist_ok=True)
        for file in files:
            shutil.copyfile(file, target / file.relative_to(submission.root))
        for link in links:
            os.symlink(os.readlink(link), target / link.relative_to(submission.root))
        assert submission.notebook is not None  # it was read, so it was found
        notebook = target / submission.notebook.relative_to(submission.root)
    else:
        notebook = target / submission.root.name
    notebook.unlink(missing_ok=True)
    nbformat.write(nb, notebook)
    return notebook, None


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
        nb, problem = (None, submission.problem) if submission.problem else read_submission(submission.notebook,
                                                                                                    self.limits)
        if problem:
            return replace(graded, outcome="zero", reason=problem)
        assert nb is not None  # read_submission gives either a notebook or a problem
        workdir = Path(tempfile.mkdtemp(prefix="submission-", dir=scratch))
        try:
            notebook, problem = _copy_submission(submission, nb, workdir)
            if problem:
                return replace(graded, outcome="zero", reason=problem)
            view = sandbox.View(workdir, student_package,
                                uid=sandbox.FIRST_UID + slot if student_package and os.getuid() == 0 else None)
            given = workdir / "in"
            config = sandbox.prepare(view, {
                "notebook": str(notebook.relative_to(given)), "cwd": str(notebook.parent.relative_to(given)),
                "cell_timeout": self.limits.cell_timeout, "memory_mb": self.limits.memory_mb,
                "cpu_seconds": self.limits.cpu_seconds, "file_mb": self.limits.file_mb,
                "processes": self.limits.processes,
                "variables": {e.exercise_id: e.answer_name for e in self.plan.exercises if e.answer_name}},
                self._fontlist)
            finished = sandbox.run(view, config, self.limits.submission_timeout, self.limits.memory_mb)
            if not finished.started and not finished.timed_out:
                return replace(graded, outcome="error", reason=f"the sandbox did not start: {finished.output_tail}")
            told = returned.parse_channel(finished.channel, self.plan)
        except Exception as failure:  # the grader's own failure: reported, and the class goes on
            return replace(graded, outcome="error", reason=f"grading failed: {type(failure).__name__}: {failure}")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        try:
            exercises = judge(self.plan.to_json(), told.answers)
        except JudgeError as failure:
            return replace(graded, outcome="error", reason=f"the judge failed: {failure}")
        by_id = {e.exercise_id: e for e in self.plan.exercises}
        notes = graded.notes + [f"Exercise {e['exercise_id']}: check() recorded no answer; graded the variable "
                                f"{by_id[e['exercise_id']].answer_name}." for e in exercises if e["via"] == "variable"]
        if told.ignored:
            notes.append(f"{told.ignored} line(s) sent to the grader were not answer records and were ignored.")
        reason = returned.stopped_reason(finished, told.report, self.limits.memory_mb, self.limits.submission_timeout)
        errors = returned.cell_errors(told.report, self.limits.cell_timeout, self.limits.memory_mb)
        out_of_time = finished.timed_out or any(c["outcome"] == "timeout" for c in (told.report or {}).get("cells", []))
        return replace(graded, reason=reason, exercises=exercises, cell_errors=errors, flags=told.flags, notes=notes,
                       peak_kernel_mb=finished.peak_mb, ran_out_of_time=out_of_time)

    def _again_alone(self, first: Graded, submission: Submission, grade) -> Graded:
        """A notebook that ran out of time may have shared the processor with one that hogged it:
        grade it once more with nothing alongside, and keep the better run."""
        second = grade(submission)
        before, after = (sum(p or 0 for p in run.points(self.plan).values()) for run in (first, second))
        better = second if after >= before else first
        note = (f"A cell ran out of time while other notebooks were graded alongside, so this notebook was graded "
                f"a second time alone; the better run counts ({before:g} points, then {after:g}).")
        return replace(better, notes=[*better.notes, note])

    def grade(self, workers: int | None = None, roster: Path | None = None, duedate: str = "",
              progress: bool = True, shard: Shard | None = None) -> Outputs:
        """Grade the class, or with ``shard`` one deterministic share of it (see `shards`)."""
        people = load_roster(roster)
        found, skipped = find_submissions(self.submissions)
        class_ids = [s.student_id for s in found]
        if shard is not None:
            found = shard.take(found)
        by_id = {s.student_id: s for s in found}
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
                    futures = {pool.submit(grade_in_a_slot, s): s for s in found}
                    for future in tqdm(as_completed(futures), total=len(futures), desc=f"grading {self.plan.name}",
                                       unit="submission", disable=not progress):
                        results.append(future.result())
                if workers > 1:
                    results = [self._again_alone(g, by_id[g.student_id], grade_in_a_slot) if g.ran_out_of_time
                               else g for g in results]
            finally:
                for judge in judges:
                    judge.close()
        results.sort(key=lambda g: g.student_id)
        folder = self.output / self.plan.name
        if shard is not None:
            write_shard(folder, assignment=self.plan.name, shard=shard, class_ids=class_ids, results=results,
                        skipped=skipped, roster=people, duedate=duedate)
        return write_outputs(folder, results, skipped, self.plan, people, duedate)


def write_outputs(folder: Path, results: list[Graded], skipped: list[Skipped], plan: AssignmentPlan,
                  people: dict[str, dict[str, str]], duedate: str) -> Outputs:
    """Everything a run writes: the gradebook, feedback, written answers and skipped entries."""
    return Outputs(
        gradebook=gradebook.write_gradebook(folder / "gradebook.csv", results, plan, people, duedate),
        feedback=gradebook.write_feedback(folder / "feedback", results, plan),
        written_answers=gradebook.write_written_answers(folder / "written_answers.csv", results),
        skipped=gradebook.write_skipped(folder / "skipped.csv", skipped),
        results=results, skipped_entries=skipped,
    )


def merge_shards(shard_folders: list[Path], solutions: Path, output: Path) -> Outputs:
    """Combine ``grade --shard`` runs into exactly what one run over the class writes."""
    merged = read_shards(shard_folders)
    plans = load_plans(solutions.resolve())
    if merged.assignment not in plans:
        raise ShardError(f"the shards graded {merged.assignment}, which is not in {solutions}")
    return write_outputs(output.resolve() / merged.assignment, merged.results, merged.skipped,
                         plans[merged.assignment], merged.roster, merged.duedate)


DEFAULT_OUTPUT = REPO_ROOT / "grades"
