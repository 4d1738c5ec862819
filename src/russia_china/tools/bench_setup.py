"""Benchmark of setup: a fresh clone to a working environment (`make install`), warm and cold cache."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from ..paths import REPO_ROOT


def _install_seconds(extra_env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory(prefix="russia-china-setup-") as scratch:
        clone = Path(scratch) / "course"
        subprocess.run(["git", "clone", "-q", str(REPO_ROOT), str(clone)], check=True)
        start = time.perf_counter()
        subprocess.run(["make", "install"], cwd=clone, check=True, capture_output=True,
                       env={**os.environ, **extra_env})
        seconds = time.perf_counter() - start
        check = [str(clone / ".venv" / "bin" / "python"), "-c", "import russia_china, jupyterlab, nbval"]
        subprocess.run(check, check=True, capture_output=True)
    return seconds


def bench_setup() -> dict:
    """Seconds for `make install` on a fresh clone of the committed course: cold cache, then warm."""
    with tempfile.TemporaryDirectory(prefix="russia-china-cold-cache-") as empty:
        cold = _install_seconds({"UV_CACHE_DIR": empty, "PIP_NO_CACHE_DIR": "1"})
    warm = _install_seconds({})
    return {"cold_cache_s": round(cold, 1), "warm_cache_s": round(warm, 1)}
