"""Build the student-side answer key from solutions/.

The solutions notebooks are executed with answer recording switched on; each
recorded answer is normalised and stored only as a salted hash, together with
hashes of common mistakes and their hints. The exercise settings (kind,
points, tolerance, unit, known mistakes) come from the YAML file beside each
solutions notebook (solutions/NAME.yml for solutions/NAME.ipynb).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, cast

import nbformat
import pandas as pd
import yaml
from nbclient import NotebookClient

from ..data.passages import ID_COLUMNS, expected_rows, passage
from ..exercises import checking, extraction, keys, plain
from ..exercises.format import ANSWERS_NAME, KEY_FILE, MANUAL_KINDS, RECORD_ENV, settings_path

KEY_PATH = KEY_FILE

_UNIT_MISTAKES = {
    "%": [(0.01, "That looks like a fraction (e.g. 0.36). Give it as a percentage (36).")],
    "US$ bn": [(1e9, "That looks like US dollars. Give the answer in billions of US dollars."),
               (1e3, "That looks like millions. Give the answer in billions of US dollars.")],
}


def load_spec(solutions: Path) -> dict[str, dict[str, Any]]:
    """Every exercise's settings, from the YAML beside each solutions notebook."""
    spec: dict[str, dict[str, Any]] = {}
    for notebook in sorted(solutions.glob("*.ipynb")):
        path = settings_path(notebook)
        if not path.exists():
            raise ValueError(f"{notebook.name} has no settings file {path.name} beside it")
        for exercise, settings in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if str(exercise) in spec:
                raise ValueError(f"exercise {exercise} is defined twice ({path.name})")
            spec[str(exercise)] = settings
    return spec


def solutions_digest(solutions: Path) -> str:
    """Fingerprint of everything the key is built from: cell sources and settings."""
    h = hashlib.sha256()
    for path in sorted(solutions.glob("*.ipynb")):
        h.update(settings_path(path).read_bytes())
        nb = nbformat.read(path, as_version=4)
        h.update(path.name.encode())
        for cell in nb.cells:
            h.update(cell.cell_type.encode() + b"\0" + cell.source.encode() + b"\0")
    return h.hexdigest()


def read_recorded(path: Path) -> dict[str, dict[str, Any]]:
    """The plain answers check() appended to a record file, by exercise id (the last one wins)."""
    recorded: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            recorded[entry["exercise_id"]] = entry["answer"]
    return recorded


def record_answers(solutions: Path, timeout: int = 180) -> dict[str, dict[str, Any]]:
    """Execute every solutions notebook and return the answers given to check(), as plain data."""
    recorded: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for path in sorted(solutions.glob("*.ipynb")):
            store = Path(scratch) / f"{path.stem}.jsonl"
            nb = nbformat.read(path, as_version=4)
            env_before = os.environ.get(RECORD_ENV)
            os.environ[RECORD_ENV] = str(store)  # the kernel inherits it
            try:
                NotebookClient(nb, timeout=timeout, resources={"metadata": {"path": str(path.parent)}}).execute()
            finally:
                if env_before is None:
                    os.environ.pop(RECORD_ENV, None)
                else:
                    os.environ[RECORD_ENV] = env_before
            recorded.update(read_recorded(store))
    return recorded


def _number_entry(exercise: str, value: float, spec: dict[str, Any]) -> dict[str, Any]:
    tolerance = float(spec["tolerance"])
    entry = {"kind": "number", "tolerance": tolerance,
             "hashes": [keys.digest(exercise, keys.key_number(value, tolerance))]}
    mistakes = []
    for scale, hint in _UNIT_MISTAKES.get(spec.get("unit", ""), []):
        mistakes.append({"tolerance": tolerance * scale, "hint": hint,
                         "hashes": [keys.digest(exercise, keys.key_number(value * scale, tolerance * scale))]})
    if value != 0:
        mistakes.append({"tolerance": tolerance, "hint": "Check the sign: you may have subtracted the other way round.",
                         "hashes": [keys.digest(exercise, keys.key_number(-value, tolerance))]})
    for known in spec.get("mistakes", []):
        mistakes.append({"tolerance": tolerance, "hint": known["hint"],
                         "hashes": [keys.digest(exercise, keys.key_number(known["value"], tolerance))]})
    entry["mistakes"] = mistakes
    return entry


