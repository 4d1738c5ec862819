"""A newcomer's first hour: `make lab` configures JupyterLab in the course's own
folder, and working through the notebooks in JupyterLab never fails the tests.

The notebook checks are tried in a throwaway git repository: a lesson is
committed clean, then saved again the way JupyterLab autosaves it.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import nbformat
import pytest
from nbformat.sign import NotebookNotary

from russia_china.paths import REPO_ROOT
from russia_china.tools import lab
from russia_china.tools.notebooks import how_to_fix, noisy_cells_in, version_for_tests

LESSON = REPO_ROOT / "notebooks" / "00_introduction.ipynb"


# 1. JupyterLab's first run ----------------------------------------------------------------------------


def test_lab_turns_off_the_news_and_trusts_the_notebooks_in_its_own_folder(tmp_path, monkeypatch):
    home = tmp_path / "user"
    monkeypatch.setenv("HOME", str(home))
    notebook = tmp_path / "00_introduction.ipynb"
    shutil.copy(LESSON, notebook)
    course = tmp_path / "course-jupyter"

    assert lab.configure(course, [notebook]) == [notebook]

    page_config = json.loads((course / "config" / "labconfig" / "page_config.json").read_text())
    assert page_config["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"] is True
    settings = course / "config/lab/user-settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
    assert json.loads(settings.read_text()) == {"fetchNews": "false", "checkForUpdates": False}
    with NotebookNotary(data_dir=str(course / "data")) as notary:
        assert notary.check_signature(nbformat.read(notebook, as_version=nbformat.NO_CONVERT))
    assert not home.exists(), "nothing may be written to the user's own Jupyter folders"


def test_lab_keeps_what_the_student_changed(tmp_path):
    course = tmp_path / "course-jupyter"
    settings = course / "config/lab/user-settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"fetchNews": "true"}')
    page_config = course / "config" / "labconfig" / "page_config.json"
    page_config.parent.mkdir(parents=True)
    page_config.write_text(json.dumps({"disabledExtensions": {"other:plugin": True}, "theme": "dark"}))

    lab.configure(course, [])

    assert settings.read_text() == '{"fetchNews": "true"}'
    merged = json.loads(page_config.read_text())
    assert merged["theme"] == "dark" and merged["disabledExtensions"]["other:plugin"] is True
    assert merged["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"] is True


def test_make_lab_points_jupyter_at_the_course_folder():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -n prints the commands without running them; the stamp is made up to date so no install is shown.
    printed = subprocess.run(["make", "-n", "lab", "-o", ".venv/.installed-from-lock"], cwd=REPO_ROOT,
                             capture_output=True, text=True, check=True).stdout
    config = f'JUPYTER_CONFIG_DIR="{REPO_ROOT}/.venv/jupyter/config"'
    data = f'JUPYTER_DATA_DIR="{REPO_ROOT}/.venv/jupyter/data"'
    launch = next(line for line in printed.splitlines() if "jupyter lab" in line)
    assert config in launch and data in launch
    assert f'-m russia_china.tools.lab --home "{REPO_ROOT}/.venv/jupyter"' in printed


# 2. Autosaved notebooks and the tests -------------------------------------------------------------------


def _git(repo, *args):
    subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args], cwd=repo,
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    for folder in ("notebooks", "exercises"):
        (tmp_path / folder).mkdir()
        shutil.copy(LESSON, tmp_path / folder / LESSON.name)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "clean")
    return tmp_path


def _autosave(path, edit: bool = False):
    """Save the notebook as JupyterLab does after a run: every output and count (and maybe an edit)."""
    nb = nbformat.read(path, as_version=4)
    for number, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=30):
        cell.execution_count = number
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ran\n")]
    if edit:
        next(c for c in nb.cells if c.cell_type == "code").source += "\nprint('trying something')"
    nbformat.write(nb, path)


def test_an_autosaved_lesson_is_tested_as_committed(repo):
    lesson = repo / "notebooks" / LESSON.name
    _autosave(lesson)
    assert noisy_cells_in(nbformat.read(lesson, as_version=4)), "the autosave should leave outputs"
    nb, origin = version_for_tests(lesson)
    assert origin == "index" and noisy_cells_in(nb) == []


def test_an_edited_lesson_is_tested_as_edited_and_the_message_names_the_fix(repo):
    lesson = repo / "notebooks" / LESSON.name
    _autosave(lesson, edit=True)
    nb, origin = version_for_tests(lesson)
    assert origin == "edited" and noisy_cells_in(nb)
    message = how_to_fix(lesson, origin)
    assert f"git checkout -- {lesson}" in message and "make notebooks" in message


def test_an_answered_exercise_notebook_is_always_tested_as_committed(repo):
    exercises = repo / "exercises" / LESSON.name
    _autosave(exercises, edit=True)
    nb, origin = version_for_tests(exercises)
    assert origin == "index" and noisy_cells_in(nb) == []


def test_a_noisy_staged_lesson_fails_and_says_what_to_type(repo):
    lesson = repo / "notebooks" / LESSON.name
    _autosave(lesson)
    _git(repo, "add", str(lesson))
    nb, origin = version_for_tests(lesson)
    assert origin == "index" and noisy_cells_in(nb)
    assert "make notebooks" in how_to_fix(lesson, origin) and "git add" in how_to_fix(lesson, origin)


def test_outside_git_the_working_copy_is_tested(tmp_path):
    lesson = tmp_path / LESSON.name
    shutil.copy(LESSON, lesson)
    _autosave(lesson)
    nb, origin = version_for_tests(lesson)
    assert origin == "working copy" and noisy_cells_in(nb)
    assert "Clear Outputs of All Cells" in how_to_fix(lesson, origin)
