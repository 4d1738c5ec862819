"""Debian's Chromium driven by Playwright, for the browser tests.

Playwright's own browser download does not work offline, so the tests launch
the system Chromium. Where it (or axe-core, from npm) is missing the tests
skip with the reason; with RUSSIA_CHINA_REQUIRE_BROWSER=1 (set by .ci/run)
they fail instead, because CI must run them.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

from russia_china.paths import REPO_ROOT

CHROMIUM = Path(os.environ.get("RUSSIA_CHINA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO_ROOT / "test-artifacts"
REQUIRE_BROWSER = os.environ.get("RUSSIA_CHINA_REQUIRE_BROWSER") == "1"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def need(condition: bool, reason: str) -> None:
    """Skip locally, fail in CI."""
    if condition:
        return
    if REQUIRE_BROWSER:
        pytest.fail(reason + "; RUSSIA_CHINA_REQUIRE_BROWSER=1 says the browser tests must run")
    pytest.skip(reason)


def need_chromium() -> None:
    need(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        need(False, "the playwright package is not installed")


def need_axe() -> None:
    need(AXE.exists(), f"axe-core not found at {AXE} (run npm ci in the repository)")


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


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical"), context: str | None = None) -> list[dict]:
    """axe-core's violations of the given impacts on the current page (or within a selector)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (selector) => (await axe.run(selector ? document.querySelector(selector) : document,"
        " {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))",
        context,
    )
    return [v for v in found if v["impact"] in impacts]


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
