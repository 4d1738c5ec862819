"""Grading a class in shards, and merging the shards into one gradebook.

``russia-china grade --shard k/N`` grades the k-th of N deterministic shares
of the class folder: the submissions sorted by student id, every N-th from the
k-th on. Each shard writes what a whole run writes for its students, plus
``shard.json``: the shard's results as plain data, the whole class's ids, the
skipped entries and the roster rows it used. ``russia-china grade merge``
checks that the shards are one class cut into N (same assignment, same class,
every share once) and writes the gradebook, feedback, written answers and
skipped list with the same writers a single run uses, so the merged files are
exactly what one run would have written. A CI matrix, several laptops or a
Kubernetes Indexed Job (docs/kubernetes-grading-job.yaml) can split a class.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from .gradebook import Graded, atomic_write
from .submissions import Skipped, Submission

SHARD_FILE = "shard.json"
_SHARD = re.compile(r"^(\d+)/(\d+)$")


class ShardError(ValueError):
    """A shard argument or a set of shard folders that cannot be merged; says which and why."""


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, as written on the command line
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = _SHARD.match(text.strip())
        if not match:
            raise ShardError(f"--shard {text!r}: write it as k/N, e.g. 1/2 for the first of two shards")
        index, count = int(match.group(1)), int(match.group(2))
        if not 1 <= index <= count:
            raise ShardError(f"--shard {text}: k must be between 1 and N")
        return cls(index, count)

    def take(self, submissions: list[Submission]) -> list[Submission]:
        """This shard's share: sorted by student id, every count-th from index on."""
        ordered = sorted(submissions, key=lambda s: s.student_id)
        return ordered[self.index - 1::self.count]

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def write_shard(folder: Path, *, assignment: str, shard: Shard, class_ids: list[str], results: list[Graded],
                skipped: list[Skipped], roster: dict[str, dict[str, str]], duedate: str) -> Path:
    record = {
        "assignment": assignment, "shard": [shard.index, shard.count], "class": sorted(class_ids),
        "duedate": duedate, "results": [asdict(g) for g in results],
        "skipped": [asdict(s) for s in skipped],
        "roster": {g.student_id: roster[g.student_id] for g in results if g.student_id in roster},
    }
    path = folder / SHARD_FILE
    atomic_write(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    return path


_GRADED_TYPES: dict[str, type | tuple[type, ...]] = {
    "student_id": str, "timestamp": str, "outcome": str, "reason": (str, type(None)), "exercises": list,
    "cell_errors": list, "flags": list, "notes": list, "sandboxed": bool, "ran_out_of_time": bool,
    "peak_kernel_mb": (int, float, type(None))}


def _graded(data: Any, where: str) -> Graded:
    """A result read back from a shard file: plain data, checked field by field."""
    if not isinstance(data, dict) or set(data) != {f.name for f in fields(Graded)}:
        raise ShardError(f"{where}: not a graded result this version of the course writes")
    for name, kind in _GRADED_TYPES.items():
        if not isinstance(data[name], kind):
            raise ShardError(f"{where}: field {name} has the wrong type ({type(data[name]).__name__})")
    if not all(isinstance(e, dict) for e in data["exercises"]):
        raise ShardError(f"{where}: an exercise result is not a record")
    return Graded(**data)


@dataclass(frozen=True)
class Merged:
    assignment: str
    results: list[Graded]
    skipped: list[Skipped]
    roster: dict[str, dict[str, str]]
    duedate: str


def read_shards(folders: list[Path]) -> Merged:
    """The shards' results as one class, or a ShardError naming the folder that does not fit."""
    records = []
    for folder in folders:
        found = sorted(folder.glob(f"*/{SHARD_FILE}")) if not (folder / SHARD_FILE).exists() else [folder / SHARD_FILE]
        if len(found) != 1:
            raise ShardError(f"{folder}: expected one {SHARD_FILE} (from `russia-china grade --shard k/N`), "
                             f"found {len(found)}")
        try:
            record = json.loads(found[0].read_text(encoding="utf-8"))
        except (OSError, ValueError) as problem:
            raise ShardError(f"{found[0]}: cannot be read ({problem})") from None
        if not isinstance(record, dict) or not {"assignment", "shard", "class", "duedate", "results", "skipped",
                                                "roster"} <= set(record):
            raise ShardError(f"{found[0]}: not a shard record")
        records.append((found[0], record))
    first_path, first = records[0]
    count = first["shard"][1]
    seen: dict[int, Path] = {}
    for path, record in records:
        for key in ("assignment", "class", "duedate", "skipped"):
            if record[key] != first[key]:
                raise ShardError(f"{path} and {first_path} differ in {key}: they are not shards of one class run")
        index, its_count = record["shard"]
        if its_count != count:
            raise ShardError(f"{path} is shard {index}/{its_count}, but {first_path} is one of {count}")
        if index in seen:
            raise ShardError(f"shard {index}/{count} is given twice: {seen[index]} and {path}")
        seen[index] = path
    absent = sorted(set(range(1, count + 1)) - set(seen))
    if absent:
        raise ShardError(f"shard(s) {', '.join(f'{i}/{count}' for i in absent)} missing: merge needs all {count}")
    results = [_graded(data, f"{path}, result {n + 1}") for path, record in records
               for n, data in enumerate(record["results"])]
    ids = sorted(g.student_id for g in results)
    if ids != sorted(first["class"]):
        raise ShardError("the shards' students are not the class: "
                         f"{len(ids)} graded, {len(first['class'])} in the class folder")
    roster = {k: v for _, record in records for k, v in record["roster"].items()}
    skipped = [Skipped(**s) for s in first["skipped"]]
    return Merged(first["assignment"], sorted(results, key=lambda g: g.student_id), skipped, roster,
                  first["duedate"])
