"""The students' copy of the course: what an nbgitpuller link hands out.

The repository holds what only instructors may see: solutions/ (the model
answers and hidden tests) and instructor_notes/. A class link must point at a
copy without them, or every student pulls the answers. ``russia-china
student-copy`` writes that copy as a git repository of its own (one commit,
branch ``main``) from the committed tree of this one, ready to push to the
repository the link names (README, "Teaching a class").
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import nbformat

from ..exercises.format import BEGIN_HIDDEN, BEGIN_SOLUTION

#: Folders and files students never get.
INSTRUCTOR_ONLY = ("solutions", "instructor_notes", ".ci", ".github", "tests", "conftest.py")
#: A fixed author and date, so the same course makes the same commit.
_GIT_ENV = {"GIT_AUTHOR_NAME": "Course", "GIT_AUTHOR_EMAIL": "course@localhost", "GIT_COMMITTER_NAME": "Course",
            "GIT_COMMITTER_EMAIL": "course@localhost", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
            "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}


class StudentCopyError(RuntimeError):
    """The copy could not be made, or would hand out what students must not see."""


def _git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> bytes:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, env={**os.environ, **(env or {})},
                          check=False)
    if done.returncode:
        raise StudentCopyError(f"git {' '.join(args)} failed in {cwd}: {done.stderr.decode(errors='replace')}")
    return done.stdout


#: Where the Colab setup cell clones the course (Colab's working folder is /content).
COLAB_FOLDER = "/content/russia-china-course"
COLAB_TAGS = ("colab-link", "colab-setup")
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")

SETUP_CELL = """\
# Google Colab only: elsewhere this cell does nothing. On Colab its first run fetches the course, installs
# its packages and restarts the runtime (about a minute); then run it again, and go on with the lesson.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    if not os.path.isdir("{folder}"):
        subprocess.run(["git", "clone", "--depth", "1", "https://github.com/{repository}",
                        "{folder}"], check=True)
    sys.path.insert(0, "{folder}/colab")
    import setup_course

    setup_course.prepare("{notebook_folder}")
"""


def colab_cells(repository: str, path: str, branch: str = "main") -> list[nbformat.NotebookNode]:
    """The link that opens ``path`` of the students' repository in Colab, and the setup cell Colab needs."""
    if not _REPOSITORY.match(repository):
        raise StudentCopyError(f"--repository {repository!r}: write it as owner/name, e.g. you/russia-china-course")
    url = f"https://colab.research.google.com/github/{repository}/blob/{branch}/{path}"
    # A text link, not the usual badge image: an image would be fetched from Google each time the page is read.
    link = nbformat.v4.new_markdown_cell(
        f"**[Open this notebook in Google Colab]({url})**. In Colab, run the first code cell before anything "
        "else; in JupyterLab or on the course's hub it does nothing.")
    setup = nbformat.v4.new_code_cell(SETUP_CELL.format(folder=COLAB_FOLDER, repository=repository,
                                                        notebook_folder=path.rsplit("/", 1)[0]))
    for cell, tag in zip((link, setup), COLAB_TAGS, strict=True):
        cell.metadata["tags"], cell.id = [tag], tag  # a fixed id: the same course makes the same copy
    return [link, setup]


def add_colab_cells(course: Path, repository: str) -> list[Path]:
    """Put the Colab link and setup cell first in every lesson and exercise notebook of the copy."""
    changed = []
    for path in sorted([*course.glob("notebooks/*.ipynb"), *course.glob("exercises/*.ipynb")]):
        nb = nbformat.read(path, as_version=4)
        nb.cells = colab_cells(repository, str(path.relative_to(course))) + [
            c for c in nb.cells if not set(c.metadata.get("tags", [])) & set(COLAB_TAGS)]
        nbformat.write(nb, path)
        changed.append(path)
    return changed


def student_copy(repo: Path, target: Path, revision: str = "HEAD", repository: str | None = None) -> Path:
    """Write the students' copy of ``revision`` into ``target`` (a new git repository) and return it.
    With ``repository`` (owner/name on GitHub, where the copy will be pushed), each lesson and
    exercise notebook starts with an "Open in Colab" link and the cell that sets Colab up."""
    if target.exists() and any(target.iterdir()):
        raise StudentCopyError(f"{target} is not empty; give a new folder")
    archive = _git("archive", "--format=tar", revision, cwd=repo)
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    for name in INSTRUCTOR_ONLY:
        path = target / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    # A notebook that still holds a hidden-test or solution region is a solutions notebook in disguise.
    leaked = [str(p.relative_to(target)) for p in target.rglob("*.ipynb")
              if any(marker in _text(p) for marker in (BEGIN_HIDDEN, BEGIN_SOLUTION))]
    if leaked:
        raise StudentCopyError(f"hidden tests would reach students in {', '.join(leaked)}")
    if repository is not None:
        add_colab_cells(target, repository)
    _git("init", "--quiet", "--initial-branch=main", cwd=target)
    _git("add", "--all", cwd=target)
    _git("commit", "--quiet", "-m", f"Course for students, from {revision}", cwd=target, env=_GIT_ENV)
    return target


def _text(path: Path) -> str:
    if not path.is_file() or path.stat().st_size > 20_000_000:
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ""
