"""A best-effort tripwire in the grading kernel: it flags, it never blocks.

The sandbox is what stops a notebook (see russia_china.grading.sandbox). This
audit hook only writes the names of a few telling events to a file, so the
instructor can look at a notebook that tried to run programs, send signals,
open sockets or call C functions directly. A notebook can switch it off; no
score depends on it, and the grader reads the file as untrusted names.
"""

from __future__ import annotations

import json
import sys

#: Audit events worth a look, with the C functions whose lookup through ctypes is too.
EVENTS = frozenset({"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                    "os.forkpty", "os.kill", "os.killpg", "socket.connect", "socket.bind", "ctypes.dlsym"})
C_FUNCTIONS = frozenset({"open", "openat", "fork", "vfork", "kill", "execve", "system", "syscall", "ptrace",
                         "socket", "connect", "unlink", "chmod"})
_MAX_FLAGS = 20


def install(path: str) -> None:
    seen: set[str] = set()

    def hook(event: str, args: tuple) -> None:
        if event not in EVENTS or len(seen) >= _MAX_FLAGS:
            return
        if event == "ctypes.dlsym":
            name = args[1] if len(args) > 1 else None
            if not isinstance(name, str) or name not in C_FUNCTIONS:
                return
            event = f"ctypes.{name}"
        if event not in seen:
            seen.add(event)
            with open(path, "a", encoding="utf-8") as channel:
                channel.write(json.dumps({"flag": event}) + "\n")

    sys.addaudithook(hook)
