"""Generate the student notebooks in exercises/ from solutions/.

One small nbconvert preprocessor per transformation, as in nbgrader:
markers are checked first, then solution-only cells, solution regions, hidden
tests and outputs are removed in turn. Markers are nbgrader's, so an
instructor can move to nbgrader later:

    ### BEGIN SOLUTION / ### END SOLUTION
    ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS
"""

from __future__ import annotations

import ast
import difflib
import re
import textwrap
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearOutputPreprocessor, Preprocessor

from ..exercises.format import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    MARKERS,
    PLACEHOLDER_NOTE,
    PLACEHOLDER_TEXT,
    SOLUTION_ONLY_TAG,
    segments,
)
from .notebooks import DropVolatileMetadata

_MARKER_LIKE = re.compile(r"^\s*#+\s*[A-Z][A-Z ]+$")


class MarkerError(ValueError):
    """A solution or hidden-test marker is wrong; names the notebook and cell."""

    def __init__(self, notebook: str, cell_index: int, message: str):
        self.notebook, self.cell_index = notebook, cell_index
        super().__init__(f"{notebook}, cell {cell_index}: {message}")


class CheckMarkers(Preprocessor):
    """Fail on a nested, unclosed, unmatched or misspelled marker, or on a
    solution region in a Markdown cell, before anything is removed."""

    def preprocess(self, nb, resources):
        name = resources.get("notebook_name", "notebook")
        for index, cell in enumerate(nb.cells):
            self._check_cell(name, index, cell)
        return nb, resources

    def _check_cell(self, name: str, index: int, cell) -> None:
        open_marker = None
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped in MARKERS:
                if cell.cell_type != "code":
                    raise MarkerError(name, index, f"'{stripped}' is in a {cell.cell_type} cell; "
                                                   "solution and hidden-test regions belong in code cells")
                if stripped.startswith("### BEGIN"):
                    if open_marker:
                        raise MarkerError(name, index, f"'{stripped}' is nested inside '{open_marker}'")
                    open_marker = stripped
                else:
                    expected = open_marker.replace("BEGIN", "END") if open_marker else None
                    if stripped != expected:
                        raise MarkerError(name, index, f"'{stripped}' does not close "
                                                       f"{repr(open_marker) if open_marker else 'any open region'}")
                    open_marker = None
            elif _MARKER_LIKE.match(line):
                near = difflib.get_close_matches(stripped, MARKERS, n=1, cutoff=0.75)
                if near:
                    raise MarkerError(name, index, f"'{stripped}' looks like a misspelled '{near[0]}'")
        if open_marker:
            raise MarkerError(name, index, f"'{open_marker}' is never closed")


class RemoveSolutionOnlyCells(Preprocessor):
    """Drop cells tagged 'solution-only': model answers and rubrics."""

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if SOLUTION_ONLY_TAG not in c.metadata.get("tags", [])]
        return nb, resources


class ReplaceSolutions(Preprocessor):
    """Replace each solution region with a placeholder the student fills in:
    every name the solution assigns becomes `name = ...`, every function it
    defines keeps its signature, so the unanswered notebook still runs."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and BEGIN_SOLUTION in cell.source:
            cell.source = _replace_regions(cell.source, BEGIN_SOLUTION, END_SOLUTION, _placeholder)
        return cell, resources


class RemoveHiddenTests(Preprocessor):
    """Delete hidden-test regions, and cells that held nothing else."""

    def preprocess(self, nb, resources):
        kept = []
        for cell in nb.cells:
            if cell.cell_type == "code" and BEGIN_HIDDEN in cell.source:
                cell.source = _replace_regions(cell.source, BEGIN_HIDDEN, END_HIDDEN, lambda _body, _indent: [])
                if not cell.source.strip():
                    continue
            kept.append(cell)
        nb.cells = kept
        return nb, resources


class KeepSolutions(Preprocessor):
    """Keep each solution region's code and drop its markers: the model answer
    as a student who got everything right would hand it in."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and BEGIN_SOLUTION in cell.source:
            cell.source = _replace_regions(cell.source, BEGIN_SOLUTION, END_SOLUTION, lambda body, _indent: body)
        return cell, resources


def _replace_regions(source: str, begin: str, end: str, replacement) -> str:
    out: list[str] = []
    for segment in segments(source, begin, end):
        out += replacement(list(segment.lines), segment.indent) if segment.inside else list(segment.lines)
    return "\n".join(out).rstrip("\n")


def _placeholder(body: list[str], indent: str) -> list[str]:
    code = textwrap.dedent("\n".join(body))
    lines = [PLACEHOLDER_NOTE]
    try:
        statements = ast.parse(code).body
    except SyntaxError:
        statements = []
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            segment = ast.get_source_segment(code, statement)
            assert segment is not None  # ast.parse records every statement's position
            signature = segment.splitlines()[0]
            lines += [signature, "    ...  # your code here", "    return ..."]
        elif (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
              and isinstance(statement.value.value, str) and isinstance(statement.targets[0], ast.Name)):
            lines += [f'{statement.targets[0].id} = """', PLACEHOLDER_TEXT, '"""']
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                lines += [f"{n.id} = ..." for n in names if isinstance(n, ast.Name)]
    if len(lines) == 1:
        lines.append("...  # your code here")
    seen, unique = set(), []
    for line in lines:
        if line not in seen or line.startswith("    ") or line in ('"""', PLACEHOLDER_TEXT):
            unique.append(line)
            seen.add(line)
    return [indent + line if line else line for line in unique]


def student_notebook(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The student version of one solutions notebook."""
    resources = {"notebook_name": name}
    for preprocessor in (CheckMarkers(), RemoveSolutionOnlyCells(), ReplaceSolutions(), RemoveHiddenTests(),
                         ClearOutputPreprocessor(), DropVolatileMetadata()):
        nb, resources = preprocessor.preprocess(nb, resources)
    return nb


def handed_in_notebook(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """A solutions notebook as a student who answered everything would hand it in:
    model answers kept, markers, hidden tests and solution-only cells gone
    (the grading tests' sample class and the grading benchmark start from it)."""
    resources = {"notebook_name": name}
    for preprocessor in (CheckMarkers(), RemoveSolutionOnlyCells(), KeepSolutions(), RemoveHiddenTests()):
        nb, resources = preprocessor.preprocess(nb, resources)
    return nb


def release(solutions: Path, exercises: Path) -> list[Path]:
    """Write exercises/NAME.ipynb for every solutions/NAME.ipynb; return the paths written."""
    exercises.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(solutions.glob("*.ipynb")):
        nb = nbformat.read(source, as_version=4)
        target = exercises / source.name
        nbformat.write(student_notebook(nb, f"solutions/{source.name}"), target)
        written.append(target)
    return written
