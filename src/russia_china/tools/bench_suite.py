"""Benchmark of the test suite's notebook execution against its floor.

The floor is what no scheduling can beat: starting one kernel and importing
the course's libraries, once per notebook, shared among the cores in use.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from ..paths import REPO_ROOT

NOTEBOOK_FOLDERS = ("notebooks", "solutions", "exercises")
IMPORTS = ("import pandas, seaborn, matplotlib.pyplot, ipywidgets\n"
           "import russia_china.charts, russia_china.widgets, russia_china.exercises\n"
           "from russia_china.data import load\nload('sources')")


def kernel_floor_seconds(repeats: int = 2) -> float:
    """Time to start a kernel and import the course's libraries."""
    times = []
    for _ in range(repeats):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(IMPORTS)])
        start = time.perf_counter()
        NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(REPO_ROOT)}}).execute(
            stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)  # the floor: the fastest start seen


def _per_notebook(junit: Path) -> dict[str, float]:
    """Seconds per notebook: nbval reports one test case per cell."""
    seconds: dict[str, float] = defaultdict(float)
    for case in ET.parse(junit).iter("testcase"):
        source = case.get("file") or case.get("classname") or ""
        if source.endswith(".ipynb"):
            seconds[source] += float(case.get("time", 0))
    return dict(seconds)


def bench_suite(workers: int = 2) -> dict:
    """Wall time of nbval over every notebook with `workers` processes, per-notebook times and the floor."""
    notebooks = sorted(str(p.relative_to(REPO_ROOT)) for folder in NOTEBOOK_FOLDERS
                       for p in (REPO_ROOT / folder).glob("*.ipynb"))
    with tempfile.TemporaryDirectory() as scratch:
        junit = Path(scratch) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", str(workers),
                   "--dist", "loadscope", f"--junitxml={junit}", "-o", "junit_family=xunit1", *NOTEBOOK_FOLDERS]
        start = time.perf_counter()
        finished = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False,
                                  env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        wall = time.perf_counter() - start
        per_notebook = _per_notebook(junit) if junit.exists() else {}
    floor_one = kernel_floor_seconds()
    floor = floor_one * len(notebooks) / workers
    return {"notebooks": len(notebooks), "workers": workers, "wall_s": round(wall, 1),
            "kernel_start_and_imports_s": round(floor_one, 2), "floor_s": round(floor, 1),
            "ratio_to_floor": round(wall / floor, 2), "passed": finished.returncode == 0,
            "per_notebook_s": {k: round(v, 1) for k, v in sorted(per_notebook.items(), key=lambda kv: -kv[1])}}
