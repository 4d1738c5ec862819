"""Grade one submission: `python -m russia_china.grading.worker < config.json`.

Runs inside the sandbox, one process per submission. It sets the memory and
CPU limits (the kernel inherits them), executes the notebook's code cells in a
fresh kernel between a guard cell and a grading cell, and prints one JSON
result on stdout. The kernel's own stdout goes nowhere, so nothing the
student's code prints can pose as the result.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat

from .kernel_session import RESULT_MIME

_MAX_NOTEBOOK_BYTES = 20 * 2**20
_MAX_OUTPUT_FILE_BYTES = 200 * 2**20


def _limit_resources(memory_mb: int, cpu_seconds: int) -> list[str]:
    """Set the limits the kernel inherits; returns those this system refused (macOS ignores some)."""
    memory = memory_mb * 2**20
    refused = []
    for name, limit in (("RLIMIT_AS", (memory, memory)), ("RLIMIT_CPU", (cpu_seconds, cpu_seconds + 5)),
                        ("RLIMIT_FSIZE", (_MAX_OUTPUT_FILE_BYTES, _MAX_OUTPUT_FILE_BYTES))):
        try:
            resource.setrlimit(getattr(resource, name), limit)
        except (ValueError, OSError):
            refused.append(name)
    return refused


def _zero(reason: str) -> dict[str, Any]:
    return {"outcome": "zero", "reason": reason, "exercises": [], "cell_errors": [], "violations": [], "notes": []}


def read_submission(path: Path | None) -> tuple[nbformat.NotebookNode | None, str | None]:
    """The notebook, or the reason it cannot be graded."""
    if path is None:
        return None, "no notebook was found in the submission"
    if path.suffix != ".ipynb":
        return None, f"{path.name} is not a Jupyter notebook (.ipynb)"
    if path.stat().st_size > _MAX_NOTEBOOK_BYTES:
        return None, f"{path.name} is larger than {_MAX_NOTEBOOK_BYTES // 2**20} MB"
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as problem:  # nbformat raises several kinds for broken files
        first_line = (str(problem).strip().splitlines() or [""])[0][:200]
        return None, f"{path.name} is not a valid notebook ({type(problem).__name__}: {first_line})"
    if not any(c.cell_type == "code" and c.source.strip() for c in nb.cells):
        return None, f"{path.name} is empty: it has no code to run"
    return nb, None


def _guard_cell(config: dict[str, Any]) -> str:
    # The course package is imported with the submission's folder off sys.path,
    # so a russia_china/ folder shipped with a submission cannot stand in for it.
    return (
        "def __grader_start(writable, blocked):\n"
        "    import os, sys\n"
        "    saved = list(sys.path)\n"
        "    sys.path[:] = [p for p in sys.path if p not in ('', '.', os.getcwd())]\n"
        "    try:\n"
        "        from russia_china.grading.kernel_session import Session\n"
        "    finally:\n"
        "        sys.path[:] = saved\n"
        "    return Session(writable, blocked)\n"
        f"__grader__ = __grader_start({config['workdir']!r}, {config['blocked']!r})\n"
        "del __grader_start\n"
    )


def _grading_cell(config: dict[str, Any]) -> str:
    # A literal, not json.loads: the student's code may have replaced json.
    return f"__grader__.finish({config['nonce']!r}, {config['plan']!r})\n"


def _kernel_environment(workdir: Path) -> dict[str, str]:
    private = workdir / "private"
    env = dict(os.environ)
    env.update({
        "MPLCONFIGDIR": str(private / "matplotlib"), "IPYTHONDIR": str(private / "ipython"),
        "TMPDIR": str(private / "tmp"), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1", "PYTHONSAFEPATH": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    })
    return env


def _prepare_private(workdir: Path, fontlist: str | None) -> None:
    private = workdir / "private"
    for sub in ("matplotlib", "ipython", "tmp", "runtime"):
        (private / sub).mkdir(parents=True, exist_ok=True)
    if fontlist and Path(fontlist).exists():
        shutil.copy(fontlist, private / "matplotlib")  # spares rebuilding matplotlib's font cache
    os.environ["JUPYTER_RUNTIME_DIR"] = str(private / "runtime")


def _cell_errors(cells: list[tuple[int, Any]], cell_timeout: int, memory_mb: int) -> list[str]:
    errors = []
    for number, cell in cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if output.get("ename") == "KeyboardInterrupt":
                errors.append(f"cell {number} ran longer than {cell_timeout} s and was stopped")
            elif output.get("ename") == "MemoryError":
                errors.append(f"cell {number} raised MemoryError: it needed more than the memory limit "
                              f"({memory_mb} MB)")
            else:
                evalue = (str(output.get("evalue", "")).splitlines() or [""])[0][:200]
                errors.append(f"cell {number} raised {output.get('ename')}: {evalue}")
    return errors


def _grading_result(cell: Any, nonce: str) -> dict[str, Any] | None:
    for output in cell.get("outputs", []):
        payload = output.get("data", {}).get(RESULT_MIME)
        if payload is None:
            continue
        result = json.loads(payload) if isinstance(payload, str) else payload
        if result.get("nonce") == nonce:
            return result
    return None


def grade(config: dict[str, Any]) -> dict[str, Any]:
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    notebook = Path(config["notebook"]) if config.get("notebook") else None
    nb, problem = read_submission(notebook)
    if problem:
        return _zero(problem)
    workdir = Path(config["workdir"])
    _prepare_private(workdir, config.get("fontlist"))
    numbered = [(number, cell) for number, cell in enumerate(nb.cells, start=1) if cell.cell_type == "code"]
    student_cells = [nbformat.v4.new_code_cell(cell.source) for _, cell in numbered]
    guard = nbformat.v4.new_code_cell(_guard_cell(config))
    grading = nbformat.v4.new_code_cell(_grading_cell(config))
    run = nbformat.v4.new_notebook(cells=[guard, *student_cells, grading])
    client = NotebookClient(run, timeout=config["cell_timeout"], allow_errors=True, interrupt_on_timeout=True,
                            kernel_name="python3", startup_timeout=120,
                            resources={"metadata": {"path": config["cwd"]}})
    try:
        client.execute(env=_kernel_environment(workdir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except DeadKernelError:
        ran = [n for (n, _), cell in zip(numbered, student_cells) if cell.get("execution_count")]
        where = f" while running cell {ran[-1]}" if ran else ""
        return _zero(f"the kernel died{where}, usually from exceeding the memory limit "
                     f"({config['memory_mb']} MB)")
    errors = _cell_errors(list(zip([n for n, _ in numbered], student_cells)), config["cell_timeout"],
                          config["memory_mb"])
    guard_errors = [o for o in guard.get("outputs", []) if o.get("output_type") == "error"]
    if guard_errors:
        return {**_zero(f"grading could not start: {guard_errors[0].get('ename')}: "
                        f"{guard_errors[0].get('evalue')}"), "outcome": "error"}
    result = _grading_result(grading, config["nonce"])
    if result is None:
        failure = next((f"{o.get('ename')}: {o.get('evalue')}" for o in grading.get("outputs", [])
                        if o.get("output_type") == "error"), "no result was reported")
        return {**_zero(f"the notebook interfered with grading ({failure[:200]})"), "cell_errors": errors}
    if "error" in result:
        return {**_zero(result["error"]), "outcome": "error", "cell_errors": errors}
    return {"outcome": "graded", "reason": None, "exercises": result["exercises"], "cell_errors": errors,
            "violations": result["violations"], "notes": result["notes"], "peak_kernel_mb": _peak_kernel_mb()}


def _peak_kernel_mb() -> float:
    """Largest resident memory of a finished child process: the kernel."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 2**10), 1)


def main() -> None:
    config = json.loads(sys.stdin.read())
    _limit_resources(config["memory_mb"], config["cpu_seconds"])
    try:
        result = grade(config)
    except MemoryError:
        result = _zero(f"grading ran out of memory (limit {config['memory_mb']} MB)")
    except Exception as problem:  # the parent needs a result, whatever happened
        result = {**_zero(f"grading failed: {type(problem).__name__}: {str(problem)[:300]}"), "outcome": "error"}
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
