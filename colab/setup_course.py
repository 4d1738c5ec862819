"""Google Colab: make a runtime ready for the course. Run by the first code cell of each
lesson and exercise notebook in the students' copy, after it has cloned the course.

Why this route (README, "Colab"): Colab's runtime ships pandas 2.2, ipywidgets 7.7 and
matplotlib 3.10, and the course needs pandas 3 and ipywidgets 8 (its charts are anywidgets,
which Colab shows only through its custom widget manager). Supporting both pandas majors
would mean testing every lesson twice; instead the first run installs the course's pinned
packages (colab/requirements.txt, the lock's versions) and restarts the runtime so Python
loads them. Colab's own kernel stack (IPython, traitlets) is left alone: the kernel runs on it.
The second run finds them in place, turns on the widget manager and moves into
the notebook's folder, where the lessons find data/ and the helper package.

No import from the course here: on the first run it is not installed yet.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

COURSE = Path(__file__).resolve().parents[1]
#: The packages whose version decides whether the runtime is ready (the ones Colab ships older).
DECIDING = ("pandas", "ipywidgets", "matplotlib", "anywidget", "pandera")


REQUIREMENTS = COURSE / "colab" / "requirements.txt"


def pinned(requirements: Path | None = None) -> dict[str, str]:
    """name -> version from colab/requirements.txt."""
    path = requirements or REQUIREMENTS
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def out_of_step(installed: Callable[[str], str] = metadata.version, requirements: Path | None = None) -> list[str]:
    """The deciding packages whose installed version is not the pinned one."""
    pins = pinned(requirements)
    wrong = []
    for name in DECIDING:
        try:
            version = installed(name)
        except metadata.PackageNotFoundError:
            version = "none"
        if version != pins[name]:
            wrong.append(f"{name} {version} (the course needs {pins[name]})")
    return wrong


def _restart() -> None:
    """Colab's own way to restart a runtime: end the kernel's process; Colab starts a new one."""
    os.kill(os.getpid(), signal.SIGKILL)


def prepare(folder: str, *, run: Callable[..., object] = subprocess.run,
            installed: Callable[[str], str] = metadata.version, restart: Callable[[], None] = _restart,
            widget_manager: Callable[[], None] | None = None) -> str:
    """Install and restart ('installed'), or get the runtime ready ('ready')."""
    wrong = out_of_step(installed)
    if wrong:
        print("Installing the course's packages (about a minute, once per runtime): " + "; ".join(wrong))
        run([sys.executable, "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)], check=True)
        run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", str(COURSE)], check=True)
        print("Done. The runtime restarts now so Python loads them: run this cell again, then the lesson.")
        restart()
        return "installed"
    if widget_manager is None:
        from google.colab import output  # type: ignore[import-not-found]  # only on Colab

        widget_manager = output.enable_custom_widget_manager
    widget_manager()
    os.chdir(COURSE / folder)
    print(f"Ready: the course is in {COURSE}, and this notebook runs in {COURSE / folder}.")
    return "ready"
