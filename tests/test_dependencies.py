"""One source of truth for dependencies: pyproject.toml. environment.yml is
generated from it and the lock file must satisfy it."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

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
        name = environment.CONDA_NAMES.get(requirement.name, requirement.name)
        assert re.search(rf"^  - {re.escape(name)} ", text, re.M), name
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


# -- every package the code imports is declared ------------------------------------------

#: Import names whose distribution is called something else. Installed
#: packages are looked up in importlib.metadata too; this table covers the
#: ones that might not be installed when the test runs.
DISTRIBUTION_OF = {"yaml": "pyyaml", "PIL": "pillow", "IPython": "ipython", "sklearn": "scikit-learn",
                   "bs4": "beautifulsoup4", "dateutil": "python-dateutil", "jupyter_client": "jupyter-client"}


def _top_level_imports(root: Path) -> dict[str, set[str]]:
    """Every absolute top-level import under root, including those inside functions: name -> files."""
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(REPO_ROOT)))
    return found


def _distributions(import_name: str) -> set[str]:
    installed = importlib.metadata.packages_distributions().get(import_name, [])
    return {canonicalize_name(d) for d in [*installed, DISTRIBUTION_OF.get(import_name, import_name)]}


def undeclared_imports(root: Path) -> list[str]:
    declared = {canonicalize_name(r.name) for r in environment.requirements()}
    local = {"russia_china", *(p.stem for p in (REPO_ROOT / "tests").glob("*.py"))}
    problems = []
    for name, files in sorted(_top_level_imports(root).items()):
        if name in sys.stdlib_module_names or name in local or name == "__future__":
            continue
        if not _distributions(name) & declared:
            problems.append(f"{name} (imported in {', '.join(sorted(files))})")
    return problems


def test_every_import_in_the_package_is_a_declared_dependency():
    undeclared = undeclared_imports(REPO_ROOT / "src")
    assert not undeclared, "imported but not declared in pyproject.toml: " + "; ".join(undeclared)


def test_every_import_in_the_tests_is_a_declared_dependency():
    undeclared = undeclared_imports(REPO_ROOT / "tests")
    assert not undeclared, "imported but not declared in pyproject.toml: " + "; ".join(undeclared)


def test_an_undeclared_import_is_caught(tmp_path, monkeypatch):
    package = tmp_path / "src"
    package.mkdir()
    (package / "module.py").write_text("import os\nimport yaml\nfrom . import sibling\n\ndef f():\n"
                                       "    import not_a_declared_package.sub\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "REPO_ROOT", tmp_path)
    assert undeclared_imports(package) == ["not_a_declared_package (imported in src/module.py)"]
