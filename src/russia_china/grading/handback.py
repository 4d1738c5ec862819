"""Return: each student's feedback file into their own home on the hub.

``russia-china return`` copies ``grades/<assignment>/feedback/<student>.md``
to ``<home>/<course folder>/feedback/<assignment>.md``, where the student
opens it in JupyterLab's file browser. A home is the student's ground: a
symbolic link on the way (``feedback`` pointing into another student's home)
would make the instructor write there, so any link is refused and the file is
created without following one. Run as root, the file goes to the home's owner.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .gradebook import feedback_name
from .homes import link_on_the_way


@dataclass(frozen=True)
class Returned:
    student_id: str
    status: str  # returned, missing (no home or no course folder) or refused
    detail: str


def return_one(home: Path, student_id: str, feedback: Path, course_folder: str, assignment: str) -> Returned:
    if not home.is_dir() or home.is_symlink():
        return Returned(student_id, "missing", f"no home folder {home.name}")
    folder = Path(course_folder) / "feedback"
    target = folder / f"{assignment}.md"
    link = link_on_the_way(home, target)
    if link:
        return Returned(student_id, "refused", link)
    if not (home / course_folder).is_dir():
        return Returned(student_id, "missing", f"no {course_folder} in {home.name}'s home")
    owner = os.lstat(home)
    try:
        os.mkdir(home / folder, 0o755)
        if os.getuid() == 0:
            os.chown(home / folder, owner.st_uid, owner.st_gid)
    except FileExistsError:
        pass
    path = home / target
    try:
        if stat.S_ISREG(os.lstat(path).st_mode):
            os.unlink(path)  # an earlier return of the same assignment
    except FileNotFoundError:
        pass
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags, 0o644)
    except OSError as problem:
        return Returned(student_id, "refused", f"{target} cannot be written ({problem.strerror})")
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(feedback.read_bytes())
        if os.getuid() == 0:
            os.fchown(handle.fileno(), owner.st_uid, owner.st_gid)
    return Returned(student_id, "returned", str(target))


def return_feedback(grades: Path, homes: Path, *, course_folder: str,
                    students: dict[str, str] | None = None) -> list[Returned]:
    """Return every feedback file of one assignment's grades folder; ``students`` maps
    student id to hub user (default: the same name)."""
    feedback = grades / "feedback"
    if not feedback.is_dir():
        raise FileNotFoundError(f"no feedback folder in {grades}; run `russia-china grade` first")
    assignment = grades.name
    files = {path.name: path for path in feedback.glob("*.md")}
    ids = students if students is not None else {path.stem: path.stem for path in files.values()}
    rows = []
    for student, user in sorted(ids.items()):
        path = files.get(feedback_name(student))
        if path is None:
            rows.append(Returned(student, "missing", "no feedback file (not graded)"))
            continue
        rows.append(return_one(homes / user, student, path, course_folder, assignment))
    return rows
