"""The course's own JupyterLab, on 127.0.0.1, a free port and a token, in a temporary copy of the course."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from browser import free_port

from russia_china.paths import REPO_ROOT

COPIED = ("notebooks", "exercises", "data")
#: Every cell in the DOM (no virtual scrolling) and no news pop-up.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                       "checkForUpdates": False},
}


@dataclass(frozen=True)
class Lab:
    url: str
    token: str
    root: Path

    def tree(self, path: str) -> str:
        # reset: a fresh workspace, so the tabs of an earlier page are not restored beside this one
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"

    def api(self, path: str) -> object:
        request = urllib.request.Request(f"{self.url}/api/{path}", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


def _configure(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                      ("IPYTHONDIR", "ipython"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                      ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    labconfig = home / "config" / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}), encoding="utf-8")
    for relative, values in SETTINGS.items():
        path = home / "settings" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    return env


@contextlib.contextmanager
def running_lab(scratch: Path, startup_seconds: float = 60) -> Iterator[Lab]:
    """Start JupyterLab on a copy of the course; always stop it, even when a test fails."""
    root = scratch / "course"
    for folder in COPIED:
        shutil.copytree(REPO_ROOT / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    env = _configure(scratch / "jupyter")
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root"]
    log = (scratch / "jupyterlab.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}", token, root)
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({server.returncode}); see {scratch / 'jupyterlab.log'}")
            try:
                lab.api("status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start in {startup_seconds} s") from None
                time.sleep(0.3)
        yield lab
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()
        log.close()
