"""Ruff and mypy, configured in pyproject.toml, over the package and the tests.

Both run from the test environment's own bin folder, at the versions the lock
file pins, so a finding here is the same finding on every machine.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from russia_china.paths import REPO_ROOT

BIN = Path(sys.executable).parent


def _tool(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        message = f"{name} is not installed in {BIN}: run `make install` (requirements.lock pins it)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI installs from the lock, so it must be there")
        pytest.skip(message)
    return path


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_finds_nothing():
    result = _run([str(_tool("ruff")), "check", "--no-fix", "--output-format", "concise", "src", "tests"])
    assert result.returncode == 0, result.stdout + result.stderr


#: Known mypy findings still to fix, per file: most are pandas-stubs typing a row's
#: value as a union of every scalar, or numpy's array unions. The counts may only go
#: down: a file not listed must be clean, and a listed file that improves must have
#: its allowance lowered here.
MYPY_DEBT: dict[str, int] = {}
MYPY_TEST_DEBT: dict[str, int] = {}


def _within_debt(result: subprocess.CompletedProcess[str], debt: dict[str, int]) -> None:
    found = Counter(re.findall(r"^((?:src|tests)/[^:]+):\d+: error", result.stdout, flags=re.MULTILINE))
    problems = [f"{path}: {count} finding(s), {debt.get(path, 0)} allowed"
                for path, count in sorted(found.items()) if count > debt.get(path, 0)]
    problems += [f"{path}: now {found.get(path, 0)} finding(s); lower its allowance from {allowed}"
                 for path, allowed in sorted(debt.items()) if found.get(path, 0) < allowed]
    assert not problems, "\n".join(problems) + "\n\n" + result.stdout[-5000:]
    assert result.returncode == (1 if found else 0), result.stdout + result.stderr


def test_mypy_finds_nothing_in_the_package_beyond_its_recorded_debt():
    _within_debt(_run([str(_tool("mypy")), "--python-executable", sys.executable]), MYPY_DEBT)


def test_mypy_finds_nothing_in_the_tests_beyond_their_recorded_debt():
    # Test functions carry no annotations: their bodies are left unchecked, the
    # helpers that do declare types are checked, and the package's own
    # findings are the test above's to report.
    _within_debt(_run([str(_tool("mypy")), "--python-executable", sys.executable,
                       "--no-check-untyped-defs", "--follow-imports=silent", "tests"]), MYPY_TEST_DEBT)
