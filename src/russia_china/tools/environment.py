"""Generate environment.yml (conda, Binder, JupyterHub) from pyproject.toml.

pyproject.toml is the single source of truth for dependencies; the conda file
is derived from it so the two cannot drift (tests/test_dependencies.py fails
if the committed file differs from what this module generates).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement

from ..paths import REPO_ROOT

#: PyPI names whose conda-forge package has a different name.
CONDA_NAMES: dict[str, str] = {"jupyter-client": "jupyter_client"}

#: Extras that belong in the conda environment: everything a user or CI needs.
EXTRAS = ("lab", "test")

HEADER = """\
# GENERATED from pyproject.toml by `make environment.yml`; do not edit by hand.
# conda env create -f environment.yml && conda activate russia-china && jupyter lab
"""


def requirements(pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[Requirement]:
    """The course's direct dependencies: runtime plus the lab and test extras."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in EXTRAS:
        specs += project["optional-dependencies"][extra]
    return [Requirement(spec) for spec in specs]


def python_requirement(pyproject: Path = REPO_ROOT / "pyproject.toml") -> str:
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["requires-python"]


def conda_spec(requirement: Requirement) -> str:
    """'pandas>=3.0,<4' -> 'pandas >=3.0,<4' with the conda-forge name."""
    name = CONDA_NAMES.get(requirement.name, requirement.name)
    # Lower bounds first, as conda users write them: ">=8.1,<9".
    ordered = sorted(requirement.specifier, key=lambda s: (not s.operator.startswith(">"), str(s)))
    specifier = ",".join(str(s) for s in ordered)
    return f"{name} {specifier}".strip()


def render(pyproject: Path = REPO_ROOT / "pyproject.toml") -> str:
    lines = [HEADER, "name: russia-china", "channels:", "  - conda-forge", "dependencies:"]
    lines.append(f"  - python {python_requirement(pyproject)}")
    lines.append("  - pip")
    lines += [f"  - {conda_spec(r)}" for r in sorted(requirements(pyproject), key=lambda r: r.name)]
    lines += ["  - pip:", "      - -e ."]
    return "\n".join(lines) + "\n"


def write(target: Path = REPO_ROOT / "environment.yml") -> Path:
    target.write_text(render(), encoding="utf-8")
    return target
