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
import shutil
import subprocess
import tarfile
from pathlib import Path

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


def student_copy(repo: Path, target: Path, revision: str = "HEAD") -> Path:
    """Write the students' copy of ``revision`` into ``target`` (a new git repository) and return it."""
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
