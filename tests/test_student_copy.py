"""The students' copy of the course, which a class link points at: no solutions, no instructor notes."""

from __future__ import annotations

import json
import subprocess

import pytest

from russia_china.cli import main
from russia_china.paths import REPO_ROOT
from russia_china.tools.student_copy import StudentCopyError, student_copy


def test_the_copy_has_the_lessons_and_exercises_but_nothing_only_instructors_see(tmp_path, capsys):
    assert main(["student-copy", "--output", str(tmp_path / "course")]) == 0
    copy = tmp_path / "course"
    names = {p.name for p in copy.iterdir()}
    assert {"notebooks", "exercises", "data", "src", "README.md", "pyproject.toml"} <= names
    assert not names & {"solutions", "instructor_notes", "tests", ".ci"}
    committed = subprocess.run(["git", "-C", str(REPO_ROOT), "ls-files", "exercises"], capture_output=True,
                               text=True, check=True).stdout.split()
    assert sorted(str(p.relative_to(copy)) for p in (copy / "exercises").iterdir()) == sorted(committed)
    log = subprocess.run(["git", "-C", str(copy), "log", "--format=%s"], capture_output=True, text=True, check=True)
    assert log.stdout.splitlines() == ["Course for students, from HEAD"]
    assert "push it where your class link points" in capsys.readouterr().out


def _repo_with(tmp_path, notebook_source: str):
    repo = tmp_path / "repo"
    (repo / "exercises").mkdir(parents=True)
    cell: dict[str, object] = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                               "source": notebook_source}
    (repo / "exercises" / "01.ipynb").write_text(json.dumps(
        {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    (repo / "solutions").mkdir()
    (repo / "solutions" / "01.ipynb").write_text("{}", encoding="utf-8")
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *command], cwd=repo, check=True)
    return repo


def test_a_notebook_that_still_holds_a_solution_stops_the_copy(tmp_path):
    repo = _repo_with(tmp_path, "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\n")
    with pytest.raises(StudentCopyError, match=r"exercises/01\.ipynb"):
        student_copy(repo, tmp_path / "out")
    fine = _repo_with(tmp_path / "second", "answer = ...\n")
    copy = student_copy(fine, tmp_path / "out2")
    assert (copy / "exercises" / "01.ipynb").exists() and not (copy / "solutions").exists()


def test_the_copy_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file").write_text("x", encoding="utf-8")
    with pytest.raises(StudentCopyError, match="is not empty"):
        student_copy(REPO_ROOT, tmp_path / "busy")
