"""A sample class for exercise 00, built from solutions/ so it never drifts.

Each student's expected automatic score is stated next to how the submission
is made. Exercise 00 has 11 automatically graded points (00.1–00.5) and a
written answer (00.6, 4 points) for the instructor.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from russia_china.paths import REPO_ROOT
from russia_china.tools.release import handed_in_notebook

ASSIGNMENT = "00_introduction_exercises"
SOLUTIONS = REPO_ROOT / "solutions" / f"{ASSIGNMENT}.ipynb"
EXERCISES = REPO_ROOT / "exercises" / f"{ASSIGNMENT}.ipynb"
FULL_MARKS = 11.0
#: macOS does not enforce RLIMIT_AS, so a memory hog there is stopped by the OS, not the grader.
MEMORY_LIMIT_ENFORCED = sys.platform.startswith("linux")


def _solved() -> nbformat.NotebookNode:
    return handed_in_notebook(nbformat.read(SOLUTIONS, as_version=4), ASSIGNMENT)


def _cell_checking(nb: nbformat.NotebookNode, exercise_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if f'check("{exercise_id}"' in c.source)


def _insert_after(nb: nbformat.NotebookNode, exercise_id: str, source: str) -> nbformat.NotebookNode:
    position = nb.cells.index(_cell_checking(nb, exercise_id)) + 1
    nb.cells.insert(position, nbformat.v4.new_code_cell(source))
    return nb


def _write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def build_class(folder: Path, canary: Path) -> dict[str, tuple[float, str | None]]:
    """Write the submissions; return student -> (expected score, a phrase its comments must contain)."""
    expected: dict[str, tuple[float, str | None]] = {}

    _write(_solved(), folder / "perfect.ipynb")
    expected["perfect"] = (FULL_MARKS, None)

    # Cells retyped, reordered and duplicated: answers are found by exercise id.
    nb = _solved()
    code = [c for c in nb.cells if c.cell_type == "code"]
    nb.cells = [code[0], *reversed(code[1:]), nbformat.v4.new_code_cell(code[1].source)]
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("my notes"))
    _write(nb, folder / "shuffled" / "my work.ipynb")
    expected["shuffled"] = (FULL_MARKS, None)

    # 00.1 wrong number, 00.4 wrong widget setting: 11 - 2 - 2.
    nb = _solved()
    _insert_after(nb, "00.1", 'gap_2024 = 0.5\ncheck("00.1", gap_2024)')
    _insert_after(nb, "00.4", 'gallery.controls["log_scale"].value = False\ncheck("00.4", gallery)')
    _write(nb, folder / "partial.ipynb")
    expected["partial"] = (7.0, None)

    # The check cell for 00.5 deleted: the answer's variable is graded instead.
    nb = _solved()
    cell = _cell_checking(nb, "00.5")
    cell.source = cell.source.replace('check("00.5", difference_2022)', "")
    _write(nb, folder / "no_check_call.ipynb")
    expected["no_check_call"] = (FULL_MARKS, "check() was never called")

    _write(nbformat.read(EXERCISES, as_version=4), folder / "blank.ipynb")
    expected["blank"] = (0.0, "no exercise was answered")

    nb = _solved()
    _cell_checking(nb, "00.2").source = 'figures_per_source = figures.groupby("source_id".size(\ncheck("00.2", figures_per_source)'
    _write(nb, folder / "syntax_error.ipynb")
    expected["syntax_error"] = (9.0, "SyntaxError")

    _write(_insert_after(_solved(), "00.1", "while True:\n    pass"), folder / "infinite_loop.ipynb")
    expected["infinite_loop"] = (FULL_MARKS, "was stopped")

    if MEMORY_LIMIT_ENFORCED:
        _write(_insert_after(_solved(), "00.1", "hog = bytearray(64 * 2**30)"), folder / "memory_hog.ipynb")
        expected["memory_hog"] = (FULL_MARKS, "MemoryError: it needed more than the memory limit")

    (folder / "invalid_json.ipynb").write_text('{"cells": [ this is not JSON', encoding="utf-8")
    expected["invalid_json"] = (0.0, "not a valid notebook")

    (folder / "not_a_notebook.pdf").write_bytes(b"%PDF-1.4 a scanned essay")
    expected["not_a_notebook"] = (0.0, "not a Jupyter notebook")

    _write(nbformat.v4.new_notebook(), folder / "empty.ipynb")
    expected["empty"] = (0.0, "empty")

    nb = _insert_after(_solved(), "00.1", f"import os\nos.remove({str(canary)!r})")
    _write(nb, folder / "deletes_files.ipynb")
    expected["deletes_files"] = (0.0, "flagged for review")

    nb = _insert_after(_solved(), "00.1", "open('../../outside.txt', 'w').write('was here')")
    _write(nb, folder / "writes_outside.ipynb")
    expected["writes_outside"] = (0.0, "tried to write outside its folder")

    nb = _insert_after(_solved(), "00.1", (
        "from russia_china.paths import REPO_ROOT\n"
        "stolen = (REPO_ROOT / 'solutions' / 'answers.json').read_text()"))
    _write(nb, folder / "reads_solutions.ipynb")
    expected["reads_solutions"] = (0.0, "tried to read the solutions")

    # An old helper package shipped beside the notebook, whose check() praises
    # everything; the course's own checks grade it: 00.1 is wrong, and 00.4 fails because
    # the old package has no lessons module: 11 - 2 - 2.
    package = folder / "old_helpers" / "russia_china"
    (package / "exercises").mkdir(parents=True)
    (package / "__init__.py").write_text('__version__ = "0.0.1"\n', encoding="utf-8")
    (package / "exercises" / "__init__.py").write_text(
        "answers = {}\n\ndef check(exercise_id, answer=...):\n"
        "    answers[exercise_id] = answer\n    return 'public checks passed'\n", encoding="utf-8")
    nb = _solved()
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        "import sys\nsys.path.insert(0, '.')\n"
        "for name in [m for m in sys.modules if m.startswith('russia_china')]:\n    del sys.modules[name]\n"
        "from russia_china.exercises import answers, check"))
    _insert_after(nb, "00.1", 'gap_2024 = 0.5\ncheck("00.1", gap_2024)')
    _write(nb, folder / "old_helpers" / "exercises.ipynb")
    expected["old_helpers"] = (7.0, "different russia_china (version 0.0.1")
    return expected


def folder_fingerprint(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

