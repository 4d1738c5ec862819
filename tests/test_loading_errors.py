"""Malformed data files fail with an error naming the file, row, line and
column. Each test breaks a copy of data/ in a temporary folder."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from russia_china.data import DataFileError, load
from russia_china.paths import data_dir


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    return copy


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set a cell; ``row`` counts data rows from 1."""
    rows = _rows(path)
    rows[row][rows[0].index(column)] = value
    _write(path, rows)


def _error(name: str, folder: Path) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        load(name, folder)
    return caught.value


def test_the_real_files_load_with_declared_types():
    figures = load("figures")
    assert figures["value"].dtype == "float64"
    assert str(figures["year_start"].dtype) == "Int64"
    assert pd.api.types.is_string_dtype(figures["quote"])
    assert pd.api.types.is_integer_dtype(load("events")["year"])


def test_missing_column_is_named(data_copy):
    path = data_copy / "figures.csv"
    rows = _rows(path)
    drop = rows[0].index("value")
    _write(path, [r[:drop] + r[drop + 1 :] for r in rows])
    error = _error("figures", data_copy)
    assert "figures.csv" in str(error)
    assert any(p.column == "value" and "missing" in p.message for p in error.problems), str(error)


def test_non_numeric_value_names_row_line_and_column(data_copy):
    _set_cell(data_copy / "figures.csv", 3, "value", "about 36")
    error = _error("figures", data_copy)
    problem = next(p for p in error.problems if p.column == "value")
    assert (problem.row, problem.line) == (3, 4)
    assert "'about 36' is not a number" in problem.message
    assert "row 3, line 4, column 'value'" in str(error)


def test_duplicate_id_is_reported_for_both_rows(data_copy):
    _set_cell(data_copy / "figures.csv", 2, "figure_id", "F01")
    error = _error("figures", data_copy)
    rows = {p.row for p in error.problems if p.column == "figure_id" and "unique" in p.message}
    assert rows == {1, 2}, str(error)


def test_unknown_source_id_is_reported(data_copy):
    _set_cell(data_copy / "events.csv", 5, "source_id", "nosuch2020")
    error = _error("events", data_copy)
    assert "row 5, line 6, column 'source_id': 'nosuch2020' is not a known sources.source_id" in str(error)


def test_unknown_item_in_a_list_column_is_reported(data_copy):
    _set_cell(data_copy / "claims.csv", 1, "evidence_figures", "F01; F99")
    error = _error("claims", data_copy)
    problem = next(p for p in error.problems if p.column == "evidence_figures")
    assert problem.row == 1 and "figures.figure_id" in problem.message


def test_year_out_of_range_is_reported(data_copy):
    _set_cell(data_copy / "events.csv", 1, "year", "1066")
    error = _error("events", data_copy)
    assert "row 1, line 2, column 'year': 1066 is below the minimum 1850" in str(error)


def test_truncated_file_is_detected(data_copy):
    path = data_copy / "figures.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) - 60], encoding="utf-8")  # cut inside the last row
    error = _error("figures", data_copy)
    assert "figures.csv" in str(error) and "truncated" in str(error)
    assert any(p.line is not None for p in error.problems)


def test_short_row_in_the_middle_is_detected(data_copy):
    path = data_copy / "eras.csv"
    rows = _rows(path)
    rows[2] = rows[2][:3]
    _write(path, rows)
    error = _error("eras", data_copy)
    assert "row 2, line 3: has 3 fields but the header has 7" in str(error)


def test_empty_file_is_reported(data_copy):
    (data_copy / "eras.csv").write_text("", encoding="utf-8")
    assert "file is empty" in str(_error("eras", data_copy))


def test_column_not_in_manifest_is_reported(data_copy):
    path = data_copy / "eras.csv"
    _write(path, [[*r, "x"] for r in _rows(path)])
    assert "not in the manifest" in str(_error("eras", data_copy))


def test_missing_manifest_is_reported(data_copy):
    (data_copy / "eras.yml").unlink()
    error = _error("eras", data_copy)
    assert error.path.name == "eras.yml" and "manifest not found" in str(error)


