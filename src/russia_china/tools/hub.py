"""A real JupyterHub on 127.0.0.1, and a client that drives it as its users would.

The hub is PyPI's ``jupyterhub`` with npm's ``configurable-http-proxy``,
``SimpleLocalProcessSpawner`` (one process and one home folder per user, under
a temporary folder) and ``DummyAuthenticator`` with a generated password. A
hub service token creates users and starts their servers; each user's own
token (sent in the Authorization header: the kernel websocket refuses
``?token=``) is what the user's requests carry. Used by the class rehearsal
(tools/rehearsal.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import websocket

from ..paths import REPO_ROOT

PROXY = REPO_ROOT / "node_modules" / ".bin" / "configurable-http-proxy"


class HubError(RuntimeError):
    """The hub, a server or a kernel did not do what the class needed; says which and why."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Hub:
    """One JupyterHub process and its proxy, in ``root`` (homes under ``root/homes``)."""

    root: Path
    admin: str = "instructor"
    token: str = field(default_factory=lambda: secrets.token_hex(32))
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def homes(self) -> Path:
        return self.root / "homes"

    def config(self) -> str:
        singleuser = Path(sys.executable).parent / "jupyterhub-singleuser"
        allow_root = ["--allow-root"] if os.getuid() == 0 else []
        values = {
            "bind_url": f"{self.url}", "hub_port": free_port(), "proxy_api": f"http://127.0.0.1:{free_port()}",
            "proxy": str(PROXY), "password": self.password, "admin": self.admin, "homes": str(self.homes),
            "cmd": [str(singleuser), *allow_root], "token": self.token, "db": f"sqlite:///{self.root / 'hub.sqlite'}",
            "cookie": str(self.root / "cookie_secret"), "pid": str(self.root / "proxy.pid"),
        }
        return f"""# Written by russia_china.tools.hub for one class rehearsal.
v = {json.dumps(values)}
c.JupyterHub.bind_url = v["bind_url"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = v["hub_port"]
c.ConfigurableHTTPProxy.api_url = v["proxy_api"]
c.ConfigurableHTTPProxy.command = [v["proxy"]]
c.ConfigurableHTTPProxy.pid_file = v["pid"]
c.JupyterHub.db_url = v["db"]
c.JupyterHub.cookie_secret_file = v["cookie"]
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = v["password"]
c.Authenticator.allow_all = True
c.Authenticator.admin_users = {{v["admin"]}}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = v["homes"] + "/{{username}}"
c.Spawner.cmd = v["cmd"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.JupyterHub.services = [{{"name": "rehearsal", "api_token": v["token"]}}]
c.JupyterHub.load_roles = [{{"name": "rehearsal", "services": ["rehearsal"],
                            "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "read:users"]}}]
"""

    def start(self, timeout: float = 60) -> None:
        if not PROXY.exists():
            raise HubError(f"configurable-http-proxy is not installed at {PROXY}: run `npm ci` (make test does)")
        self.homes.mkdir(parents=True, exist_ok=True)
        config = self.root / "jupyterhub_config.py"
        config.write_text(self.config(), encoding="utf-8")
        log = (self.root / "hub.log").open("wb")
        command = [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(config)]
        # A session of its own, so stop() can end the proxy and every user's server with it.
        self.process = subprocess.Popen(command, cwd=self.root, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HubError(f"JupyterHub exited with {self.process.returncode}: {self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        raise HubError(f"JupyterHub did not answer within {timeout:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 15) -> str:
        path = self.root / "hub.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """End the hub, its proxy and every user's server, whatever state they are in."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        # Users' servers run in sessions of their own: end what is still running under the homes.
        for pid_dir in Path("/proc").iterdir():
            if not pid_dir.name.isdigit():
                continue
            try:
                cwd = os.readlink(pid_dir / "cwd")
            except OSError:
                continue
            if cwd.startswith(str(self.homes)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid_dir.name), signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None

    # -- the hub's REST API, as the rehearsal's service ----------------------------------------

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = requests.request(method, f"{self.url}/hub/api{path}",
                                    headers={"Authorization": f"token {self.token}"}, timeout=60, **kwargs)
        if response.status_code >= 400:
            raise HubError(f"{method} /hub/api{path}: {response.status_code} {response.text[:300]}")
        return response

    def add_users(self, names: list[str]) -> None:
        self.api("POST", "/users", json={"usernames": names})

    def start_server(self, name: str, timeout: float = 180) -> None:
        self.api("POST", f"/users/{name}/server")
        self.wait_for_server(name, timeout)

    def wait_for_server(self, name: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            user = self.api("GET", f"/users/{name}").json()
            server = user.get("servers", {}).get("", {})
            if server.get("ready"):
                return
            time.sleep(0.5)
        raise HubError(f"{name}'s server was not ready within {timeout:.0f} s: {self.log_tail()}")

    def user(self, name: str) -> UserSession:
        token = self.api("POST", f"/users/{name}/tokens", json={"note": "class rehearsal"}).json()["token"]
        return UserSession(self, name, token)


@dataclass
class UserSession:
    """What one user's browser would send: requests with the user's own token."""

    hub: Hub
    name: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    @property
    def server(self) -> str:
        return f"{self.hub.url}/user/{self.name}"

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return requests.get(url, headers=self.headers, timeout=120, **kwargs)

    def contents(self, path: str) -> dict[str, Any]:
        response = self.get(f"{self.server}/api/contents/{path}", params={"content": 1})
        if not response.ok:
            raise HubError(f"{self.name}: GET contents {path}: {response.status_code}")
        return response.json()

    def save(self, path: str, notebook: dict[str, Any]) -> None:
        """Save a notebook as JupyterLab does, through the server's contents API."""
        response = requests.put(f"{self.server}/api/contents/{path}", headers=self.headers, timeout=120,
                                json={"type": "notebook", "format": "json", "content": notebook})
        if not response.ok:
            raise HubError(f"{self.name}: saving {path}: {response.status_code} {response.text[:200]}")

    def browser(self) -> requests.Session:
        """A browser logged in to the hub with the user's name and the hub's password, as a student
        signs in: the hub's login form, then its cookies (pages other than the APIs take no token)."""
        browser = requests.Session()
        login = browser.get(f"{self.hub.url}/hub/login", timeout=60)
        xsrf = browser.cookies.get("_xsrf", "")
        done = browser.post(f"{self.hub.url}/hub/login", timeout=60, allow_redirects=True,
                            data={"username": self.name, "password": self.hub.password, "_xsrf": xsrf})
        if not (login.ok and done.ok) or "/hub/login" in done.url:
            raise HubError(f"{self.name}: could not sign in to the hub ({done.status_code} at {done.url})")
        return browser

    def follow_pull_link(self, link: str, timeout: float = 180) -> list[dict[str, Any]]:
        """Open an nbgitpuller link as the student's browser does: signed in to the hub, its
        user-redirect lands on the student's own server, whose page then streams the pull from
        ``git-pull/api``; the events are what the page shows."""
        browser = self.browser()
        landing = browser.get(link, allow_redirects=True, timeout=120)
        if not landing.ok or f"/user/{self.name}/git-pull" not in landing.url:
            raise HubError(f"{self.name}: the link led to {landing.url} ({landing.status_code})")
        api = landing.url.replace("/git-pull?", "/git-pull/api?", 1)
        events = []
        with browser.get(api, stream=True, timeout=timeout) as stream:
            for line in stream.iter_lines(decode_unicode=True):
                if isinstance(line, str) and line.startswith("data:"):
                    event = json.loads(line[5:])
                    events.append(event)
                    if event.get("phase") in ("finished", "error"):
                        break
        if not events or events[-1].get("phase") != "finished":
            raise HubError(f"{self.name}: the pull did not finish: {events[-1] if events else 'no events'}")
        return events

    def kernel(self, notebook_path: str) -> Kernel:
        """A kernel for a notebook, started the way JupyterLab opens one (a session on its path)."""
        response = requests.post(f"{self.server}/api/sessions", headers=self.headers, timeout=120, json={
            "path": notebook_path, "type": "notebook", "name": notebook_path.rsplit("/", 1)[-1],
            "kernel": {"name": "python3"}})
        if not response.ok:
            raise HubError(f"{self.name}: starting a kernel for {notebook_path}: {response.status_code}")
        session = response.json()
        ws_url = self.server.replace("http://", "ws://") + f"/api/kernels/{session['kernel']['id']}/channels"
        return Kernel(self, session["id"], websocket.create_connection(ws_url, header=self.headers, timeout=300))


def _decode(frame: str | bytes) -> dict[str, Any]:
    """A kernel message off the websocket. Messages with buffers (a widget's PNG) come as binary
    frames in the Jupyter server's default framing: the count of parts, each part's offset (32-bit,
    big-endian), then the message as JSON and its buffers; the buffers are not needed here."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i:8 + 4 * i], "big") for i in range(count)]
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0]:end].decode("utf-8"))


@dataclass
class Kernel:
    """A kernel over its websocket: execute a cell, get back its outputs as the notebook stores them."""

    owner: UserSession
    session_id: str
    socket: websocket.WebSocket

    def execute(self, code: str, timeout: float = 300) -> list[dict[str, Any]]:
        msg_id = uuid.uuid4().hex
        self.socket.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.owner.name, "session": self.session_id,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        outputs: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        idle = replied = False
        while not (idle and replied):
            if time.monotonic() > deadline:
                raise HubError(f"{self.owner.name}: a cell ran over {timeout:.0f} s")
            message = _decode(self.socket.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
            elif kind in ("display_data", "execute_result"):
                outputs.append({"output_type": kind, "data": content["data"],
                                "metadata": content.get("metadata", {}),
                                **({"execution_count": content["execution_count"]} if kind == "execute_result"
                                   else {})})
            elif kind == "error":
                outputs.append({"output_type": "error", "ename": content["ename"], "evalue": content["evalue"],
                                "traceback": content["traceback"]})
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                replied = True
        return outputs

    def close(self) -> None:
        self.socket.close()
        requests.delete(f"{self.owner.server}/api/sessions/{self.session_id}", headers=self.owner.headers,
                        timeout=60)
