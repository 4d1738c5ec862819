"""Benchmark of grading throughput: a class of model answers, graded with 1, 2, ... workers."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import nbformat

from ..grading.grader import ClassGrader
from ..paths import REPO_ROOT
from .release import handed_in_notebook


def bench_grading(submissions: int, workers: list[int], assignment: str = "00_introduction_exercises",
                  solutions: Path = REPO_ROOT / "solutions") -> list[dict[str, float | None]]:
    """Wall time to grade `submissions` copies of the model solution, for each worker count."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="russia-china-bench-") as scratch:
        folder = Path(scratch) / "submissions"
        folder.mkdir()
        answered = handed_in_notebook(nbformat.read(solutions / f"{assignment}.ipynb", as_version=4), assignment)
        for number in range(submissions):
            nbformat.write(answered, folder / f"student{number:03d}.ipynb")
        for count in workers:
            grader = ClassGrader(solutions, folder, Path(scratch) / f"grades-{count}", assignment=assignment)
            start = time.perf_counter()
            results = grader.grade(workers=count, progress=False).results
            seconds = time.perf_counter() - start
            failed = sum(g.outcome != "graded" for g in results)
            peaks = [g.peak_kernel_mb for g in results if g.peak_kernel_mb]
            rows.append({"submissions": submissions, "workers": count, "seconds": round(seconds, 1),
                         "per_submission_s": round(seconds / submissions, 2), "failed": failed,
                         "peak_kernel_mb": max(peaks, default=None),
                         "bubblewrap": not grader.unsandboxed})
    return rows
