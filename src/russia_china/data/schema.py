"""Turn a manifest into a pandera schema, and pandera's failure table into
Problems that name row, line and column in words a course author can act on."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

import pandas as pd
import pandera.pandas as pa

from .errors import Problem
from .manifest import Manifest

_DTYPES = {"int": "int64", "float": "float64", "str": str, "date": "datetime64[ns]"}
_NULLABLE_DTYPES = {"int": "Int64"}
_TYPE_WORDS = {
    "int": "a whole number",
    "float": "a number",
    "date": "a date written YYYY-MM-DD",
    "str": "text",
}


def build_schema(
    manifest: Manifest, reference_values: Mapping[str, Collection[str]]
) -> pa.DataFrameSchema:
    """The validation schema the manifest describes.

    ``reference_values`` maps each 'table.column' the manifest references to
    the set of values that exist there.
    """
    columns = {
        spec["name"]: _column(spec, reference_values) for spec in manifest.columns
    }
    return pa.DataFrameSchema(
        columns,
        strict=True,
        ordered=True,
        unique=manifest.primary_key if len(manifest.primary_key) > 1 else None,
        name=manifest.name,
    )


def _column(spec: dict, reference_values: Mapping[str, Collection[str]]) -> pa.Column:
    kind = spec["type"]
    nullable = spec.get("nullable", False)
    dtype = _NULLABLE_DTYPES.get(kind, _DTYPES[kind]) if nullable else _DTYPES[kind]
    checks = []
    if "min" in spec:
        checks.append(pa.Check.ge(spec["min"], error=f"is below the minimum {spec['min']}"))
    if "max" in spec:
        checks.append(pa.Check.le(spec["max"], error=f"is above the maximum {spec['max']}"))
    if "pattern" in spec:
        pattern = spec["pattern"]
        checks.append(_each_item(spec, lambda item: re.fullmatch(pattern, item) is not None,
                                 f"does not match the pattern {pattern}"))
    if "allowed" in spec:
        allowed = {str(value) for value in spec["allowed"]}
        shown = ", ".join(sorted(allowed))
        checks.append(_each_item(spec, allowed.__contains__, f"is not one of the allowed values: {shown}"))
    if "references" in spec:
        target = spec["references"]
        known = set(reference_values[target])
        checks.append(_each_item(spec, known.__contains__, f"is not a known {target}"))
    return pa.Column(
        dtype,
        checks=checks,
        nullable=nullable,
        unique=spec.get("unique", False),
        coerce=kind != "str",
        description=spec["description"],
    )


def _each_item(spec: dict, accept: Callable[[str], bool], error: str) -> pa.Check:
    """A check applied to the cell, or to each item of a list-valued cell."""
    separator = spec.get("list_separator")

    def check(series: pd.Series) -> pd.Series:
        def ok(cell: Any) -> bool:
            if pd.isna(cell):
                return True
            items = [i.strip() for i in str(cell).split(separator)] if separator else [str(cell)]
            return all(accept(item) for item in items)

        return series.map(ok).astype(bool)

    if separator:
        error = f"has an item that {error}"
    return pa.Check(check, error=error)


def failure_problems(
    failure_cases: pd.DataFrame, manifest: Manifest, row_start_lines: list[int]
) -> list[Problem]:
    """Translate pandera's failure table into readable, located Problems."""
    failures = failure_cases.copy()
    coerced = failures["check"].astype(str).str.startswith("coerce_dtype")
    bad_type_columns = set(failures.loc[coerced, "column"])
    problems: list[Problem] = []
    # The columns one by one, as itertuples() would give them: its tuples' .index is tuple.index.
    for check_name, column_name, value, row_index in zip(
        failures["check"], failures["column"], failures["failure_case"], failures["index"]
    ):
        check = str(check_name)
        column = None if pd.isna(column_name) else str(column_name)
        # pandera repeats a failed coercion as a dtype failure, and range
        # checks then fail on the uncoerced text: report the cause once.
        if check.startswith("dtype(") and column in bad_type_columns:
            continue
        if pd.isna(row_index) and column in bad_type_columns:
            continue
        row = None if pd.isna(row_index) else int(row_index) + 1
        line = row_start_lines[row - 1] if row is not None and row <= len(row_start_lines) else None
        message = _describe(check, value, column, manifest)
        if check == "column_in_dataframe":
            column = str(value)
        problems.append(Problem(message, row=row, line=line, column=column))
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return _dedupe(problems)


def _describe(check: str, value: object, column: str | None, manifest: Manifest) -> str:
    if check == "column_in_dataframe":
        return "column is missing: the manifest lists it but the file's header does not have it"
    if check == "column_in_schema":
        return f"column '{value}' is in the file but not in the manifest"
    if check == "column_ordered":
        return f"columns are out of order: the manifest's order is {', '.join(manifest.column_names)}"
    if check.startswith("coerce_dtype"):
        kind = manifest.column(column)["type"] if column else "str"
        return f"{value!r} is not {_TYPE_WORDS[kind]}"
    if check == "not_nullable":
        return "is empty, but this column may not be empty"
    if check in ("field_uniqueness", "multiple_fields_uniqueness"):
        key = ", ".join(manifest.primary_key) if check.startswith("multiple") else column
        return f"{value!r} repeats a value that must be unique ({key})"
    if check.startswith("dtype("):
        return f"{value!r} has the wrong type ({check})"
    return f"{value!r} {check}"


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen = set()
    unique = []
    for problem in problems:
        key = (problem.row, problem.column, problem.message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return unique
