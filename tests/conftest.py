"""Shared fixtures: the seed texts (skipped only outside CI), and a clean
matplotlib state for chart tests."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from russia_china.data.quotes import normalise
from russia_china.paths import REPO_ROOT, seeds_dir

#: Set by .ci/run: the shared folder must be present, so a missing one fails
#: instead of skipping.
REQUIRE_SHARED = os.environ.get("RUSSIA_CHINA_REQUIRE_SHARED") == "1"


def _need(path: Path, what: str) -> Path:
    if path.is_dir():
        return path
    message = f"{what} not found at {path} (it lives in ../shared beside the repository)"
    if REQUIRE_SHARED:
        pytest.fail(message + "; RUSSIA_CHINA_REQUIRE_SHARED=1 says it must be there")
    pytest.skip(message)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """Normalised text of each seed article, keyed by its file name."""
    folder = _need(seeds_dir(), "The seed articles")
    texts = {p.name: normalise(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))}
    assert texts, f"{folder} holds no .txt files"
    return texts


@pytest.fixture(scope="session")
def seed_lines() -> dict[str, list[str]]:
    """Each seed article's lines, normalised, keyed by its file name: one paragraph per line,
    numbered as data/passages.csv's `line` counts them (the first line is line 1)."""
    folder = _need(seeds_dir(), "The seed articles")
    return {p.name: [normalise(line) for line in p.read_text(encoding="utf-8").split("\n")]
            for p in sorted(folder.glob("*.txt"))}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
