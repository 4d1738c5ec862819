"""Run one submitted notebook inside the grading sandbox: `python -m russia_china.exercises.runner RUN.json`.

This module is on the student's side of the trust boundary: it runs inside
the sandbox, next to the student's code, and the grader believes nothing it
says. It sets the limits the kernel inherits, gives up root, copies the
submission into its home (in memory, of a fixed size, so nothing it writes
reaches the grader's disk) and executes the notebook's code cells in a fresh
kernel. Everything it tells the grader goes down one channel, a pipe the
grader reads as it fills: each answer check() records (plain data, see
`plain`), the tripwire's flags, and at the end a report of what happened to
each cell. The grader reads it as untrusted data.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .format import RECORD_ENV

#: The kernel's own record of its answers, in its home: the last cell reads it.
LOCAL_ANSWERS = "private/answers.jsonl"
_PACKAGE = str(Path(__file__).resolve().parents[1]) + os.sep
#: Written first, before any student code: the grader's sign that the sandbox started.
STARTED = b"runner started\n"


def limit_resources(memory_mb: int, cpu_seconds: int, file_mb: int, processes: int) -> None:
    """Hard limits, set before any student code runs; an unprivileged process cannot raise them."""
    memory = memory_mb * 2**20
    for name, value in (("RLIMIT_AS", memory), ("RLIMIT_CPU", cpu_seconds), ("RLIMIT_FSIZE", file_mb * 2**20),
                        ("RLIMIT_NPROC", processes), ("RLIMIT_CORE", 0)):
        if hasattr(resource, name):
            resource.setrlimit(getattr(resource, name), (value, value))


def drop_root(uid: int | None, home: Path) -> None:
    """As root, give the home to an unprivileged user of the grader's choosing (one
    per worker) and become it, so the process limit counts only this submission's processes."""
    if uid is not None and os.getuid() == 0:
        os.chown(home, uid, uid)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)


def _start_cell(channel: str) -> str:
    # Import the course's own package before the student's folder is on the
    # path, so a stale copy of russia_china shipped beside a notebook cannot
    # stand in for it (fairness, not security: everything here is untrusted).
    return (
        "def __course_start():\n"
        "    import os, sys\n"
        "    saved = list(sys.path)\n"
        "    sys.path[:] = [p for p in sys.path if p not in ('', '.', os.getcwd())]\n"
        "    try:\n"
        "        import russia_china.exercises\n"
        # matplotlib may run fc-list to build its font cache: before the tripwire, so that is never flagged.
        "        import matplotlib.font_manager\n"
        "        from russia_china.exercises import tripwire\n"
        f"        tripwire.install({channel!r})\n"
        "    finally:\n"
        "        sys.path[:] = saved\n"
        "__course_start()\n"
        "del __course_start\n"
    )


def _export_cell(variables: dict[str, str], answers_file: str) -> str:
    """Record the answer variables of exercises whose check() never recorded an answer
    (read from the answers file, so a notebook that replaced the package is graded too)."""
    return (
        "def __course_export(variables, path):\n"
        "    import json, os, sys\n"
        "    recorded = set()\n"
        "    if os.path.exists(path):\n"
        "        for line in open(path, encoding='utf-8'):\n"
        "            try:\n"
        "                recorded.add(json.loads(line)['exercise_id'])\n"
        "            except Exception:\n"
        "                pass\n"
        "    sys.path[:] = [p for p in sys.path if p not in ('', '.', os.getcwd())]\n"
        "    for name in [m for m in sys.modules if m.split('.')[0] == 'russia_china']:\n"
        f"        if not (getattr(sys.modules[name], '__file__', None) or '').startswith({_PACKAGE!r}):\n"
        "            del sys.modules[name]\n"
        "    from russia_china.exercises import checking, plain\n"
        "    for exercise_id, name in variables.items():\n"
        "        if exercise_id not in recorded and name in globals():\n"
        "            checking.record(exercise_id, plain.to_plain(globals()[name]), via='variable')\n"
        f"__course_export({variables!r}, {answers_file!r})\n"
    )


