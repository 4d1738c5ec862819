"""Keep committed notebooks free of noisy outputs.

Outputs are cleared everywhere except in cells tagged ``nbval-check-output``:
those hold the key numbers a lesson states, and nbval compares them on every
run, so a change in the data that contradicts the prose fails the tests.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import ClearOutputPreprocessor, Preprocessor

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


def noisy_cells(path: Path) -> list[str]:
    """Describe every cell that carries output or counts it should not."""
    nb = nbformat.read(path, as_version=4)
    expected = clean(nbformat.read(path, as_version=4))
    problems = []
    for index, (cell, clean_cell) in enumerate(zip(nb.cells, expected.cells)):
        if cell.cell_type != "code":
            continue
        if cell.outputs and not is_checked(cell):
            problems.append(f"cell {index}: has outputs but is not tagged {CHECKED_TAG}")
        elif cell.execution_count != clean_cell.execution_count:
            problems.append(f"cell {index}: execution_count {cell.execution_count}, expected {clean_cell.execution_count}")
    if "widgets" in nb.metadata:
        problems.append("notebook metadata holds widget state")
    return problems