def test_unknown_dataset_lists_the_known_ones(data_copy):
    error = _error("nosuch", data_copy)
    assert "known datasets" in str(error) and "figures" in str(error)


def test_loaded_frames_are_independent_copies():
    first = load("figures")
    first.loc[0, "value"] = -1.0
    first["scratch"] = 1
    again = load("figures")
    assert again.loc[0, "value"] != -1.0 and "scratch" not in again.columns


# -- rules a manifest states beyond each cell's type (data/README.md, "What a manifest can require") --


def _first_row(path: Path, column: str, value: str) -> int:
    rows = _rows(path)
    return next(i for i, r in enumerate(rows[1:], start=1) if r[rows[0].index(column)] == value)


def test_a_header_without_rows_is_not_a_data_file(data_copy):
    path = data_copy / "eras.csv"
    _write(path, _rows(path)[:1])
    error = _error("eras", data_copy)
    assert "eras.csv" in str(error) and "line 2: has 0 data row(s); the manifest expects at least 6" in str(error)


def test_a_file_that_lost_rows_is_reported(data_copy):
    path = data_copy / "gdp.csv"
    _write(path, _rows(path)[:-3])
    assert "has 97 data row(s); the manifest expects at least 100" in str(_error("gdp", data_copy))


@pytest.mark.parametrize("written", ["1e400", "inf", "-Infinity"])
def test_an_infinite_number_is_not_a_value(data_copy, written):
    _set_cell(data_copy / "figures.csv", 2, "value", written)
    error = _error("figures", data_copy)
    problem = next(p for p in error.problems if p.column == "value")
    assert (problem.row, problem.line) == (2, 3) and "is not a finite number" in problem.message, str(error)


def test_a_share_in_percent_cannot_be_negative_but_a_growth_rate_can(data_copy):
    path = data_copy / "figures.csv"
    growth = _first_row(path, "unit", "% change")
    _set_cell(path, growth, "value", "-12.5")
    assert len(load("figures", data_copy)) == 33, "a negative growth rate is a value"
    share = _first_row(path, "unit", "%")
    _set_cell(path, share, "value", "-3")
    error = _error("figures", data_copy)
    assert f"row {share}, line {share + 1}, column 'value': -3.0 is below 0, the least a value in '%' may be" in str(
        error)
    _set_cell(path, share, "value", "140")
    assert "140.0 is above 100, the most a value in '%' may be" in str(_error("figures", data_copy))


@pytest.mark.parametrize("written", ["1858-13-40", "2023-02-30", "2024-00"])
def test_an_impossible_calendar_date_is_reported(data_copy, written):
    _set_cell(data_copy / "events.csv", 1, "date", written)
    _set_cell(data_copy / "events.csv", 1, "year", written[:4])
    error = _error("events", data_copy)
    assert f"row 1, line 2, column 'date': '{written}' is not a real calendar date" in str(error)


def test_a_date_must_agree_with_its_rows_year(data_copy):
    path = data_copy / "events.csv"
    year = _rows(path)[1][_rows(path)[0].index("year")]
    _set_cell(path, 1, "date", "1901-05-01")
    error = _error("events", data_copy)
    assert f"row 1, line 2, column 'date': the date '1901-05-01' is not in the year {year}" in str(error)


def test_a_header_with_a_column_too_many_is_named_as_such(data_copy):
    path = data_copy / "eras.csv"
    rows = _rows(path)
    _write(path, [rows[0] + ["extra"], *rows[1:]])
    error = _error("eras", data_copy)
    assert "line 1: the header has 8 fields but every row has 7: the header names 1 column(s) too many" in str(error)
    assert "truncated" not in str(error)


def test_a_manifest_must_state_its_minimum_rows_and_name_real_columns(data_copy):
    path = data_copy / "eras.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nmin_rows:", "\n#min_rows:"), encoding="utf-8")
    assert "'min_rows' is a required property" in str(_error("eras", data_copy))
    figures = data_copy / "figures.yml"
    figures.write_text(figures.read_text(encoding="utf-8").replace("column: unit", "column: units"), encoding="utf-8")
    error = _error("figures", data_copy)
    assert error.path.name == "figures.yml" and "range_by names a column the manifest does not list (units)" in str(
        error)
