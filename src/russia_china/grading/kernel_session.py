"""The grader's side of a student's kernel.

`Session` is created by a cell the worker runs *before* the student's code: it
keeps references to the genuine course package, warms the answer key, and
installs an audit hook that blocks (and records) reads of the solutions and the
answer key, writes outside the submission's folder, subprocesses and network
use. `Session.finish` runs *after* the student's code: it restores what the
notebook may have replaced, collects answers by exercise id, judges them with
the genuine checks, runs the hidden tests in a namespace of their own and
publishes the result for the worker.
"""

from __future__ import annotations

import builtins
import json
import os
import signal
import sys
from typing import Any

#: The mimetype of the result the worker looks for in the grading cell's output.
RESULT_MIME = "application/vnd.russia-china.grading+json"

_PROCESS_EVENTS = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "pty.spawn", "os.kill", "os.killpg",
})
_NETWORK_EVENTS = frozenset({"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"})
#: Audit events that change the filesystem, and which of their arguments are paths.
_CHANGE_EVENTS = {
    "os.remove": (0,), "os.rmdir": (0,), "os.rename": (0, 1), "shutil.rmtree": (0,), "os.truncate": (0,),
    "os.chmod": (0,), "os.chown": (0,), "os.mkdir": (0,), "os.symlink": (1,), "os.link": (1,),
    "os.utime": (0,), "shutil.copyfile": (1,), "shutil.copytree": (1,), "shutil.move": (0, 1),
    "os.setxattr": (0,), "os.removexattr": (0,), "os.chflags": (0,), "os.lchflags": (0,),
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_HIDDEN_TEST_SECONDS = 20
#: Builtins the kernel itself rebinds on every execution.
_KERNEL_MANAGED_BUILTINS = frozenset({"input", "raw_input", "getpass"})
_MAX_VIOLATIONS = 20
_MAX_WRITTEN_CHARS = 20_000


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


class _Guard:
    """The audit hook. Small and fast: it sees every audited event in the kernel."""

    def __init__(self, writable: str, blocked: dict[str, str]):
        self.writable = os.path.realpath(writable)
        self.blocked = {os.path.realpath(path): reason for path, reason in blocked.items()}
        self.violations: list[str] = []

    def _refuse(self, reason: str) -> None:
        if len(self.violations) < _MAX_VIOLATIONS:
            self.violations.append(reason)
        raise PermissionError(f"Blocked while grading: {reason}")

    def _blocked_reason(self, path: str) -> str | None:
        if _inside(path, self.writable):
            return None
        for folder, reason in self.blocked.items():
            if _inside(path, folder):
                return reason
        return None

    def __call__(self, event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = args
            if not isinstance(path, (str, bytes, os.PathLike)):
                return  # a file descriptor
            real = os.path.realpath(os.fsdecode(path))
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS)
            if writing and not _inside(real, self.writable) and real != os.devnull:
                self._refuse(f"tried to write outside its folder ({real})")
            reason = self._blocked_reason(real)
            if reason:
                self._refuse(f"tried to read {reason} ({real})")
        elif event in _CHANGE_EVENTS:
            for position in _CHANGE_EVENTS[event]:
                target = args[position] if position < len(args) else None
                if isinstance(target, (str, bytes, os.PathLike)):
                    real = os.path.realpath(os.fsdecode(target))
                    if not _inside(real, self.writable):
                        self._refuse(f"tried to change files outside its folder ({event} {real})")
        elif event in _PROCESS_EVENTS:
            self._refuse(f"tried to run another program or signal a process ({event})")
        elif event in _NETWORK_EVENTS:
            self._refuse(f"tried to use the network ({event})")


class _TimeLimit:
    def __init__(self, seconds: int):
        self.seconds = seconds

    def _expired(self, *_: object) -> None:
        raise TimeoutError(f"longer than {self.seconds} s")

    def __enter__(self) -> None:
        self.previous = signal.signal(signal.SIGALRM, self._expired)
        signal.alarm(self.seconds)

    def __exit__(self, *_: object) -> None:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self.previous)


def _course_modules() -> dict[str, Any]:
    return {name: module for name, module in list(sys.modules.items())
            if name == "russia_china" or name.startswith("russia_china.")}


