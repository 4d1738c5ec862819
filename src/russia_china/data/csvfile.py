"""Read a CSV file as text, catching the structural faults pandas lets through.

pandas pads a short row with NaN and keeps going, so a file cut off in the
middle of a row loads without complaint. The standard ``csv`` module, run in
strict mode first, finds such rows and says where they are.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from .errors import DataFileError, Problem


def read_text_table(path: Path) -> tuple[pd.DataFrame, list[int]]:
    """Return the file's cells as strings (empty cells as missing) and the
    line on which each data row starts.

    Raises DataFileError for an empty or unreadable file, a duplicated or
    blank header, a row with the wrong number of fields, an unterminated
    quote, or a last line without a line ending (a truncated file).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(path, [Problem("file not found")]) from None
    except UnicodeDecodeError as exc:
        raise DataFileError(path, [Problem(f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None

    if not text.strip():
        raise DataFileError(path, [Problem("file is empty: expected a header row")])

    problems: list[Problem] = []
    if not text.endswith("\n"):
        last_line = text.count("\n") + 1
        problems.append(
            Problem("file looks truncated: the last line has no line ending", line=last_line)
        )

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row_start_lines: list[int] = []
    widths: list[int] = []
    try:
        header = next(reader)
        expected = len(header)
        problems += _header_problems(header)
        start_line = reader.line_num + 1
        for record in reader:
            row_start_lines.append(start_line)
            widths.append(len(record))
            start_line = reader.line_num + 1
        problems += _width_problems(widths, expected, row_start_lines)
    except csv.Error as exc:
        problems.append(
            Problem(f"cannot parse CSV ({exc}); the file may be truncated", line=reader.line_num)
        )

    if problems:
        raise DataFileError(path, problems)

    frame = pd.read_csv(
        io.StringIO(text),
        dtype=str,
        keep_default_na=False,
        na_values=[""],
    )
    return frame, row_start_lines


def _width_problems(widths: list[int], expected: int, row_start_lines: list[int]) -> list[Problem]:
    """Rows whose number of fields differs from the header's. When every row has the same
    number, fewer than the header, the header is what is wrong, not the rows."""
    if widths and len(set(widths)) == 1 and widths[0] < expected:
        return [Problem(f"the header has {expected} fields but every row has {widths[0]}: "
                        f"the header names {expected - widths[0]} column(s) too many", line=1)]
    last = len(widths)
    return [Problem(f"has {width} fields but the header has {expected}"
                    + (" (the file may be truncated)" if width < expected and row == last else ""),
                    row=row, line=row_start_lines[row - 1])
            for row, width in enumerate(widths, start=1) if width != expected]


def _header_problems(header: list[str]) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name.strip():
            problems.append(Problem(f"header field {position} is blank", line=1))
        elif name in seen:
            problems.append(Problem("column name appears twice in the header", line=1, column=name))
        seen.add(name)
    return problems
