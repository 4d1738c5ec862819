"""One source of truth for dependencies: pyproject.toml. environment.yml is
generated from it and the lock file must satisfy it."""

from __future__ import annotations

import re

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from russia_china.paths import REPO_ROOT
from russia_china.tools import environment


def _lock_pins() -> dict[str, list[Version]]:
    pins: dict[str, list[Version]] = {}
    for line in (REPO_ROOT / "requirements.lock").read_text().splitlines():
        found = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if found:
            pins.setdefault(canonicalize_name(found[1]), []).append(Version(found[2]))
    return pins


def test_environment_yml_is_generated_from_pyproject():
    committed = (REPO_ROOT / "environment.yml").read_text(encoding="utf-8")
    assert committed == environment.render(), "environment.yml is stale: run `make environment.yml`"


def test_environment_yml_lists_every_direct_dependency():
    text = (REPO_ROOT / "environment.yml").read_text(encoding="utf-8")
    for requirement in environment.requirements():
        assert re.search(rf"^  - {re.escape(requirement.name)} ", text, re.M), requirement.name
    for needed in ["python", "jupyterlab", "pandas", "ipywidgets", "seaborn", "nbval", "pytest"]:
        assert re.search(rf"^  - {needed} ", text, re.M), needed


def test_lock_file_pins_every_dependency_within_its_range():
    pins = _lock_pins()
    for requirement in environment.requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not pinned in requirements.lock: run `make lock`"
        outside = [v for v in pins[name] if v not in requirement.specifier]
        assert not outside, f"requirements.lock pins {name}=={outside} outside {requirement.specifier}"


def test_the_major_versions_the_course_is_written_for():
    pins = _lock_pins()
    assert all(v.major == 3 for v in pins["pandas"]), "the course is written for pandas 3"
    assert all(v.major == 4 for v in pins["jupyterlab"])
    assert all(v.major == 8 for v in pins["ipywidgets"])


def test_conda_spec_translation():
    assert environment.conda_spec(Requirement("pandas>=3.0,<4")) == "pandas >=3.0,<4"
    assert environment.conda_spec(Requirement("pyyaml")) == "pyyaml"
