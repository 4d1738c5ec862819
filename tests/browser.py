"""Pytest's side of the browser tests: skip or fail when Chromium is missing, axe-core.

The launch, the offline guard and the course's JupyterLab live in
russia_china.tools.lab_browser, shared with the browser benchmark. Where
Chromium (or axe-core, from npm) is missing the tests skip with the reason;
with RUSSIA_CHINA_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead,
because CI must run them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from russia_china.paths import REPO_ROOT
from russia_china.tools.lab_browser import (
    CHROMIUM,
    block_outside_requests,
    free_port,
    launch,
)

#: Re-exported for the tests, which import the launch and the offline guard from here.
__all__ = ["ARTIFACTS", "AXE", "CHROMIUM", "REQUIRE_BROWSER", "axe_violations", "block_outside_requests", "free_port",
           "launch", "need", "need_axe", "need_chromium", "screenshot"]

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO_ROOT / "test-artifacts"
REQUIRE_BROWSER = os.environ.get("RUSSIA_CHINA_REQUIRE_BROWSER") == "1"


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
        import playwright.sync_api  # noqa: F401  (only asks whether playwright is installed)
    except ImportError:
        need(False, "the playwright package is not installed")


def need_axe() -> None:
    need(AXE.exists(), f"axe-core not found at {AXE} (run npm ci in the repository)")


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
