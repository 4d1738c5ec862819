"""What comes back from the sandbox, read as untrusted data.

The runner's files (the answers check() recorded, its report, the tripwire's
flags) are written from the student's side of the boundary. They are read here
without following links or waiting on pipes, with size limits, and checked
field by field; only checked fields reach the judge, the gradebook or the
feedback. Also: the words for how a run ended.
"""

from __future__ import annotations

import json
import os
import signal
import stat
from pathlib import Path
from typing import Any

from ..exercises.runner import ANSWERS_FILE, FLAGS_FILE, REPORT_FILE
from ..exercises.tripwire import C_FUNCTIONS, EVENTS
from .plan import AssignmentPlan
from .sandbox import Finished

_MAX_ANSWERS_BYTES = 64 * 2**20
_MAX_REPORT_BYTES = 2**20
_LIMIT_SIGNALS = {signal.SIGXCPU: ", the CPU time limit", signal.SIGXFSZ: ", the file size limit"}


def read_untrusted(path: Path, limit: int) -> bytes | None:
    """A regular file's bytes, never through a link, never blocking on a pipe; None if absent or too large."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def parse_answers(data: bytes | None, plan: AssignmentPlan) -> tuple[dict[str, dict[str, Any]], int]:
    """The last valid record per exercise, and how many lines were not records at all."""
    answers: dict[str, dict[str, Any]] = {}
    ignored = 0
    for line in (data or b"").splitlines():
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            ignored += 1
            continue
        exercise_id = record.get("exercise_id") if type(record) is dict else None
        if type(exercise_id) is not str or exercise_id not in plan.ids:
            ignored += 1
            continue
        if set(record) != {"exercise_id", "via", "answer"} or record["via"] not in ("check", "variable"):
            record = {"exercise_id": exercise_id, "via": "check",
                      "answer": {"type": "unsupported", "what": "malformed answer record", "why": ""}}
        answers[exercise_id] = {"via": record["via"], "answer": record["answer"]}
    return answers, ignored


def parse_report(data: bytes | None) -> dict[str, Any] | None:
    """The runner's report with every field checked, or None if it is missing or malformed."""
    try:
        report = json.loads(data) if data else None
        if type(report) is not dict or type(report.get("finished")) is not bool:
            return None
        cells = []
        for entry in report["cells"][:1000]:
            if entry["outcome"] not in ("error", "timeout", "interrupted") or type(entry["cell"]) is not int:
                return None
            cells.append({"cell": entry["cell"], "outcome": entry["outcome"],
                          "ename": str(entry["ename"])[:100], "evalue": str(entry["evalue"])[:200]})
        died = report["died"]
        if died is not None:
            died = {k: died[k] if type(died[k]) is int else None for k in ("cell", "exit_code", "signal")}
        return {"finished": report["finished"], "cells": cells, "died": died}
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


def parse_flags(data: bytes | None) -> list[str]:
    """Tripwire events, kept only when they are names the tripwire writes."""
    known = EVENTS | {f"ctypes.{name}" for name in C_FUNCTIONS}
    names = [line.strip() for line in (data or b"").decode("utf-8", "replace").splitlines()]
    return sorted({name for name in names if name in known})


def cell_errors(report: dict[str, Any] | None, cell_timeout: int, memory_mb: int) -> list[str]:
    errors = []
    for entry in (report or {}).get("cells", []):
        number = entry["cell"]
        if entry["outcome"] == "timeout":
            errors.append(f"cell {number} ran longer than {cell_timeout} s and was stopped")
        elif entry["outcome"] == "interrupted":
            errors.append(f"cell {number} was interrupted (KeyboardInterrupt raised in the cell)")
        elif entry["ename"] == "MemoryError":
            errors.append(f"cell {number} raised MemoryError: it needed more than the memory limit "
                          f"({memory_mb} MB)")
        else:
            errors.append(f"cell {number} raised {entry['ename']}: {entry['evalue']}")
    return errors


def _how(exit_code: int | None, signal_number: int | None) -> str:
    if signal_number is not None:
        name = signal.Signals(signal_number).name if signal_number in signal.valid_signals() else "unknown"
        return f"killed by signal {signal_number} ({name}{_LIMIT_SIGNALS.get(signal_number, '')})"
    return f"exit code {exit_code}" if exit_code is not None else "exit status unknown"


def stopped_reason(finished: Finished, report: dict[str, Any] | None, memory_mb: int, timeout: int) -> str | None:
    """Why grading ended early, in words; None when the notebook ran to its end."""
    memory = f"peak memory {finished.peak_mb:.0f} MB of the {memory_mb} MB limit"
    if finished.timed_out:
        return (f"grading stopped after {timeout} s (time limit per submission); "
                "answers given before that count")
    if report is None or (not report["finished"] and report["died"] is None):
        return (f"the notebook stopped its grading runner ({_how(finished.exit_code, finished.signal)}; {memory}); "
                "answers given before that count")
    died = report["died"]
    if died is None:
        return None
    where = f" while running cell {died['cell']}" if died["cell"] else ""
    return (f"the kernel stopped{where} ({_how(died['exit_code'], died['signal'])}; {memory}); "
            "answers given before that count")


def read_answers(folder: Path, plan: AssignmentPlan) -> tuple[dict[str, dict[str, Any]], int]:
    return parse_answers(read_untrusted(folder / ANSWERS_FILE, _MAX_ANSWERS_BYTES), plan)


def read_report(folder: Path) -> dict[str, Any] | None:
    return parse_report(read_untrusted(folder / REPORT_FILE, _MAX_REPORT_BYTES))


def read_flags(folder: Path) -> list[str]:
    return parse_flags(read_untrusted(folder / FLAGS_FILE, 2**16))
