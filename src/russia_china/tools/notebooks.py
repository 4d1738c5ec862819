"""Keep committed notebooks free of noisy outputs.

Outputs are cleared everywhere except in cells tagged ``nbval-check-output``:
those hold the key numbers a lesson states, and nbval compares them on every
run, so a change in the data that contradicts the prose fails the tests.

The checks read each notebook as git's index holds it (what the next commit
will contain) whenever the working copy differs from it only in outputs, and
always for the exercise notebooks students answer: JupyterLab autosaves outputs
while a student works through the course, and that must never make the tests
fail. A lesson whose cells were edited is tested as edited.
"""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import ClearOutputPreprocessor, Preprocessor

from ..paths import REPO_ROOT

CHECKED_TAG = "nbval-check-output"


class ClearUncheckedOutputs(ClearOutputPreprocessor):
    """Clear outputs and execution counts, except in cells nbval checks.

    nbval skips (and fails) a checked cell whose stored execution count is
    empty, so checked cells get a deterministic count: their position among
    the code cells. Re-running the notebook then changes nothing in git.
    """

    def preprocess(self, nb, resources):
        code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
        self._positions = {id(cell): number for number, cell in enumerate(code_cells, start=1)}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        if is_checked(cell):
            cell.execution_count = self._positions[id(cell)]
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = cell.execution_count
            return cell, resources
        return super().preprocess_cell(cell, resources, cell_index)


class DropVolatileMetadata(Preprocessor):
    """Remove metadata that changes on every run (timings, widget state)."""

    volatile = ("execution", "collapsed", "scrolled")

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            for key in self.volatile:
                cell.metadata.pop(key, None)
        return nb, resources


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    for preprocessor in (ClearUncheckedOutputs(), DropVolatileMetadata()):
        nb, _ = preprocessor.preprocess(nb, {})
    return nb


def refresh(path: Path, timeout: int = 120) -> None:
    """Execute a notebook in its folder, then save it cleaned."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(clean(nb), path)


def is_checked(cell) -> bool:
    return CHECKED_TAG in cell.get("metadata", {}).get("tags", [])


def committed_text(path: Path) -> str | None:
    """The notebook's text as git's index holds it, or None outside a git checkout
    or for a file git does not track (then the working copy is all there is)."""
    path = Path(path).resolve()
    try:
        shown = subprocess.run(["git", "show", f":./{path.name}"], cwd=path.parent,
                               capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return shown.stdout.decode("utf-8") if shown.returncode == 0 else None


def _cells(nb: nbformat.NotebookNode) -> list[tuple]:
    """What an author writes in a notebook: cell kinds, sources and tags, not outputs or counts."""
    return [(cell.cell_type, cell.source, tuple(cell.get("metadata", {}).get("tags", []))) for cell in nb.cells]


#: Students write their answers into these folders' notebooks, so an edit there is never the course's.
STUDENT_FOLDERS = ("exercises",)


def version_for_tests(path: Path) -> tuple[nbformat.NotebookNode, str]:
    """The version of a notebook the tests read, and where it came from.

    "index": the working copy differs from git's index at most in outputs, counts
    and metadata (what running it in JupyterLab changes), or it is a student's
    exercise notebook, so the staged version is read and autosaved outputs and
    answers do not count. "edited": a lesson's cell source or tags differ, so the
    edit itself is tested. "working copy": there is no git index.
    """
    path = Path(path)
    working = nbformat.read(path, as_version=4)
    text = committed_text(path)
    if text is None:
        return working, "working copy"
    staged = nbformat.reads(text, as_version=4)
    if path.resolve().parent.name in STUDENT_FOLDERS or _cells(staged) == _cells(working):
        return staged, "index"
    return working, "edited"


def staged_text(path: Path) -> str:
    """The notebook's text as staged in git, or the working copy's outside a git checkout."""
    text = committed_text(path)
    return Path(path).read_text(encoding="utf-8") if text is None else text


def noisy_cells(path: Path) -> list[str]:
    """Describe every cell that carries output or counts it should not, in the version the tests read."""
    return noisy_cells_in(version_for_tests(path)[0])


def noisy_cells_in(nb: nbformat.NotebookNode) -> list[str]:
    expected = clean(copy.deepcopy(nb))
    problems = []
    for index, (cell, clean_cell) in enumerate(zip(nb.cells, expected.cells)):
        if cell.cell_type != "code":
            continue
        if cell.outputs and not is_checked(cell):
            problems.append(f"cell {index}: has outputs but is not tagged {CHECKED_TAG}")
        elif cell.execution_count != clean_cell.execution_count:
            problems.append(f"cell {index}: execution_count {cell.execution_count}, "
                            f"expected {clean_cell.execution_count}")
    if "widgets" in nb.metadata:
        problems.append("notebook metadata holds widget state")
    return problems


def _shown(path: Path) -> str:
    """The path as a reader at the repository's top would type it."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def how_to_fix(path: Path, origin: str) -> str:
    """What to type when the tested version of a notebook carries noisy outputs.

    `origin` is where that version came from, as version_for_tests says.
    """
    shown = _shown(Path(path))
    refresh = f"`make notebooks` (or `.venv/bin/russia-china notebooks {shown}`)"
    if origin == "index":
        return (f"the version of {shown} staged in git carries outputs it should not. (The tests read the "
                f"staged version, so running lessons in JupyterLab never causes this.) Run {refresh}, "
                f"then `git add {shown}`.")
    if origin == "edited":
        return (f"you edited {shown} (its cells differ from git's), so the tests read your copy, and it carries "
                f"outputs. To return to the course's version: `git checkout -- {shown}`. To keep your edit: "
                f"run {refresh}, then `git add {shown}`.")
    return (f"{shown} carries outputs. Run {refresh}, or in JupyterLab choose Edit > Clear Outputs of All "
            f"Cells and save.")
