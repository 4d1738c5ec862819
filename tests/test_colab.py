"""Google Colab: the students' copy opens in Colab from each notebook's link, and its first code cell
installs the course's pinned packages once, restarts, and then readies the runtime (colab/setup_course.py).

Colab itself cannot run here; its runtime is stood in for by fakes of what it provides (the
google.colab module's widget manager, pip, a restart), and the cell's code by running it where
google.colab is absent, where it must do nothing.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import nbformat
import pytest

from russia_china.paths import REPO_ROOT
from russia_china.tools.student_copy import COLAB_TAGS, StudentCopyError, colab_cells, student_copy

spec = importlib.util.spec_from_file_location("setup_course", REPO_ROOT / "colab" / "setup_course.py")
assert spec and spec.loader
setup_course = importlib.util.module_from_spec(spec)
spec.loader.exec_module(setup_course)


def test_every_lesson_and_exercise_in_the_copy_opens_in_colab_from_its_own_link(tmp_path):
    copy = student_copy(REPO_ROOT, tmp_path / "course", repository="you/russia-china-course")
    notebooks = sorted([*copy.glob("notebooks/*.ipynb"), *copy.glob("exercises/*.ipynb")])
    assert len(notebooks) == 14
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        link, setup = nb.cells[0], nb.cells[1]
        relative = path.relative_to(copy)
        assert f"(https://colab.research.google.com/github/you/russia-china-course/blob/main/{relative})" in link.source
        assert "https://github.com/you/russia-china-course" in setup.source
        assert f'setup_course.prepare("{relative.parent}")' in setup.source
        assert [c.metadata["tags"] for c in nb.cells[:2]] == [[COLAB_TAGS[0]], [COLAB_TAGS[1]]]
        assert not any(set(c.metadata.get("tags", [])) & set(COLAB_TAGS) for c in nb.cells[2:])
    assert (copy / "colab" / "setup_course.py").exists() and (copy / "binder" / "requirements.txt").exists()


def test_colab_gets_the_runtime_pins_of_the_lock_and_keeps_its_own_kernel_stack():
    from russia_china.tools.environment import COLAB_OWNS, colab_requirements

    text = (REPO_ROOT / "colab" / "requirements.txt").read_text(encoding="utf-8")
    assert text == colab_requirements(), "colab/requirements.txt is out of date: run make binder"
    pins = setup_course.pinned()
    lock = setup_course.pinned(REPO_ROOT / "requirements.lock")
    assert {"pandas", "ipywidgets", "matplotlib", "anywidget", "seaborn", "pandera"} <= set(pins)
    assert all(lock[name] == version for name, version in pins.items())
    assert not set(COLAB_OWNS) & set(pins) and not {"jupyterlab", "jupyter-client", "ipykernel"} & set(pins)


def test_a_repository_must_be_owner_slash_name():
    with pytest.raises(StudentCopyError, match="owner/name"):
        colab_cells("https://github.com/you/x", "notebooks/00_introduction.ipynb")


def test_outside_colab_the_setup_cell_does_nothing(tmp_path):
    setup = colab_cells("you/russia-china-course", "notebooks/00_introduction.ipynb")[1].source
    done = subprocess.run([sys.executable, "-c", setup + "\nimport os\nprint(os.getcwd())"], cwd=tmp_path,
                          capture_output=True, text=True, check=True, env={**os.environ, "PATH": ""})
    assert done.stdout.strip() == str(tmp_path) and done.stderr == ""


def test_first_run_installs_the_pinned_packages_and_restarts():
    calls, restarts = [], []
    colab_like = {"pandas": "2.2.3", "ipywidgets": "7.7.1", "matplotlib": "3.10.0"}  # Colab's runtime, 2026
    pins = setup_course.pinned()
    result = setup_course.prepare(
        "notebooks", run=lambda command, check: calls.append(command),
        installed=lambda name: colab_like.get(name, pins[name]), restart=lambda: restarts.append(True),
        widget_manager=lambda: pytest.fail("not before the restart"))
    assert result == "installed" and restarts == [True]
    assert calls[0][-2:] == ["-r", str(REPO_ROOT / "colab" / "requirements.txt")]
    assert calls[1][-2:] == ["--no-deps", str(REPO_ROOT)]
    assert [w.split()[0] for w in setup_course.out_of_step(lambda name: colab_like.get(name, pins[name]))] == [
        "pandas", "ipywidgets", "matplotlib"]


def test_second_run_turns_on_the_widget_manager_and_moves_into_the_notebooks_folder(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    pins, turned_on = setup_course.pinned(), []
    result = setup_course.prepare("exercises", run=lambda *a, **k: pytest.fail("nothing to install"),
                                  installed=lambda name: pins[name], restart=lambda: pytest.fail("no restart"),
                                  widget_manager=lambda: turned_on.append(True))
    assert result == "ready" and turned_on == [True]
    assert os.getcwd() == str(REPO_ROOT / "exercises")
    from russia_china.paths import data_dir
    assert (data_dir() / "sources.csv").exists()
