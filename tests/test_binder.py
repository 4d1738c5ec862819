"""Binder's environment (binder/): the students' packages, pinned from the lock, without the test tools; and a
venv built from it (the resolution Binder makes, minus Docker) runs every lesson and exercise under nbval."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from russia_china.paths import REPO_ROOT
from russia_china.tools.environment import pinned_versions

BINDER = REPO_ROOT / "binder"
#: Packages the students need: the course's runtime, JupyterLab, the kernel, nbgitpuller.
STUDENT_NEEDS = {"pandas", "numpy", "matplotlib", "seaborn", "ipywidgets", "anywidget", "pandera", "nbformat",
                 "jupyterlab", "ipykernel", "nbgitpuller"}


def test_binder_pins_are_the_locks_and_hold_no_test_tools():
    binder, lock = pinned_versions(BINDER / "requirements.txt"), pinned_versions(REPO_ROOT / "requirements.lock")
    assert set(binder) >= STUDENT_NEEDS
    assert {name: version for name, version in binder.items() if lock.get(name) != version} == {}
    # Packages only the test extra brings in stay out (some, like requests, other tools also need).
    only_for_tests = {"pytest", "pytest-xdist", "nbval", "hypothesis", "playwright", "ruff", "mypy", "jupyterhub",
                      "pandas-stubs"}
    assert only_for_tests & set(binder) == set()
    assert (BINDER / "runtime.txt").read_text().strip() == f"python-{sys.version_info.major}.{sys.version_info.minor}"
    assert "pip install --no-deps ." in (BINDER / "postBuild").read_text() and os.access(BINDER / "postBuild", os.X_OK)


def _uv() -> str:
    return str(Path(sys.executable).parent / "uv")


def test_a_venv_built_from_binder_runs_every_lesson_and_exercise(tmp_path):
    """Offline, from uv's cache, which `make install` filled with the same pins."""
    venv = tmp_path / "binder-venv"
    python = venv / "bin" / "python"
    run = {"capture_output": True, "text": True, "timeout": 900}
    subprocess.run([_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, **run)
    lock = pinned_versions(REPO_ROOT / "requirements.lock")
    for args in (["-r", str(BINDER / "requirements.txt")],
                 ["--no-deps", str(REPO_ROOT)],  # what postBuild does: the course package, not editable
                 # Only to run the test: pytest and nbval at the lock's versions.
                 [f"{name}=={lock[name]}" for name in
                  ("pytest", "nbval", "pytest-xdist", "execnet", "iniconfig", "pluggy", "coverage") if name in lock]):
        done = subprocess.run([_uv(), "pip", "install", "--offline", "--quiet", "--python", str(python), *args],
                              check=False, **run)
        assert done.returncode == 0, done.stderr[-2000:]
    where = subprocess.run([str(python), "-c", "import russia_china; print(russia_china.__file__)"],
                           check=True, **run).stdout
    assert str(venv) in where, "the lessons must import the installed package, not the checkout's src/"
    # One notebook per worker (--dist loadscope), as make test runs them: a notebook's cells share a kernel.
    done = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
                           "--dist", "loadscope", "notebooks", "exercises"], cwd=REPO_ROOT, check=False, **run,
                          env={**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, done.stdout[-3000:]
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed.group(1)) >= 100, done.stdout[-500:]
