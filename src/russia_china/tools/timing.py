"""How long a lesson really takes: a read-through estimate from the notebook itself.

The stated timings of the first lessons (30–55 minutes) came from the authors' sense of
pace; a specialist reading them estimated 70–120 minutes each (issue 12). This module puts
the read-through into numbers a reader can check and argue with, one rate per activity:

* prose (Markdown, tables included) at ``WORDS_PER_MINUTE`` — careful reading of dense
  material by a student, not skimming;
* each code cell: ``CELL_MINUTES`` to run it and read its output, plus ``LINE_MINUTES``
  per line of code, because learners read the pandas they run;
* each chart (a ``charts.show`` call): ``CHART_MINUTES`` to read it and its text alternative;
* each widget: ``WIDGET_MINUTES`` to move its controls as the prose asks;
* each prompt to stop and think ("Try it", "Your verdict", a worksheet): ``PROMPT_MINUTES``;
* each discussion question, in class: ``QUESTION_MINUTES``.

Exercise notebooks: prose at the same rate, plus minutes per exercise by kind.

A lesson split into parts (``## Part 1 · ...`` headings, each with its own
``**Teaching:** N min``) is estimated part by part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from ..exercises.format import settings_path

WORDS_PER_MINUTE = 130
CELL_MINUTES = 0.75
LINE_MINUTES = 0.15
CHART_MINUTES = 2.0
WIDGET_MINUTES = 4.0
PROMPT_MINUTES = 4.0
QUESTION_MINUTES = 6.0
EXERCISE_MINUTES = {"number": 5, "table": 8, "chart": 12, "written": 12, "widget": 4, "extraction": 15}
DEFAULT_EXERCISE_MINUTES = 8

PROMPTS = re.compile(r"^#+ Try it|\*\*Your verdict\.?\*\*|^#+ Exercise:|\*\*Try it\.?\*\*", re.MULTILINE)
PART = re.compile(r"^## Part (\d+)\b", re.MULTILINE)
STATED = re.compile(r"\*\*Teaching:\*\* (\d+) min")
STATED_EXERCISES = re.compile(r"\*\*Exercises:\*\* (\d+) min")


@dataclass
class Estimate:
    """Minutes per activity for one lesson or one part of it."""

    words: int = 0
    code_cells: int = 0
    code_lines: int = 0
    charts: int = 0
    widgets: int = 0
    prompts: int = 0
    questions: int = 0

    @property
    def minutes(self) -> float:
        return (self.words / WORDS_PER_MINUTE + self.code_cells * CELL_MINUTES + self.code_lines * LINE_MINUTES
                + self.charts * CHART_MINUTES + self.widgets * WIDGET_MINUTES + self.prompts * PROMPT_MINUTES
                + self.questions * QUESTION_MINUTES)


def _discussion_questions(markdown: str) -> int:
    """Numbered items under a 'Discussion questions' heading, up to the next heading."""
    match = re.search(r"^#+ Discussion questions\s*$(.*?)(?=^#|\Z)", markdown, re.MULTILINE | re.DOTALL)
    return len(re.findall(r"^\d+\. ", match.group(1), re.MULTILINE)) if match else 0


def _widget_calls(code: str, widget_names: set[str]) -> int:
    return sum(len(re.findall(rf"\b{re.escape(name)}\(", code)) for name in widget_names)


def lesson_estimates(path: Path, widget_names: set[str]) -> list[Estimate]:
    """One estimate per part of the lesson (a single item when it has no parts)."""
    return cell_estimates(nbformat.read(path, as_version=4).cells, widget_names)


def cell_estimates(cells: list, widget_names: set[str]) -> list[Estimate]:
    """One estimate per part of a run of cells (a single item when it has no part headings)."""
    parts = [Estimate()]
    in_parts = False  # the header before "Part 1" belongs to part 1
    for cell in cells:
        if cell.cell_type == "markdown":
            if PART.search(cell.source):
                if in_parts:
                    parts.append(Estimate())
                in_parts = True
            part = parts[-1]
            text = re.sub(r"[`*_>|#-]+", " ", cell.source)
            part.words += len(text.split())
            part.prompts += len(PROMPTS.findall(cell.source))
            part.questions += _discussion_questions(cell.source)
        elif cell.cell_type == "code":
            part = parts[-1]
            part.code_cells += 1
            part.code_lines += len([line for line in cell.source.splitlines() if line.strip()])
            part.charts += cell.source.count("charts.show(")
            part.widgets += _widget_calls(cell.source, widget_names)
    return parts


def exercise_minutes(path: Path) -> float:
    """Prose of the exercise notebook plus minutes per exercise, by the kind its settings give."""
    nb = nbformat.read(path, as_version=4)
    words = sum(len(cell.source.split()) for cell in nb.cells if cell.cell_type == "markdown")
    # Settings live beside the solutions notebook that exercises/ is generated from.
    settings_file = settings_path(path.parent.parent / "solutions" / path.name)
    settings = yaml.safe_load(settings_file.read_text(encoding="utf-8")) or {}
    per_kind = sum(EXERCISE_MINUTES.get(entry.get("kind"), DEFAULT_EXERCISE_MINUTES) for entry in settings.values())
    return words / WORDS_PER_MINUTE + per_kind


def stated_minutes(path: Path) -> tuple[list[int], int]:
    """The teaching minutes the lesson states (one per part when it has parts) and its exercise minutes."""
    nb = nbformat.read(path, as_version=4)
    header = nb.cells[0].source
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    parts = [int(m) for m in re.findall(r"^## Part \d+\b.*?\*\*Teaching:\*\* (\d+) min", markdown, re.M | re.S)]
    exercises = STATED_EXERCISES.search(header)
    teaching = STATED.search(header)
    if not (exercises and teaching):
        raise ValueError(f"{path.name}: the first cell must state **Teaching:** N min and **Exercises:** N min")
    return (parts or [int(teaching.group(1))]), int(exercises.group(1))


def report(root: Path) -> list[dict]:
    """One row per lesson: stated and estimated minutes, per part and for the exercises."""
    from russia_china.lessons import lesson_module

    rows = []
    for lesson in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        module = lesson_module(lesson.name[:2])
        names = {factory.__name__ for factory in module.WIDGETS.values()}
        estimates = lesson_estimates(lesson, names)
        stated_parts, stated_exercises = stated_minutes(lesson)
        exercises = root / "exercises" / f"{lesson.stem}_exercises.ipynb"
        rows.append({
            "lesson": lesson.stem,
            "parts": [round(e.minutes) for e in estimates],
            "stated_parts": stated_parts,
            "exercises": round(exercise_minutes(exercises)) if exercises.exists() else None,
            "stated_exercises": stated_exercises,
            "detail": estimates,
        })
    return rows


def section_minutes(path: Path, widget_names: set[str]) -> list[tuple[str, float]]:
    """Minutes per level-2 section, in order: the breakdown an instructor's timing note gives."""
    nb = nbformat.read(path, as_version=4)
    sections: list[tuple[str, list]] = [("Opening", [])]
    for cell in nb.cells:
        heading = re.search(r"^## (.+)$", cell.source, re.MULTILINE) if cell.cell_type == "markdown" else None
        if heading and not cell.source.lstrip().startswith("# "):
            sections.append((heading.group(1).strip(), []))
        sections[-1][1].append(cell)
    return [(title, sum_estimates(cell_estimates(cells, widget_names)).minutes) for title, cells in sections]


def sum_estimates(estimates: list[Estimate]) -> Estimate:
    total = Estimate()
    for estimate in estimates:
        for field in total.__dataclass_fields__:
            setattr(total, field, getattr(total, field) + getattr(estimate, field))
    return total
