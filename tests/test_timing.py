"""Stated lesson times survive a read-through (issue 12, part 5): every part of every
lesson states at least the minutes a careful student read-through needs, and not
wildly more; a lesson longer than one session is split into parts, each with its own
objectives and key points; the instructor notes give the same minutes."""

from __future__ import annotations

import re

import nbformat
import pytest

from russia_china.lessons import lesson_module
from russia_china.paths import REPO_ROOT
from russia_china.tools import timing

LESSONS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SESSION = 100  # minutes of teaching one class session can hold
ROWS = {row["lesson"]: row for row in timing.report(REPO_ROOT)}


def _widget_names(path):
    return {factory.__name__ for factory in lesson_module(path.name[:2]).WIDGETS.values()}


def test_the_estimate_counts_what_a_student_does(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# T\n\n" + "word " * 260),
        nbformat.v4.new_code_cell("x = 1\ny = 2\ncharts.show(fig)\nlesson.timeline()"),
        nbformat.v4.new_markdown_cell("## Discussion questions\n\n1. One?\n2. Two?\n\n## Try it\n\nDo it."),
    ])
    path = tmp_path / "00_t.ipynb"
    nbformat.write(nb, path)
    [estimate] = timing.lesson_estimates(path, {"timeline"})
    assert (estimate.code_cells, estimate.code_lines, estimate.charts, estimate.widgets) == (1, 4, 1, 1)
    assert (estimate.questions, estimate.prompts) == (2, 1)
    expected = (estimate.words / timing.WORDS_PER_MINUTE + timing.CELL_MINUTES + 4 * timing.LINE_MINUTES
                + timing.CHART_MINUTES + timing.WIDGET_MINUTES + 2 * timing.QUESTION_MINUTES + timing.PROMPT_MINUTES)
    assert estimate.minutes == pytest.approx(expected)
    assert estimate.words >= 260


def test_parts_are_estimated_separately_and_the_header_belongs_to_part_one(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# T\n\n" + "word " * 130),
        nbformat.v4.new_markdown_cell("## Part 1 · A\n\n> **Teaching:** 5 min"),
        nbformat.v4.new_code_cell("a = 1"),
        nbformat.v4.new_markdown_cell("## Part 2 · B\n\n> **Teaching:** 5 min"),
        nbformat.v4.new_code_cell("b = 1"),
    ])
    path = tmp_path / "00_t.ipynb"
    nbformat.write(nb, path)
    first, second = timing.lesson_estimates(path, set())
    assert first.words > second.words >= 5
    assert first.code_cells == second.code_cells == 1


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_part_states_at_least_its_read_through_and_not_much_more(path):
    row = ROWS[path.stem]
    assert len(row["stated_parts"]) == len(row["parts"]), "one stated time per part"
    for number, (stated, estimate) in enumerate(zip(row["stated_parts"], row["parts"]), start=1):
        assert stated >= estimate, f"part {number}: states {stated} min, a read-through takes {estimate}"
        assert stated <= max(estimate * 1.25, estimate + 10), f"part {number}: {stated} min is padded ({estimate})"
        assert stated <= SESSION, f"part {number} needs {stated} min: split it into parts"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_the_exercise_time_covers_every_exercise(path):
    row = ROWS[path.stem]
    assert row["exercises"] is not None, "every lesson has an exercise notebook"
    assert row["stated_exercises"] >= row["exercises"]
    assert row["stated_exercises"] <= max(row["exercises"] * 1.25, row["exercises"] + 10)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_a_lesson_in_parts_gives_each_part_objectives_and_key_points(path):
    nb = nbformat.read(path, as_version=4)
    parts = [c for c in nb.cells if c.cell_type == "markdown" and re.match(r"## Part \d+ · ", c.source)]
    header = nb.cells[0].source
    stated = [int(m) for m in re.findall(r"Part \d+: (\d+) min", header)]
    if not parts:
        assert not stated
        return
    assert len(parts) == len(stated) == len(ROWS[path.stem]["parts"]) >= 2
    assert f"**Teaching:** {sum(stated)} min" in header, "the header's total is the sum of the parts"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for number in range(1, len(parts) + 1):
        assert f"*Part {number} · " in header, f"the objectives name part {number}"
        assert f"Key points of part {number}" in markdown
    in_parts = [int(m) for m in re.findall(r"^## Part \d+ · .*?\*\*Teaching:\*\* (\d+) min", markdown, re.M | re.S)]
    assert in_parts == stated


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_instructor_notes_give_the_lessons_minutes(path):
    notes = (REPO_ROOT / "instructor_notes" / f"{path.stem}.md").read_text(encoding="utf-8")
    row = ROWS[path.stem]
    timing_line = next(line for line in notes.splitlines() if line.startswith("**Timing"))
    for stated in row["stated_parts"]:
        assert f"{stated} min" in timing_line, f"notes' timing omits {stated} min"
    assert f"{row['stated_exercises']} min exercises" in timing_line


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_students_see_three_or_four_discussion_questions(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert 3 <= timing._discussion_questions(markdown) <= 4
