"""Collect: each student's exercise notebook from the hub's home folders into
one class folder, ``<output>/<student id>.ipynb``, ready for ``russia-china grade``.

On JupyterHub each student's server runs in their home folder, and the course
arrives there by an nbgitpuller link as ``<home>/<course folder>/``; the
notebook is ``exercises/<assignment>.ipynb`` inside it. The instructor (or a
hub service) that can read the homes runs ``collect``: the student id is the
home folder's name (the hub's user name), or the roster's ``hub_user`` column
maps the two.

A home is the student's ground, so nothing in it is trusted: a symbolic link
anywhere on the way (it could point at another student's work or at
solutions/) is refused, as are files that are not regular files or are larger
than the grader would read. The copy keeps the notebook's modification time,
which the gradebook reports as the submission time; with ``--due`` a notebook
changed after the due date is marked late. That time is what the student's
file system says, and a student with a terminal can change it: for a firm
deadline, collect at the due time. Everything lands in ``collected.csv``, one
row per student: collected, late, missing or refused, and why.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .deadline import late_by
from .gradebook import atomic_write
from .homes import link_on_the_way

#: The largest notebook collected, as the grader reads (grader.MAX_FILE_MB).
MAX_MB = 512
COLLECTED = "collected.csv"


@dataclass(frozen=True)
class Collected:
    student_id: str
    status: str  # collected, missing or refused
    detail: str = ""
    modified: str = ""
    late_by: str = ""


def collect_one(home: Path, student_id: str, relative: Path, output: Path, due: datetime | None) -> Collected:
    try:
        link = link_on_the_way(home, relative)
    except OSError as problem:
        return Collected(student_id, "refused", f"cannot be read ({problem.strerror})")
    if link:
        return Collected(student_id, "refused", f"{link}; hand in the notebook itself")
    source = home / relative
    if not source.exists():  # no link on the way, so this is the path itself
        return Collected(student_id, "missing", f"no {relative} in {home.name}'s home")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(source, flags)
    except OSError as failure:
        return Collected(student_id, "refused", f"{relative} cannot be opened ({failure.strerror})")
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        return Collected(student_id, "refused", f"{relative} is not a regular file")
    with os.fdopen(descriptor, "rb") as handle:
        if info.st_size > MAX_MB * 2**20:
            return Collected(student_id, "refused", f"{relative} is {info.st_size / 2**20:.0f} MB; "
                                                    f"the grader reads notebooks up to {MAX_MB} MB")
        target = output / f"{student_id}.ipynb"
        with open(target, "wb") as copy:
            shutil.copyfileobj(handle, copy)
        os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
    modified = datetime.fromtimestamp(info.st_mtime, tz=UTC)
    return Collected(student_id, "collected", str(relative), modified.isoformat(timespec="seconds"),
                     late_by(modified, due))


def collect(homes: Path, assignment: str, output: Path, *, course_folder: str, due: datetime | None = None,
            students: dict[str, str] | None = None) -> list[Collected]:
    """Copy each student's notebook into ``output``; ``students`` maps student id to hub user name
    (default: every home folder, named by its user)."""
    if not homes.is_dir():
        raise FileNotFoundError(f"the homes folder {homes} does not exist")
    output.mkdir(parents=True, exist_ok=True)
    if students is None:
        students = {entry.name: entry.name for entry in sorted(homes.iterdir())
                    if entry.is_dir() and not entry.is_symlink() and not entry.name.startswith(".")}
    relative = Path(course_folder) / "exercises" / f"{assignment}.ipynb"
    unsafe = sorted(s for s in students if "/" in s or "\0" in s or s.startswith(".") or not s.strip())
    if unsafe:
        raise ValueError(f"student ids that cannot name a file: {', '.join(map(repr, unsafe))}")
    rows = [collect_one(homes / user, student, relative, output, due) for student, user in sorted(students.items())]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "status", "detail", "modified", "late_by", "due"])
    for row in rows:
        writer.writerow([row.student_id, row.status, row.detail, row.modified, row.late_by,
                         due.isoformat(timespec="seconds") if due else ""])
    atomic_write(output.parent / f"{output.name}-{COLLECTED}", buffer.getvalue())
    return rows
