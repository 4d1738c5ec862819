"""Students' home folders on the hub, which collect reads and return writes.

A home is the student's ground: any symbolic link on the way into it could
point at another student's work, at solutions/ or at a classmate's home, so
both commands refuse a path with one.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .submissions import load_roster


def link_on_the_way(home: Path, relative: Path) -> str | None:
    """The first symbolic link from ``home`` down to ``home / relative``, said as the
    reason to refuse it, or None; the walk stops where the path ends."""
    current = home
    for part in ("", *relative.parts):
        current = current / part if part else current
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(mode):
            return f"{current.relative_to(home.parent)} is a symbolic link"
    return None


def hub_users(roster: Path) -> dict[str, str]:
    """student id -> the hub user whose home holds the student's work: the roster's
    ``hub_user`` column where it differs from the student id."""
    return {student: (person.get("hub_user") or student).strip() for student, person in load_roster(roster).items()}
