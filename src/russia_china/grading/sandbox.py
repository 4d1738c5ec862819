"""The command that runs one worker, inside bubblewrap where it works.

bubblewrap (Debian/Ubuntu package `bubblewrap`) gives the worker and its
kernel a read-only view of the machine, no network, a private /tmp, and hides
the solutions, the other submissions and the gradebook folder. Where it is
missing (macOS, some containers) the worker runs unwrapped, and the kernel's
audit hook is what blocks reading the solutions and writing outside the
submission's folder.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path

from ..paths import REPO_ROOT


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@functools.cache
def bubblewrap() -> str | None:
    """The bwrap executable, if it is installed and allowed to run here."""
    executable = shutil.which("bwrap")
    if executable is None:
        return None
    probe = [executable, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net",
             "--unshare-pid", "--die-with-parent", "true"]
    try:
        works = subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        works = False
    return executable if works else None


def worker_command(workdir: Path, hidden: list[Path], use_bubblewrap: bool) -> list[str]:
    """Run the worker; with bubblewrap, only `workdir` is writable and `hidden` are empty."""
    worker = [sys.executable, "-I", "-m", "russia_china.grading.worker"]
    if not use_bubblewrap:
        return worker
    executable = bubblewrap()
    if executable is None:
        raise RuntimeError("bubblewrap (bwrap) is not available here; install it or grade with --sandbox none")
    command = [executable, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    needed = [Path(sys.prefix).resolve(), Path(__file__).resolve().parents[1], REPO_ROOT]
    for folder in hidden:
        # Never hide a folder the worker needs, e.g. a repository cloned under the hidden /tmp folder.
        if folder.exists() and not any(_inside(path, folder.resolve()) for path in needed):
            command += ["--tmpfs", str(folder)]
    command += ["--bind", str(workdir), str(workdir), "--unshare-net", "--unshare-pid", "--unshare-ipc",
                "--die-with-parent", "--new-session", "--chdir", str(workdir)]
    return command + worker
