"""Who submitted what: one student per notebook or sub-folder of the class folder.

Every entry of the class folder is either a submission or skipped with its
reason (hidden or temporary names, symbolic links, files that are not
notebooks, a second entry for the same student), so nothing vanishes without
a word. In a sub-folder with several notebooks, the one with the most
answered exercises is graded, and the choice is noted.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..exercises.format import PLACEHOLDER_TEXT, check_ids

_HIDDEN_PREFIXES = (".", "_", "~")
#: A line the release leaves where an answer goes: `name = ...` (no \s: it would span lines, in quadratic time).
_UNANSWERED = re.compile(r"^[ \t]*[A-Za-z_]\w*[ \t]*=[ \t]*\.\.\.[ \t]*(#.*)?$", re.MULTILINE)
#: How deep a student's folder may nest; deeper is refused, not walked.
MAX_DEPTH = 16


@dataclass(frozen=True)
class Submission:
    student_id: str
    #: The file or folder the student handed in; never modified.
    root: Path
    #: The notebook to grade, or None when none was found.
    notebook: Path | None
    #: Why this notebook was chosen among several, for the comments.
    note: str = ""
    #: Why the folder cannot be graded at all (it scores 0 with this reason).
    problem: str | None = None

    @property
    def timestamp(self) -> str:
        latest = max([self.root.lstat().st_mtime] + ([self.notebook.lstat().st_mtime] if self.notebook else []))
        return datetime.fromtimestamp(latest, tz=UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Skipped:
    entry: str
    #: What kind of entry it is, for counting: hidden name, symbolic link, not a notebook, second entry, other.
    kind: str
    reason: str


def _read_text(path: Path, limit: int = 5_000_000) -> str:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return handle.read(limit)
    except OSError:
        return ""


def exercise_ids(path: Path) -> set[str]:
    """Exercise ids named in check() calls, read as text: works on broken notebooks too."""
    return set(check_ids(_read_text(path)))


def answered(path: Path) -> int:
    """How many exercises look answered: cells with a check() call and no placeholder left.

    Read as text through nbformat-free JSON, so a broken notebook counts 0."""
    import json

    try:
        cells = json.loads(_read_text(path, 200_000_000)).get("cells", [])
        sources = ["".join(c["source"]) if isinstance(c.get("source"), list) else str(c.get("source", ""))
                   for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
    except (ValueError, AttributeError, TypeError, KeyError):
        return 0
    return len({i for s in sources if not _UNANSWERED.search(s) and PLACEHOLDER_TEXT not in s for i in check_ids(s)})


class TooDeep(ValueError):
    """A student's folder nests deeper than MAX_DEPTH."""


def walk(folder: Path) -> tuple[list[Path], list[Path], list[Path], list[Path]]:
    """Folders, regular files, links and other entries below `folder`, without following
    links or recursing (a folder nested a thousand deep must not stop the class)."""
    folders, files, links, others = [], [], [], []
    pending = [(folder, 0)]
    while pending:
        current, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise TooDeep(f"the folder {folder.name} nests more than {MAX_DEPTH} folders deep")
        for entry in sorted(os.scandir(current), key=lambda e: e.name):
            path = Path(entry.path)
            if entry.is_symlink():
                links.append(path)
            elif entry.is_dir(follow_symlinks=False):
                folders.append(path)
                pending.append((path, depth + 1))
            elif entry.is_file(follow_symlinks=False):
                files.append(path)
            else:
                others.append(path)
    return folders, files, links, others


def _notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in walk(folder)[1] if p.suffix == ".ipynb" and ".ipynb_checkpoints" not in p.parts
                  and not p.name.startswith(_HIDDEN_PREFIXES))


def _pick(folder: Path) -> tuple[Path | None, str]:
    """The notebook with the most answered exercises; ties go to the latest changed."""
    notebooks = _notebooks(folder)
    if len(notebooks) <= 1:
        return (notebooks[0] if notebooks else None), ""
    counts = {p: answered(p) for p in notebooks}
    chosen = max(notebooks, key=lambda p: (counts[p], p.lstat().st_mtime))
    others = ", ".join(f"{p.relative_to(folder)} ({counts[p]})" for p in notebooks if p != chosen)
    return chosen, (f"the folder holds {len(notebooks)} notebooks; graded {chosen.relative_to(folder)}, which has "
                    f"the most answered exercises ({counts[chosen]}), not {others}")


def _classify(entry: Path) -> Submission | Skipped:
    if entry.name.startswith(_HIDDEN_PREFIXES):
        return Skipped(entry.name, "hidden name", f"hidden or temporary name (starts with '{entry.name[0]}')")
    if entry.is_symlink():
        return Skipped(entry.name, "symbolic link", "symbolic link: not followed; hand in the notebook itself")
    if entry.is_dir():
        try:
            notebook, note = _pick(entry)
        except (TooDeep, OSError) as problem:
            return Submission(entry.name, entry, None, problem=str(problem))
        return Submission(entry.name, entry, notebook, note)
    if entry.is_file() and entry.suffix == ".ipynb":
        return Submission(entry.stem, entry, entry)
    if entry.is_file():
        return Skipped(entry.name, "not a notebook", f"not a Jupyter notebook ({entry.suffix or 'no extension'})")
    return Skipped(entry.name, "other", "neither a file nor a folder")


def find_submissions(folder: Path) -> tuple[list[Submission], list[Skipped]]:
    """The submissions in a class folder, and every entry that is not one, with why."""
    if not folder.is_dir():
        raise FileNotFoundError(f"the submissions folder {folder} does not exist")
    found: dict[str, Submission] = {}
    skipped: list[Skipped] = []
    for entry in sorted(folder.iterdir()):
        result = _classify(entry)
        if isinstance(result, Skipped):
            skipped.append(result)
        elif result.student_id in found:
            kept = found[result.student_id].root.name
            skipped.append(Skipped(entry.name, "second entry",
                                   f"a second entry for student {result.student_id}; {kept} was graded"))
        else:
            found[result.student_id] = result
    return list(found.values()), skipped


def guess_assignment(folder: Path, plans_ids: dict[str, set[str]]) -> str:
    """The assignment most submitted notebooks belong to, judged by their exercise ids."""
    votes = dict.fromkeys(plans_ids, 0)
    try:
        candidates = [p for p in walk(folder)[1] if p.suffix == ".ipynb" and ".ipynb_checkpoints" not in p.parts]
    except (TooDeep, OSError):
        candidates = [p for p in folder.iterdir() if p.suffix == ".ipynb" and p.is_file() and not p.is_symlink()]
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
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and "student_id" not in rows[0]:
        raise ValueError(f"{path}: the roster needs a student_id column (and optionally first_name, "
                         "last_name, email)")
    return {row["student_id"]: row for row in rows}


__all__ = ["Skipped", "Submission", "TooDeep", "answered", "exercise_ids", "find_submissions", "guess_assignment",
           "load_roster", "walk"]
