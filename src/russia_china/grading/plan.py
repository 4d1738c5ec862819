"""What to grade in one assignment, read from its solutions notebook.

A hidden-test region belongs to the exercise whose check("id", ...) call came
last before it, so the grader finds each exercise's hidden tests by id, never
by cell position.
"""

from __future__ import annotations

import ast
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

from ..exercises.format import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    MANUAL_KINDS,
    check_ids,
    inside,
    outside,
    settings_path,
)


@dataclass(frozen=True)
class ExercisePlan:
    exercise_id: str
    title: str
    kind: str
    points: float
    #: Source of the hidden tests; empty when the exercise has none.
    hidden_tests: str
    #: The variable passed to check() in the solution, used when a student
    #: deleted the check cell but kept the answer.
    answer_name: str | None

    @property
    def manual(self) -> bool:
        return self.kind in MANUAL_KINDS


@dataclass(frozen=True)
class AssignmentPlan:
    name: str
    exercises: list[ExercisePlan]
    #: Code that recreates what hidden tests rely on: the setup cell and imports.
    setup: str = ""
    ids: tuple[str, ...] = field(default=())

    @property
    def max_score(self) -> float:
        return sum(e.points for e in self.exercises)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "setup": self.setup, "exercises": [asdict(e) for e in self.exercises]}


def _answer_name(source: str, exercise_id: str) -> str | None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check" and len(node.args) == 2
                and isinstance(node.args[0], ast.Constant) and node.args[0].value == exercise_id
                and isinstance(node.args[1], ast.Name)):
            return node.args[1].id
    return None


def _imports(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]


def load_plan(notebook: Path) -> AssignmentPlan:
    """Read exercises, points, hidden tests and setup from one solutions notebook."""
    settings = yaml.safe_load(settings_path(notebook).read_text(encoding="utf-8")) or {}
    nb = nbformat.read(notebook, as_version=4)
    hidden: dict[str, list[str]] = {}
    names: dict[str, str | None] = {}
    setup: list[str] = []
    imports: list[str] = []
    current = None
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        without_hidden, hidden_bodies = outside(cell.source, BEGIN_HIDDEN, END_HIDDEN), inside(
            cell.source, BEGIN_HIDDEN, END_HIDDEN)
        plain_code = without_hidden.replace(BEGIN_SOLUTION, "").replace(END_SOLUTION, "")
        if not setup:
            setup.append(plain_code)
        imports += [i for i in _imports(plain_code) if i not in imports]
        for exercise_id in check_ids(without_hidden):
            current = exercise_id
            names.setdefault(exercise_id, _answer_name(without_hidden, exercise_id))
        if hidden_bodies:
            if current is None:
                raise ValueError(f"{notebook.name}: hidden tests come before any check() call, "
                                 "so they belong to no exercise")
            hidden.setdefault(current, []).extend(hidden_bodies)
    exercises = [
        ExercisePlan(
            exercise_id=str(exercise_id), title=str(spec.get("title", "")), kind=spec["kind"],
            points=float(spec["points"]), hidden_tests="\n".join(hidden.get(str(exercise_id), [])),
            answer_name=names.get(str(exercise_id)),
        )
        for exercise_id, spec in settings.items()
    ]
    return AssignmentPlan(name=notebook.stem, exercises=exercises, setup="\n".join(imports + setup),
                          ids=tuple(e.exercise_id for e in exercises))


def load_plans(solutions: Path) -> dict[str, AssignmentPlan]:
    """Every assignment in solutions/, by name (the notebook's stem)."""
    return {path.stem: load_plan(path) for path in sorted(solutions.glob("*.ipynb"))}
