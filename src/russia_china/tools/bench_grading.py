"""Benchmark of grading throughput: a class of model answers, graded with 1, 2, ... workers."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import nbformat

from ..grading.grader import ClassGrader, merge_shards
from ..grading.shards import Shard
from ..paths import REPO_ROOT
from .release import handed_in_notebook


def _class(folder: Path, submissions: int, assignment: str, solutions: Path) -> None:
    folder.mkdir()
    answered = handed_in_notebook(nbformat.read(solutions / f"{assignment}.ipynb", as_version=4), assignment)
    for number in range(submissions):
        nbformat.write(answered, folder / f"student{number:03d}.ipynb")


def bench_shards(submissions: int, shards: int = 2, workers: int = 2, assignment: str = "00_introduction_exercises",
                 solutions: Path = REPO_ROOT / "solutions") -> dict[str, object]:
    """The class graded in one run, then as ``shards`` shards one after another (each as if on a machine of its
    own, with ``workers`` workers), then merged: each wall time, and whether the merge equals the one run."""
    with tempfile.TemporaryDirectory(prefix="russia-china-bench-") as scratch:
        root = Path(scratch)
        _class(root / "submissions", submissions, assignment, solutions)
        start = time.perf_counter()
        ClassGrader(solutions, root / "submissions", root / "whole", assignment=assignment).grade(
            workers=workers, progress=False)
        whole = time.perf_counter() - start
        shard_seconds = []
        for index in range(1, shards + 1):
            start = time.perf_counter()
            ClassGrader(solutions, root / "submissions", root / f"shard{index}", assignment=assignment).grade(
                workers=workers, progress=False, shard=Shard(index, shards))
            shard_seconds.append(round(time.perf_counter() - start, 1))
        start = time.perf_counter()
        merge_shards([root / f"shard{index}" for index in range(1, shards + 1)], solutions, root / "merged")
        merge = time.perf_counter() - start

        def files(folder: Path) -> dict[str, bytes]:
            return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
                    if p.is_file() and p.name != "shard.json"}

        return {"submissions": submissions, "workers": workers, "shards": shards, "one_run_s": round(whole, 1),
                "shard_s": shard_seconds, "merge_s": round(merge, 2),
                "merged_equals_one_run": files(root / "whole") == files(root / "merged")}


def bench_grading(submissions: int, workers: list[int], assignment: str = "00_introduction_exercises",
                  solutions: Path = REPO_ROOT / "solutions") -> list[dict[str, float | None]]:
    """Wall time to grade `submissions` copies of the model solution, for each worker count."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="russia-china-bench-") as scratch:
        folder = Path(scratch) / "submissions"
        _class(folder, submissions, assignment, solutions)
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
