"""Benchmark of grading throughput: a class of model answers, graded with 1, 2, ... workers."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import nbformat

from ..grading.grader import ClassGrader
from ..paths import REPO_ROOT
from .release import BEGIN_HIDDEN, MARKERS, SOLUTION_ONLY_TAG


def _as_handed_in(solution: Path) -> nbformat.NotebookNode:
    """The model solution as a student would hand it in: no hidden tests, model answers or markers."""
    nb = nbformat.read(solution, as_version=4)
    nb.cells = [c for c in nb.cells if SOLUTION_ONLY_TAG not in c.metadata.get("tags", [])
                and BEGIN_HIDDEN not in c.source]
    for cell in nb.cells:
        cell.source = "\n".join(line for line in cell.source.splitlines() if line.strip() not in MARKERS)
    return nb


def bench_grading(submissions: int, workers: list[int], assignment: str = "00_introduction_exercises",
                  solutions: Path = REPO_ROOT / "solutions") -> list[dict[str, float]]:
    """Wall time to grade `submissions` copies of the model solution, for each worker count."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="russia-china-bench-") as scratch:
        folder = Path(scratch) / "submissions"
        folder.mkdir()
        answered = _as_handed_in(solutions / f"{assignment}.ipynb")
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
                         "bubblewrap": grader.use_bubblewrap})
    return rows
