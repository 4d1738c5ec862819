"""Where the course's folders are, with environment overrides for tests."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root: src/russia_china/paths.py -> three levels up.
REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The folder holding the course's CSV files and their manifests.

    ``RUSSIA_CHINA_DATA`` overrides it, so tests can load deliberately
    broken copies from a temporary folder.
    """
    if "RUSSIA_CHINA_DATA" in os.environ:
        return Path(os.environ["RUSSIA_CHINA_DATA"])
    if (REPO_ROOT / "data" / "sources.csv").exists():
        return REPO_ROOT / "data"
    # Installed without -e: look upwards from where the notebook runs.
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / "data" / "sources.csv").exists():
            return folder / "data"
    return REPO_ROOT / "data"


def seeds_dir() -> Path:
    """The five source articles, kept outside the repository in ../shared/seeds."""
    default = REPO_ROOT.parent / "shared" / "seeds"
    return Path(os.environ.get("RUSSIA_CHINA_SEEDS", default))


def shared_data_dir() -> Path:
    """The reference series as delivered, in ../shared/data."""
    default = REPO_ROOT.parent / "shared" / "data"
    return Path(os.environ.get("RUSSIA_CHINA_SHARED_DATA", default))