class Session:
    """Created before the student's code runs; `finish` scores afterwards."""

    def __init__(self, writable: str, blocked: dict[str, str]):
        import matplotlib.pyplot  # noqa: F401  (imported before the hook: matplotlib may build its font cache)
        import seaborn  # noqa: F401
        from IPython.display import publish_display_data

        import russia_china
        from russia_china.exercises import checking

        self._package_dir = os.path.dirname(os.path.realpath(russia_china.__file__))
        self._version = russia_china.__version__
        self._checking = checking
        self._judge = checking._judge
        self._answers = checking.answers
        self._answers.clear()
        checking._answer_key()  # cached now; reading the key later is the student's doing
        self._publish = publish_display_data
        self._genuine = _course_modules()
        self._builtins = dict(vars(builtins))
        self._notes: list[str] = []
        self.guard = _Guard(writable, blocked)
        sys.addaudithook(self.guard)

    # -- after the student's code ------------------------------------------------

    def finish(self, nonce: str, plan: dict[str, Any]) -> None:
        """Score every exercise and publish the result; never raises."""
        result: dict[str, Any] = {"nonce": nonce}
        try:
            self._restore()
            result["exercises"] = self._score(plan)
        except BaseException as problem:  # noqa: BLE001  (the result must always be published)
            result["error"] = f"grading failed inside the kernel: {type(problem).__name__}: {problem}"[:500]
        result["violations"] = list(self.guard.violations)
        result["notes"] = self._notes
        self._publish({RESULT_MIME: json.dumps(result, default=str)})

    def _restore(self) -> None:
        """Undo what a notebook may have replaced: other course packages, builtins."""
        foreign = {}
        for name, module in _course_modules().items():
            where = os.path.realpath(getattr(module, "__file__", None) or "")
            if not _inside(where, self._package_dir):
                foreign[name] = where
        if foreign:
            top = foreign.get("russia_china") or next(iter(foreign.values()))
            version = getattr(sys.modules.get("russia_china"), "__version__", "unknown")
            self._notes.append(
                f"The notebook imported a different russia_china (version {version}, from {top}); it was "
                f"graded with the course's own checks (version {self._version}), so its check() messages may "
                "have differed from these results.")
        for name in foreign:
            del sys.modules[name]
        sys.modules.update(self._genuine)
        changed = sorted(name for name, value in self._builtins.items()
                         if vars(builtins).get(name) is not value and name not in _KERNEL_MANAGED_BUILTINS)
        if changed:
            self._notes.append(f"The notebook replaced built-in names ({', '.join(changed[:5])}); "
                               "they were restored before grading.")
            vars(builtins).update({name: self._builtins[name] for name in changed})

    def _collect(self, plan: dict[str, Any]) -> dict[str, Any]:
        """Answers by exercise id: the last check() call, else the answer's variable."""
        from IPython import get_ipython

        shell = get_ipython()
        user_ns = shell.user_ns if shell is not None else {}
        collected = {}
        for exercise in plan["exercises"]:
            exercise_id = exercise["exercise_id"]
            if exercise_id in self._answers:
                collected[exercise_id] = self._answers[exercise_id]
            elif exercise["answer_name"] and exercise["answer_name"] in user_ns:
                collected[exercise_id] = user_ns[exercise["answer_name"]]
                self._notes.append(f"Exercise {exercise_id}: check() was never called; "
                                   f"graded the variable {exercise['answer_name']}.")
        return collected

    def _score(self, plan: dict[str, Any]) -> list[dict[str, Any]]:
        collected = self._collect(plan)
        setup: dict[str, Any] = {}
        exec(compile(plan["setup"], "<hidden-test setup>", "exec"), setup)
        results = []
        for exercise in plan["exercises"]:
            exercise_id = exercise["exercise_id"]
            answer = collected.get(exercise_id, ...)
            feedback = self._judge(exercise_id, answer)
            manual = exercise["kind"] in ("written", "manual")
            hidden = "none"
            if exercise["hidden_tests"].strip() and (feedback.status == self._checking.PASSED
                                                    or (manual and feedback.status == "recorded")):
                hidden = self._hidden_tests(exercise, setup, collected)
            elif exercise["hidden_tests"].strip():
                hidden = "not run"
            if manual:
                points = None
            else:
                points = exercise["points"] if feedback.status == self._checking.PASSED and hidden in (
                    "passed", "none") else 0.0
            entry = {"exercise_id": exercise_id, "status": feedback.status, "message": feedback.message,
                     "hidden": hidden, "points": points, "max_points": exercise["points"], "manual": manual}
            if manual and feedback.status == "recorded" and isinstance(answer, str):
                entry["written_answer"] = answer[:_MAX_WRITTEN_CHARS]
            results.append(entry)
        return results

    def _hidden_tests(self, exercise: dict[str, Any], setup: dict[str, Any], collected: dict[str, Any]) -> str:
        """'passed' or 'failed: <exception type>'; never the test's text or values."""
        namespace = dict(setup)
        namespace["answers"] = dict(collected)
        try:
            with _TimeLimit(_HIDDEN_TEST_SECONDS):
                exec(compile(exercise["hidden_tests"], f"<hidden tests {exercise['exercise_id']}>", "exec"),
                     namespace)
        except AssertionError:
            return "failed"
        except BaseException as problem:  # noqa: BLE001  (a student's object may raise anything)
            return f"failed ({type(problem).__name__})"
        return "passed"
