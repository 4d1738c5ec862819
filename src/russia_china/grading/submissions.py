"""Who submitted what: one student per file or sub-folder of the submissions folder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

_CHECK_ID = re.compile(r"""check\(\s*\\?["']([0-9]+\.[0-9]+)\\?["']""")
_IGNORED = (".", "_", "~")


@dataclass(frozen=True)
class Submission:
    student_id: str
    #: The file or folder the student handed in; never modified.
    root: Path
    #: The notebook to grade, or None when none was found.
    notebook: Path | None

    @property
    def timestamp(self) -> str:
        latest = max([self.root.stat().st_mtime] + ([self.notebook.stat().st_mtime] if self.notebook else []))
        return datetime.fromtimestamp(latest, tz=timezone.utc).isoformat(timespec="seconds")


def exercise_ids(path: Path) -> set[str]:
    """Exercise ids named in check() calls, read as text: works on broken notebooks too."""
    try:
        return set(_CHECK_ID.findall(path.read_text(encoding="utf-8", errors="replace")[:5_000_000]))
    except OSError:
        return set()


def _notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts and not p.name.startswith(_IGNORED))


def _pick(notebooks: list[Path], assignment: str, ids: set[str]) -> Path | None:
    """The student's notebook for this assignment: by name, else by exercise ids."""
    if not notebooks:
        return None
    named = [p for p in notebooks if assignment in p.stem or p.stem in assignment]
    if named:
        return named[0]
    scored = sorted(notebooks, key=lambda p: -len(exercise_ids(p) & ids))
    return scored[0]


def find_submissions(folder: Path, assignment: str, ids: set[str]) -> list[Submission]:
    if not folder.is_dir():
        raise FileNotFoundError(f"the submissions folder {folder} does not exist")
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(_IGNORED) or entry.is_symlink():
            continue
        if entry.is_dir():
            found.append(Submission(entry.name, entry, _pick(_notebooks(entry), assignment, ids)))
        elif entry.is_file():
            found.append(Submission(entry.stem, entry, entry))
    stems = [s.student_id for s in found]
    duplicates = sorted({s for s in stems if stems.count(s) > 1})
    if duplicates:
        raise ValueError(f"two submissions share a student id: {', '.join(duplicates)} "
                         "(e.g. alice.ipynb and a folder alice/); keep one")
    return found


def guess_assignment(folder: Path, plans_ids: dict[str, set[str]]) -> str:
    """The assignment most submitted notebooks belong to, judged by their exercise ids."""
    votes = dict.fromkeys(plans_ids, 0)
    candidates = [p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    for path in candidates:
        ids = exercise_ids(path)
        best = max(plans_ids, key=lambda name: len(plans_ids[name] & ids))
        if plans_ids[best] & ids:
            votes[best] += 1
    ranked = sorted(votes.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] == 0:
        raise ValueError(f"cannot tell which assignment {folder} holds; pass --assignment "
                         f"(one of {', '.join(sorted(plans_ids))})")
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        raise ValueError(f"{folder} mixes assignments {ranked[0][0]} and {ranked[1][0]} equally; "
                         "pass --assignment")
    return ranked[0][0]


def load_roster(path: Path | None) -> dict[str, dict[str, str]]:
    """Optional roster CSV with student_id, first_name, last_name, email."""
    if path is None:
        return {}
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and "student_id" not in rows[0]:
        raise ValueError(f"{path}: the roster needs a student_id column (and optionally first_name, "
                         "last_name, email)")
    return {row["student_id"]: row for row in rows}


__all__ = ["Submission", "exercise_ids", "find_submissions", "guess_assignment", "load_roster"]
