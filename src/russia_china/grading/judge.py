"""Judge plain answers where no student code ever ran: `python -I -m russia_china.grading.judge`.

Each grading worker keeps one judge process. It reads one request per line on
stdin (an assignment's plan and one submission's answers as plain data) and
writes one result per line. For every exercise it rebuilds the answer with
`plain.from_plain` (which trusts nothing), runs the public check
(`checking.judge`, the same one check() runs) and then the hidden tests from
solutions/, on the canonical answer, in a namespace of their own. Points are
the exercise's maximum or nothing, so no answer can score more; only an
extraction earns part of its points, the share its public check reports.
"""

from __future__ import annotations

import json
import selectors
import signal
import subprocess
import sys
from contextlib import contextmanager
from typing import Any

from ..exercises import checking, plain
from ..exercises.format import MANUAL_KINDS, PASSED, RECORDED

_HIDDEN_TEST_SECONDS = 20
_MAX_WRITTEN_CHARS = 20_000


@contextmanager
def _time_limit(seconds: int):
    def expired(*_: object) -> None:
        raise TimeoutError(f"longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


_SETUPS: dict[str, dict[str, Any]] = {}


def _setup(plan: dict[str, Any]) -> dict[str, Any]:
    """The hidden tests' namespace after the assignment's setup code, built once per plan."""
    if plan["name"] not in _SETUPS:
        namespace: dict[str, Any] = {}
        exec(compile(plan["setup"], "<hidden-test setup>", "exec"), namespace)
        _SETUPS[plan["name"]] = namespace
    # Tables are copied, so a hidden test that changes one cannot change the next submission's.
    return {name: value.copy() if hasattr(value, "copy") and type(value).__module__.startswith("pandas") else value
            for name, value in _SETUPS[plan["name"]].items()}


def _hidden_tests(source: str, exercise_id: str, namespace: dict[str, Any]) -> str:
    """'passed' or 'failed (<exception type>)'; never the test's text or values."""
    try:
        with _time_limit(_HIDDEN_TEST_SECONDS):
            exec(compile(source, f"<hidden tests {exercise_id}>", "exec"), namespace)
    except AssertionError:
        return "failed"
    except Exception as problem:  # an answer of the wrong shape may make a test raise anything
        return f"failed ({type(problem).__name__})"
    return "passed"


def judge_submission(plan: dict[str, Any], answers: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per exercise of the plan: status, message, hidden-test outcome and points."""
    namespace = _setup(plan)
    judged = {}
    for exercise in plan["exercises"]:
        exercise_id = exercise["exercise_id"]
        try:
            value = plain.from_plain(answers[exercise_id]["answer"]) if exercise_id in answers else ...
        except (plain.Invalid, RecursionError, ValueError, OverflowError) as problem:
            value = plain.Unsupported("malformed answer", str(problem)[:200])
        judged[exercise_id] = checking.judge(exercise_id, value)  # never raises on an answer
    namespace["answers"] = {exercise_id: value for exercise_id, (_, value) in judged.items()}
    results = []
    for exercise in plan["exercises"]:
        exercise_id, manual = exercise["exercise_id"], exercise["kind"] in MANUAL_KINDS
        feedback, value = judged[exercise_id]
        accepted = feedback.status == (RECORDED if manual else PASSED)
        hidden = "none"
        if exercise["hidden_tests"].strip():
            hidden = _hidden_tests(exercise["hidden_tests"], exercise_id, namespace) if accepted else "not run"
        points = None if manual else (exercise["points"] if accepted and hidden in ("passed", "none") else 0.0)
        if not manual and not accepted and feedback.score is not None:  # an extraction earns part of its points
            points = round(exercise["points"] * min(max(feedback.score, 0.0), 1.0), 2)
        entry = {"exercise_id": exercise_id, "status": feedback.status, "message": feedback.message,
                 "hidden": hidden, "points": points, "max_points": exercise["points"], "manual": manual,
                 "via": answers.get(exercise_id, {}).get("via", "check")}
        if manual and accepted:
            entry["written_answer"] = str(value)[:_MAX_WRITTEN_CHARS]  # a written answer is text
        results.append(entry)
    return results


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        response: dict[str, Any]
        try:
            response = {"exercises": judge_submission(request["plan"], request["answers"])}
        except Exception as problem:  # the grader reports it as its own failure
            response = {"error": f"{type(problem).__name__}: {problem}"[:500]}
        sys.stdout.write(json.dumps(response) + "\n")
        sys.stdout.flush()


class JudgeError(RuntimeError):
    """The judge process failed: the grader's fault, never the student's."""


class Judge:
    """A judge process, started on first use and reused by one grading worker."""

    def __init__(self, timeout: float = 300):
        self.timeout = timeout
        self.process: subprocess.Popen[str] | None = None

    def __call__(self, plan: dict[str, Any], answers: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen([sys.executable, "-I", "-m", "russia_china.grading.judge"],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        process = self.process
        # Both are pipes: Popen was given stdin=PIPE and stdout=PIPE.
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps({"plan": plan, "answers": answers}) + "\n")
            process.stdin.flush()
            with selectors.DefaultSelector() as selector:
                selector.register(process.stdout, selectors.EVENT_READ)
                if not selector.select(self.timeout):
                    raise JudgeError(f"the judge took longer than {self.timeout:g} s")
            line = process.stdout.readline()
            if not line:
                raise JudgeError(f"the judge stopped (exit {process.wait()})")
            response = json.loads(line)
        except (OSError, ValueError, JudgeError):
            self.close()
            raise
        if "error" in response:
            raise JudgeError(response["error"])
        return response["exercises"]

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


if __name__ == "__main__":
    main()
