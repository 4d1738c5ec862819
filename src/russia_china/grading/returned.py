"""What comes back from the sandbox, read as untrusted data.

Everything on the channel (the answers check() recorded, the tripwire's flags,
the runner's report) was written from the student's side of the boundary, so
each line is parsed with limits and checked field by field; only checked fields
reach the judge, the gradebook or the feedback. Also: the words for how a run
ended.
"""

from __future__ import annotations

import json
import re
import signal
from dataclasses import dataclass
from typing import Any

from ..exercises.tripwire import C_FUNCTIONS, EVENTS
from .plan import AssignmentPlan
from .sandbox import Finished

# Keyed by number: a Signals member is an int, and the exit status gives a plain int.
_LIMIT_SIGNALS: dict[int, str] = {signal.SIGXCPU: ", the CPU time limit", signal.SIGXFSZ: ", the file size limit"}


@dataclass(frozen=True)
class Returned:
    """The channel, read: answers by exercise id, the report (None if missing or malformed),
    flags, and how many lines were none of these."""

    answers: dict[str, dict[str, Any]]
    report: dict[str, Any] | None
    flags: list[str]
    ignored: int


def parse_channel(data: bytes, plan: AssignmentPlan) -> Returned:
    """Sort the channel's lines into answer records, flags and the report; the last of each counts."""
    answers: dict[str, dict[str, Any]] = {}
    flags: set[str] = set()
    report, ignored = None, 0
    known_flags = EVENTS | {f"ctypes.{name}" for name in C_FUNCTIONS}
    for line in data.splitlines():
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            ignored += 1
            continue
        if type(record) is dict and set(record) == {"flag"} and record["flag"] in known_flags:
            flags.add(record["flag"])
            continue
        if type(record) is dict and set(record) == {"report"}:
            report = parse_report(record["report"])
            continue
        exercise_id = record.get("exercise_id") if type(record) is dict else None
        if type(exercise_id) is not str or exercise_id not in plan.ids:
            ignored += 1
            continue
        if set(record) != {"exercise_id", "via", "answer"} or record["via"] not in ("check", "variable"):
            record = {"exercise_id": exercise_id, "via": "check",
                      "answer": {"type": "unsupported", "what": "malformed answer record", "why": ""}}
        answers[exercise_id] = {"via": record["via"], "answer": record["answer"]}
    return Returned(answers, report, sorted(flags), ignored)


def parse_report(report: object) -> dict[str, Any] | None:
    """The runner's report with every field checked, or None if it is malformed."""
    try:
        if type(report) is not dict or type(report.get("finished")) is not bool:
            return None
        cells = []
        for entry in report["cells"][:1000]:
            if entry["outcome"] not in ("error", "timeout", "interrupted") or type(entry["cell"]) is not int:
                return None
            # An exception's name is the student's to choose: only a dotted identifier passes as one.
            ename = str(entry["ename"])[:60]
            ename = ename if re.fullmatch(r"[A-Za-z_][\w.]*", ename) else "an exception"
            cells.append({"cell": entry["cell"], "outcome": entry["outcome"], "ename": ename,
                          "evalue": " ".join(str(entry["evalue"]).split())[:200]})
        died = report["died"]
        if died is not None:
            died = {k: died[k] if type(died[k]) is int else None for k in ("cell", "exit_code", "signal")}
        return {"finished": report["finished"], "cells": cells, "died": died}
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


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
            message = f': "{entry["evalue"]}"' if entry["evalue"] else ""
            errors.append(f"cell {number} raised {entry['ename']}{message}")
    return errors


def _how(exit_code: int | None, signal_number: int | None) -> str:
    if signal_number is not None:
        name = signal.Signals(signal_number).name if signal_number in signal.valid_signals() else "unknown"
        return f"killed by signal {signal_number} ({name}{_LIMIT_SIGNALS.get(signal_number, '')})"
    return f"exit code {exit_code}" if exit_code is not None else "exit status unknown"


def stopped_reason(finished: Finished, report: dict[str, Any] | None, memory_mb: int, timeout: int) -> str | None:
    """Why grading ended early, in words; None when the notebook ran to its end."""
    memory = f"peak memory {finished.peak_mb:.0f} MB of the {memory_mb} MB limit"
    if finished.over_memory:
        return (f"its processes together held more than the memory limit ({finished.peak_mb:.0f} MB of "
                f"{memory_mb} MB), so grading stopped; answers given before that count")
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
