"""Load a course data file as a typed, validated DataFrame."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ..paths import data_dir
from .csvfile import read_text_table
from .errors import DataFileError, Problem
from .manifest import Manifest, dataset_names, manifest_path, read_manifest
from .rules import rule_problems
from .schema import build_schema, failure_problems

#: A reference target that is not a table: the names of the datasets themselves.
DATASETS_TABLE = "datasets"

#: What load() and manifest() built, by key, with the file times it was built from.
_cache: dict[tuple, tuple[tuple[float, ...], object]] = {}


def list_datasets(folder: Path | None = None) -> list[str]:
    """Names of the datasets in ``data/`` (file names without .csv)."""
    return dataset_names(folder or data_dir())


def load(name: str, folder: Path | None = None) -> pd.DataFrame:
    """Load ``data/<name>.csv``, validated against ``data/<name>.yml``.

    Columns come back with the types the manifest declares. Any fault in
    the file raises DataFileError naming the file, row, line and column.
    Results are cached until the file or manifest changes; each call gets
    its own (copy-on-write) frame, so changing it never alters the cache.
    """
    folder = Path(folder or data_dir())
    csv_path = folder / f"{name}.csv"
    yml_path = manifest_path(folder, name)
    frame = _while_unchanged(("table", folder, name), (csv_path, yml_path),
                             lambda: _load_uncached(folder, name, csv_path, yml_path))
    return frame.copy(deep=False)


def manifest(name: str, folder: Path | None = None) -> Manifest:
    """The manifest of a dataset: source, licence, vintage and columns.

    Cached until the file changes: widgets read a manifest on every redraw.
    """
    path = manifest_path(Path(folder or data_dir()), name)
    return _while_unchanged(("manifest", path), (path,), lambda: read_manifest(path))


def _while_unchanged(key: tuple, files: tuple[Path, ...], build):
    """What ``build()`` returned for ``key``, built again when any of ``files`` has changed since."""
    stamp = tuple(_mtime(path) for path in files)
    cached = _cache.get(key)
    if cached is None or cached[0] != stamp:
        cached = (stamp, build())
        _cache[key] = cached
    return cached[1]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return -1.0


def _load_uncached(folder: Path, name: str, csv_path: Path, yml_path: Path) -> pd.DataFrame:
    if not csv_path.exists():
        known = ", ".join(list_datasets(folder)) or "none"
        raise DataFileError(csv_path, [Problem(f"no such data file; known datasets: {known}")])
    spec = read_manifest(yml_path)
    frame, row_start_lines = read_text_table(csv_path)
    schema = build_schema(spec, _reference_values(spec, folder))
    try:
        typed = schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems = failure_problems(exc.failure_cases, spec, row_start_lines)
        raise DataFileError(csv_path, problems) from None
    problems = rule_problems(typed, spec, row_start_lines)
    if problems:
        raise DataFileError(csv_path, problems)
    return typed


def _reference_values(spec: Manifest, folder: Path) -> dict[str, set[str]]:
    values: dict[str, set[str]] = {}
    for column in spec.columns:
        target = column.get("references")
        if not target or target in values:
            continue
        table, key = target.split(".")
        if table == DATASETS_TABLE:
            values[target] = set(list_datasets(folder))
            continue
        if table == spec.name:
            raise DataFileError(spec.path, [Problem("a column may not reference its own table", column=column["name"])])
        values[target] = set(load(table, folder)[key].astype(str))
    return values
