"""Manifests: one YAML file beside each CSV saying what it is and what each
column holds. The loader builds its validation schema from the manifest, so
the documentation and the checks cannot drift apart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .errors import DataFileError, Problem

MANIFEST_SUFFIX = ".yml"


@cache
def _manifest_json_schema() -> dict[str, Any]:
    text = resources.files("russia_china.data").joinpath("manifest.schema.json").read_text()
    return json.loads(text)


@dataclass(frozen=True)
class Manifest:
    """A parsed, schema-checked manifest."""

    path: Path
    content: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name.removesuffix(MANIFEST_SUFFIX)

    @property
    def csv_path(self) -> Path:
        return self.path.with_name(self.content["file"])

    @property
    def columns(self) -> list[dict[str, Any]]:
        return self.content["columns"]

    @property
    def column_names(self) -> list[str]:
        return [column["name"] for column in self.columns]

    @property
    def primary_key(self) -> list[str]:
        return list(self.content.get("primary_key", []))

    def column(self, name: str) -> dict[str, Any]:
        for column in self.columns:
            if column["name"] == name:
                return column
        raise KeyError(f"{self.path}: no column named '{name}'")


def manifest_path(data_dir: Path, name: str) -> Path:
    return data_dir / f"{name}{MANIFEST_SUFFIX}"


def read_manifest(path: Path) -> Manifest:
    """Parse and check one manifest; raise DataFileError naming the fault."""
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(path, [Problem("manifest not found: every data file needs one")]) from None
    except yaml.YAMLError as exc:
        raise DataFileError(path, [Problem(f"manifest is not valid YAML: {exc}")]) from None

    validator = jsonschema.Draft202012Validator(_manifest_json_schema())
    problems = [
        Problem(f"manifest field {'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}")
        for error in validator.iter_errors(content)
    ]
    if problems:
        raise DataFileError(path, problems)

    manifest = Manifest(path=path, content=content)
    expected_file = f"{manifest.name}.csv"
    if content["file"] != expected_file:
        problems.append(Problem(f"manifest names file '{content['file']}', expected '{expected_file}'"))
    names = manifest.column_names
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem("column listed twice in the manifest", column=duplicate))
    for key in manifest.primary_key:
        if key not in names:
            problems.append(Problem("primary_key names a column the manifest does not list", column=key))
    for column in manifest.columns:
        by = column.get("range_by", {}).get("column")
        if by is not None and by not in names:
            problems.append(
                Problem(f"range_by names a column the manifest does not list ({by})", column=column["name"]))
    for rule in content.get("consistent", []):
        for role in ("date", "year"):
            if rule[role] not in names:
                problems.append(Problem(f"the {rule['rule']} rule names a column the manifest does not list",
                                        column=rule[role]))
    if problems:
        raise DataFileError(path, problems)
    return manifest


def dataset_names(data_dir: Path) -> list[str]:
    """Names of every dataset in the folder: CSV files and manifests alike."""
    stems = {p.stem for p in data_dir.glob("*.csv")}
    stems |= {p.name.removesuffix(MANIFEST_SUFFIX) for p in data_dir.glob(f"*{MANIFEST_SUFFIX}")}
    return sorted(stems)