def _key_fields(table: str, row: Any) -> dict[str, Any]:
    """A course row's key fields in the form `extraction.row_strings` reads: the years a
    student may give are both ends of a figure's period, [None] when the article gives none."""
    fields: dict[str, Any] = {"id": row[ID_COLUMNS[table]], "sentence": row["sentence"]}
    if table == "figures":
        ends = [int(y) for y in (row["year_start"], row["year_end"]) if not pd.isna(y)]
        return {**fields, "value": float(row["value"]), "unit": row["unit"], "years": sorted(set(ends)) or [None]}
    if table == "events":
        return {**fields, "years": [int(row["year"])]}
    person = "claimant" if table == "claims" else "forecaster"
    made_on = row["made_on"]
    return {**fields, person: row[person], "years": [None] if pd.isna(made_on) else [int(str(made_on)[:4])]}


def _extraction_entry(exercise: str, answer: object, spec: dict[str, Any]) -> dict[str, Any]:
    """The expected rows are derived from the data (the rows whose quote lies in the passage) and
    stored as hashes; the model answer must find every one of them, or the key is not written."""
    table = passage(spec["passage"])["table"]
    tolerance = float(spec.get("tolerance", 0.05))
    expected = [_key_fields(table, row) for _, row in expected_rows(spec["passage"]).iterrows()]
    if not expected:
        raise ValueError(f"exercise {exercise}: passage {spec['passage']} holds no row of {table}")
    entry = {"kind": "extraction", "table": table, "passage": spec["passage"], "tolerance": tolerance,
             "rows": extraction.key_rows(exercise, table, expected, tolerance)}
    result = extraction.match(exercise, answer, entry)
    if not result.complete:
        raise ValueError(f"exercise {exercise}: the model answer does not fit passage {spec['passage']}: "
                         f"{extraction.message(result, table)}")
    return entry


def _entry(exercise: str, described: dict[str, Any] | None, spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec["kind"]
    common = {"points": spec["points"], "title": spec["title"]}
    if "hint" in spec:
        common["hint"] = spec["hint"]
    if kind in MANUAL_KINDS:
        return {**common, "kind": "written", "min_words": spec.get("min_words", 1)}
    if kind == "extraction":
        return {**common, **_extraction_entry(exercise, plain.from_plain(described), spec)}
    # The key is built from the answer exactly as the judge will see it.
    answer = checking.canonical(kind, plain.from_plain(described), spec)
    if kind == "number":
        # canonical() returns an int or a float for a number, or raises.
        return {**common, **_number_entry(exercise, float(cast(float, answer)), spec)}
    if kind == "text":
        accepted = [answer, *spec.get("also_accept", [])]
        return {**common, "kind": "text", "hashes": [keys.digest(exercise, keys.normalise_text(a)) for a in accepted],
                "mistakes": [{"hint": m["hint"], "hashes": [keys.digest(exercise, keys.normalise_text(m["answer"]))]}
                             for m in spec.get("mistakes", [])]}
    if kind == "table":
        normalised = keys.normalise_frame(answer, spec["columns"], spec["decimals"])
        return {**common, "kind": "table", "columns": spec["columns"], "decimals": spec["decimals"],
                "hashes": [keys.digest(exercise, normalised)]}
    if kind == "chart":
        return {**common, "kind": "chart", "hashes": [keys.digest(exercise, keys.normalise_chart(answer))]}
    if kind == "widget":
        return {**common, "kind": "widget", "hashes": [keys.digest(exercise, keys.normalise_widget(answer))]}
    raise ValueError(f"exercise {exercise}: unknown kind {kind!r}")


def build_key(solutions: Path) -> dict[str, Any]:
    """The student-side key; also writes solutions/answers.json (instructor side)
    with the model answers as plain data, for the leak and accepted-forms tests."""
    spec = load_spec(solutions)
    recorded = record_answers(solutions)
    digest_now = solutions_digest(solutions)
    answers_file = {"solutions_digest": digest_now, "answers": dict(sorted(recorded.items()))}
    text = json.dumps(answers_file, indent=1, ensure_ascii=False) + "\n"
    (solutions / ANSWERS_NAME).write_text(text, encoding="utf-8")
    missing = [e for e, s in spec.items() if s["kind"] not in MANUAL_KINDS and e not in recorded]
    if missing:
        raise ValueError(f"solutions never call check() for {missing}: every auto-graded exercise needs one")
    unknown = sorted(set(recorded) - set(spec))
    if unknown:
        raise ValueError(f"solutions call check() for {unknown}, which no settings file defines")
    exercises = {e: _entry(e, recorded.get(e), s) for e, s in sorted(spec.items())}
    return {"version": 1, "solutions_digest": digest_now, "exercises": exercises}


def write_key(key: dict[str, Any], path: Path = KEY_PATH) -> Path:
    path.write_text(json.dumps(key, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path
