"""Committed notebooks are clean and keep the lesson contract; nbval itself
executes them (pytest collects notebooks/ with --nbval-lax)."""

from __future__ import annotations

import re

import nbformat
import pytest

from russia_china.paths import REPO_ROOT
from russia_china.tools.notebooks import CHECKED_TAG, how_to_fix, noisy_cells_in, version_for_tests

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_lessons_in_order():
    names = [p.name for p in NOTEBOOKS]
    assert names and names[0].startswith("00_")
    assert all(re.match(r"^\d{2}_[a-z0-9_]+\.ipynb$", n) for n in names), names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_has_no_noisy_output(path):
    # Outputs JupyterLab autosaved into an unedited working copy never count: the staged version is read.
    nb, origin = version_for_tests(path)
    problems = noisy_cells_in(nb)
    assert problems == [], f"{how_to_fix(path, origin)}\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_contract(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    h1 = re.findall(r"^# ", markdown, re.M)
    assert len(h1) == 1, "a lesson has exactly one H1"
    assert nb.cells[0].source.startswith("# "), "the lesson opens with its H1"
    for heading in ["Learning objectives", "Key points", "Discussion questions"]:
        assert heading in markdown, f"missing '{heading}'"
    assert re.search(r"\*\*Teaching:\*\* \d+ min", markdown) and re.search(r"\*\*Exercises:\*\* \d+ min", markdown)
    checked = [c for c in nb.cells if CHECKED_TAG in c.metadata.get("tags", [])]
    assert checked, "the key numbers must be in cells nbval checks"
    assert all(c.outputs for c in checked), "checked cells must keep their expected output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_chart_is_labelled_and_shown_with_its_text_alternative(path):
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert code.count("charts.new_chart(") == code.count("charts.label_chart(") == code.count("charts.show(")
    assert "plt.show()" not in code, "charts go through charts.show() so they carry alt text"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_shows_at_least_two_widget_charts_from_its_module(path):
    from russia_china.lessons import lesson_module

    module = lesson_module(path.name[:2])
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    shown = [name for name, factory in module.WIDGETS.items() if f"{factory.__name__}(" in code]
    assert len(shown) >= 2, f"{path.name} shows {shown}; every lesson needs at least two widget charts"
