"""The course's own JupyterLab in Debian's Chromium, driven by Playwright.

Shared by the browser tests (tests/test_browser_lab.py) and the browser
benchmark (tools/bench_browser.py), so both see the lessons the same way:
JupyterLab on 127.0.0.1, a free port and a token, in a temporary copy of the
course, with every cell in the DOM and no news pop-up. Playwright's own browser
download does not work offline, so the system Chromium is launched instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..paths import REPO_ROOT
from . import lab as lab_config

CHROMIUM = Path(os.environ.get("RUSSIA_CHINA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
COPIED = ("notebooks", "exercises", "data")
#: Every cell in the DOM (no virtual scrolling), and no news pop-up as `make lab` configures it.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    **lab_config.SETTINGS,
}
KERNEL_SECONDS, RUN_SECONDS = 120, 240
#: Every code cell shows an execution count once Run All has finished.
ALL_CELLS_RAN = r"""() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const prompts = panel ? [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')] : [];
  return prompts.length > 0 && prompts.every(p => /\[\d+\]/.test(p.textContent));
}"""


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def is_loopback(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOOPBACK


def block_outside_requests(context) -> list[str]:
    """Abort every request that leaves the machine; the list records them."""
    blocked: list[str] = []

    def handle(route):
        if is_loopback(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", handle)
    return blocked


@dataclass(frozen=True)
class Lab:
    url: str
    token: str
    root: Path
    #: JUPYTER_RUNTIME_DIR of the server: its kernels' connection files are here.
    runtime: Path

    def tree(self, path: str) -> str:
        # reset: a fresh workspace, so the tabs of an earlier page are not restored beside this one
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"

    def api(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None


def _configure(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                      ("IPYTHONDIR", "ipython"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                      ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    labconfig = home / "config" / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "page_config.json").write_text(json.dumps(lab_config.PAGE_CONFIG), encoding="utf-8")
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
    lab = Lab(f"http://127.0.0.1:{port}", token, root, Path(env["JUPYTER_RUNTIME_DIR"]))
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


def _kernel_ready(lab: Lab, page) -> None:
    """The toolbar says idle about a second before Run All is accepted: wait for the server to agree."""
    page.wait_for_selector("text=| Idle", timeout=KERNEL_SECONDS * 1000)
    deadline = time.monotonic() + KERNEL_SECONDS
    while time.monotonic() < deadline:
        kernels = lab.api("kernels")
        if kernels and all(k["execution_state"] == "idle" and k["connections"] >= 1 for k in kernels):
            return
        time.sleep(0.3)
    raise AssertionError(f"the kernel never became idle: {lab.api('kernels')}")


def open_and_run(lab: Lab, context, path: str):
    """Open a notebook in a new page and Run All, as a student would; returns the page."""
    page = context.new_page()
    page.goto(lab.tree(path))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=KERNEL_SECONDS * 1000)
    _kernel_ready(lab, page)
    page.locator('.lm-MenuBar-itemLabel:text-is("Run")').click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    page.wait_for_function(ALL_CELLS_RAN, timeout=RUN_SECONDS * 1000)
    return page


def shut_down(lab: Lab, page) -> None:
    """Close the page and its kernel: one kernel at a time on a 2-core machine."""
    page.close()
    for session in lab.api("sessions"):
        lab.api(f"sessions/{session['id']}", method="DELETE")