class _Timing:
    """When each cell started (an nbclient hook); a cell lasted until the next one started.

    Measured, not read from outputs: a kernel starved of processor time may
    answer an interrupt too late for its KeyboardInterrupt to reach the notebook."""

    def __init__(self) -> None:
        self.started: dict[int, float] = {}
        self.ended: float | None = None
        self.kernel: subprocess.Popen | None = None

    def on_start(self, cell: Any, cell_index: int, **_: Any) -> None:
        self.started[cell_index] = time.monotonic()

    def seconds(self, cell_index: int) -> float | None:
        if cell_index not in self.started:
            return None
        later = [t for i, t in self.started.items() if i > cell_index] + [self.ended or time.monotonic()]
        return min(later) - self.started[cell_index]


def _cell_report(number: int, cell: Any, seconds: float | None, cell_timeout: int) -> dict[str, Any] | None:
    if seconds is not None and seconds >= cell_timeout:
        return {"cell": number, "outcome": "timeout", "ename": "", "evalue": ""}
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        ename = str(output.get("ename", ""))
        evalue = (str(output.get("evalue", "")).splitlines() or [""])[0]
        if ename == "KeyboardInterrupt":
            return {"cell": number, "outcome": "interrupted", "ename": ename, "evalue": ""}
        return {"cell": number, "outcome": "error", "ename": ename, "evalue": evalue}
    return None


def run(config: dict[str, Any]) -> dict[str, Any]:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    home = Path(config["home"])
    nb = nbformat.read(home / config["notebook"], as_version=4)
    numbered = [(number, cell) for number, cell in enumerate(nb.cells, start=1) if cell.cell_type == "code"]
    student = [nbformat.v4.new_code_cell(cell.source) for _, cell in numbered]
    start = nbformat.v4.new_code_cell(_start_cell(config["channel"]))
    export = nbformat.v4.new_code_cell(_export_cell(config["variables"], str(home / LOCAL_ANSWERS)))
    timing = _Timing()

    def remember_kernel(**_: Any) -> None:
        # nbclient calls this once the kernel has started, so its manager exists.
        assert client.km is not None
        timing.kernel = getattr(client.km.provisioner, "process", None)

    client = NotebookClient(
        nbformat.v4.new_notebook(cells=[start, *student, export]), timeout=config["cell_timeout"],
        allow_errors=True, interrupt_on_timeout=True, kernel_name="python3", startup_timeout=120,
        resources={"metadata": {"path": str(home / config["cwd"])}}, on_cell_execute=timing.on_start,
        iopub_timeout=30, on_notebook_start=remember_kernel)
    report: dict[str, Any] = {"cells": [], "died": None, "finished": False}
    env = {**os.environ, RECORD_ENV: os.pathsep.join([config["channel"], str(home / LOCAL_ANSWERS)])}
    try:
        client.execute(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        report["finished"] = True
    except DeadKernelError:
        ran = [n for index, (n, _) in enumerate(numbered, start=1) if index in timing.started]
        report["died"] = {"cell": ran[-1] if ran else None, **_exit_status(timing.kernel)}
    timing.ended = time.monotonic()
    for index, (number, _) in enumerate(numbered, start=1):
        entry = _cell_report(number, student[index - 1], timing.seconds(index), config["cell_timeout"])
        if entry:
            report["cells"].append(entry)
    return report


def _exit_status(kernel: subprocess.Popen | None) -> dict[str, int | None]:
    code = kernel.poll() if kernel is not None else None
    if code is None:
        return {"exit_code": None, "signal": None}
    return {"exit_code": code, "signal": None} if code >= 0 else {"exit_code": None, "signal": -code}


def main() -> None:
    sys.stdout.buffer.write(STARTED)
    sys.stdout.flush()
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    limit_resources(config["memory_mb"], config["cpu_seconds"], config["file_mb"], config["processes"])
    home, inputs = Path(config["home"]), Path(config["inputs"])
    drop_root(config.get("uid"), home)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    shutil.copytree(inputs / "submission", home / "submission", symlinks=True)
    shutil.copytree(inputs / "private", home / "private", dirs_exist_ok=True)
    report = run(config)
    with open(config["channel"], "a", encoding="utf-8") as channel:
        channel.write(json.dumps({"report": report}) + "\n")


if __name__ == "__main__":
    main()
